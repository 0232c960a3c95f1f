"""HTTP control routes, mounted at ``/_simulator`` (no Zoom token needed; loopback only in practice).

- ``GET /_simulator/stats`` → counters and request log (``Stats.snapshot()``)
- ``GET /_simulator/faults`` → ``{"latency": s, "rules": [rule...]}``
- ``POST /_simulator/faults`` with a rule (``Fault`` as JSON) → 201 with the stored rule (``id``, ``remaining``);
  with ``{"latency": seconds}`` → sets the global latency
- ``DELETE /_simulator/faults`` → clears rules and latency; ``?id=N`` removes one rule (404 if unknown)
- ``POST /_simulator/revoke`` → revokes every issued token
- ``GET|PUT /_simulator/scopes`` with ``{"scopes": [..] or "a b c", "revoke": true}`` → the app's scopes
- ``POST /_simulator/reset`` → ``Simulator.reset()``
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .faults import Fault, FaultController

if TYPE_CHECKING:
    from .app import Simulator


class _Latency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    latency: float


class _Scopes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scopes: list[str] | str
    revoke: bool = True


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

    return [
        Route("/stats", stats, methods=["GET"]),
        Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/revoke", revoke, methods=["POST"]),
        Route("/scopes", scopes, methods=["GET", "PUT"]),
        Route("/reset", reset, methods=["POST"]),
    ]
