"""HTTP control routes, mounted at ``/_simulator`` (no Zoom token needed; loopback only in practice).

- ``GET /_simulator/stats`` → counters and request log (``Stats.snapshot()``)
- ``GET /_simulator/faults`` → ``{"latency": s, "rules": [rule...]}``
- ``POST /_simulator/faults`` with a rule (``Fault`` as JSON) → 201 with the stored rule (``id``, ``remaining``);
  with ``{"latency": seconds}`` → sets the global latency
- ``DELETE /_simulator/faults`` → clears rules and latency; ``?id=N`` removes one rule (404 if unknown)
- ``POST /_simulator/revoke`` → revokes every issued token
- ``GET|PUT /_simulator/scopes`` with ``{"scopes": [..] or "a b c", "revoke": true}`` → the app's scopes
- ``POST /_simulator/reset`` → ``Simulator.reset()``

Fleet changes (``changes.FleetControl``; each fires the matching webhook, see ``GET /_simulator/events``). A room
is named by its ``id``, its dashboard ``room_id`` or its exact name; unknown → 404, refused change → 400:

- ``POST /_simulator/rooms`` with ``{"name", "location_id", "room_type"?, "status"?, "capacity"?}`` → 201 room
- ``PATCH /_simulator/rooms/{room}`` with ``{"name"?, "location_id"?}`` → rename / move
- ``DELETE /_simulator/rooms/{room}``
- ``PUT /_simulator/rooms/{room}/status`` with ``{"status": "Offline"}``
- ``PUT /_simulator/rooms/{room}/devices/{device}`` (device id or type) with ``{"status": "Online"|"Offline"}``
- ``POST /_simulator/rooms/{room}/check_in`` and ``/check_out``; ``POST /_simulator/rooms/{room}/sensor_data``
- ``POST /_simulator/locations`` with ``{"name", "type", "parent_location_id"?}`` → 201 location
- ``PATCH /_simulator/locations/{id}`` with ``{"name"?, "parent_location_id"?}``; ``DELETE`` (empty ones only)
- ``POST /_simulator/chaos`` → one random change ``{"changed": "..."}``
- ``GET /_simulator/events?limit=N`` → the latest webhook bodies, oldest first
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .changes import DeviceStatus
from .faults import Fault, FaultController
from .model import LocationType, RoomStatus, SimLocation, SimRoom

if TYPE_CHECKING:
    from .app import Simulator


class _Latency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    latency: float


class _Scopes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scopes: list[str] | str
    revoke: bool = True


class _NewRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    location_id: str
    room_type: str = "ZoomRoom"
    status: RoomStatus = "Available"
    capacity: int = 8


class _RoomUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    location_id: str | None = None


class _RoomStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: RoomStatus


class _DeviceStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: DeviceStatus


class _NewLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    type: LocationType
    parent_location_id: str = ""


class _LocationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    parent_location_id: str | None = None


def room_json(room: SimRoom) -> dict[str, Any]:
    return {
        "id": room.id,
        "room_id": room.room_id,
        "name": room.name,
        "status": room.status,
        "room_type": room.zoom_room_type,
        "location_id": room.location_id,
        "health": room.health,
        "issues": list(room.issues),
        "devices": [{"id": d.id, "device_type": d.device_type, "status": d.status} for d in room.devices],
    }


def location_json(location: SimLocation) -> dict[str, Any]:
    return asdict(location)


Endpoint = Callable[[Request], Awaitable[JSONResponse]]


def _changes(handler: Callable[[Request, Any], Awaitable[JSONResponse]]) -> Endpoint:
    """Turn the fleet's ``KeyError`` / ``ValueError`` / bad bodies into 404 / 400."""

    async def endpoint(request: Request) -> JSONResponse:
        try:
            return await handler(request, await _json(request))
        except KeyError as error:
            return _bad(str(error.args[0]) if error.args else "not found", 404)
        except (ValueError, ValidationError) as error:
            return _bad(str(error))

    return endpoint


def fault_json(fault: Fault, controller: FaultController) -> dict[str, Any]:
    try:
        remaining = controller.remaining(fault.id)
    except KeyError:
        remaining = 0
    return {**fault.model_dump(), "remaining": remaining}


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


def control_routes(sim: Simulator) -> list[Route]:
    def faults_state() -> JSONResponse:
        rules = [fault_json(rule, sim.faults) for rule in sim.faults.rules]
        return JSONResponse({"latency": sim.faults.latency, "rules": rules})

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse(sim.stats.snapshot())

    async def faults(request: Request) -> JSONResponse:
        if request.method == "GET":
            return faults_state()
        if request.method == "DELETE":
            fault_id = request.query_params.get("id")
            if fault_id is None:
                sim.faults.clear()
            elif not fault_id.isdigit() or not sim.faults.remove(int(fault_id)):
                return _bad(f"no fault with id {fault_id!r}", 404)
            return faults_state()
        body = await _json(request)
        try:
            if isinstance(body, dict) and "latency" in body:
                latency = _Latency.model_validate(body).latency
                if latency < 0:
                    return _bad("latency must be >= 0")
                sim.faults.latency = latency
                return faults_state()
            stored = sim.faults.add_rule(Fault.model_validate(body))
        except ValidationError as error:
            return _bad(str(error))
        return JSONResponse(fault_json(stored, sim.faults), status_code=201)

    async def revoke(request: Request) -> JSONResponse:
        sim.revoke_tokens()
        return JSONResponse({"revoked": True})

    async def scopes(request: Request) -> JSONResponse:
        if request.method == "PUT":
            try:
                body = _Scopes.model_validate(await _json(request))
            except ValidationError as error:
                return _bad(str(error))
            sim.set_scopes(body.scopes.split() if isinstance(body.scopes, str) else body.scopes, revoke=body.revoke)
        return JSONResponse({"scopes": list(sim.scopes)})

    async def reset(request: Request) -> JSONResponse:
        sim.reset()
        return JSONResponse({"reset": True})

    control = sim.control

    async def rooms(request: Request, body: Any) -> JSONResponse:
        new = _NewRoom.model_validate(body)
        room = control.add_room(
            new.name, new.location_id, room_type=new.room_type, status=new.status, capacity=new.capacity
        )
        return JSONResponse(room_json(room), status_code=201)

    async def room(request: Request, body: Any) -> JSONResponse:
        ref = request.path_params["room"]
        if request.method == "DELETE":
            return JSONResponse(room_json(control.remove_room(ref)))
        update = _RoomUpdate.model_validate(body)
        return JSONResponse(room_json(control.update_room(ref, name=update.name, location_id=update.location_id)))

    async def room_status(request: Request, body: Any) -> JSONResponse:
        status = _RoomStatus.model_validate(body).status
        return JSONResponse(room_json(control.set_room_status(request.path_params["room"], status)))

    async def device_status(request: Request, body: Any) -> JSONResponse:
        status = _DeviceStatus.model_validate(body).status
        ref, device = request.path_params["room"], request.path_params["device"]
        control.set_device_status(ref, device, status)
        return JSONResponse(room_json(control.room(ref)))

    async def check_in(request: Request, body: Any) -> JSONResponse:
        checked_in = request.url.path.endswith("/check_in")
        return JSONResponse(room_json(control.check_in(request.path_params["room"], checked_in=checked_in)))

    async def sensor_data(request: Request, body: Any) -> JSONResponse:
        return JSONResponse({"sensor_data": control.send_sensor_data(request.path_params["room"])})

    async def locations(request: Request, body: Any) -> JSONResponse:
        new = _NewLocation.model_validate(body)
        location = control.add_location(new.name, new.type, new.parent_location_id)
        return JSONResponse(location_json(location), status_code=201)

    async def location(request: Request, body: Any) -> JSONResponse:
        location_id = request.path_params["location"]
        if request.method == "DELETE":
            return JSONResponse(location_json(control.remove_location(location_id)))
        update = _LocationUpdate.model_validate(body)
        changed = control.update_location(location_id, name=update.name, parent_location_id=update.parent_location_id)
        return JSONResponse(location_json(changed))

    async def chaos(request: Request, body: Any) -> JSONResponse:
        return JSONResponse({"changed": control.chaos_step()})

    async def events(request: Request) -> JSONResponse:
        raw = request.query_params.get("limit", "100")
        if not raw.isdigit():
            return _bad("limit must be a whole number")
        latest = list(sim.events)[-int(raw) :] if int(raw) else []
        return JSONResponse({"events": latest, "total": sim.stats.events_published})

    return [
        Route("/rooms", _changes(rooms), methods=["POST"]),
        Route("/rooms/{room}", _changes(room), methods=["PATCH", "DELETE"]),
        Route("/rooms/{room}/status", _changes(room_status), methods=["PUT"]),
        Route("/rooms/{room}/devices/{device}", _changes(device_status), methods=["PUT"]),
        Route("/rooms/{room}/check_in", _changes(check_in), methods=["POST"]),
        Route("/rooms/{room}/check_out", _changes(check_in), methods=["POST"]),
        Route("/rooms/{room}/sensor_data", _changes(sensor_data), methods=["POST"]),
        Route("/locations", _changes(locations), methods=["POST"]),
        Route("/locations/{location}", _changes(location), methods=["PATCH", "DELETE"]),
        Route("/chaos", _changes(chaos), methods=["POST"]),
        Route("/events", events, methods=["GET"]),
        Route("/stats", stats, methods=["GET"]),
        Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/revoke", revoke, methods=["POST"]),
        Route("/scopes", scopes, methods=["GET", "PUT"]),
        Route("/reset", reset, methods=["POST"]),
    ]
