"""Changing the simulated fleet while it serves, and the Zoom webhook event each change produces.

``FleetControl`` (``Simulator.control``) keeps every endpoint consistent with a change: a room taken offline has
its primary device offline, dashboard health "critical" with the issue "Zoom room is offline", and a new entry in
its issue history; bringing it back adds "Zoom room is online". Every change hands a webhook body, shaped as in
Zoom's webhook OpenAPI (``event``, ``event_ts`` in ms, ``payload{account_id, object}``), to ``publish``.

Unknown rooms, devices and locations raise ``KeyError``; changes Zoom would refuse raise ``ValueError``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from .activity import SENSOR_INTERVAL, SensorReadings
from .fleet import CURRENT_VERSION, HARDWARE, HOST_PREFIX, NO_MEETINGS, TYPE_DEVICES, braced_uuid, iso, new_id, slug_of
from .model import (
    HEALTH_CRITICAL,
    HEALTH_OK,
    HEALTH_WARNING,
    LEVELS,
    OFFLINE_ISSUE,
    ONLINE_ISSUE,
    ROOM_STATUSES,
    ROOM_TYPES,
    Fleet,
    LocationType,
    RoomStatus,
    SimDevice,
    SimIssue,
    SimLocation,
    SimRoom,
)
from .variants import Variants

Publish = Callable[[dict[str, Any]], None]
DeviceStatus = Literal["Online", "Offline"]

# alert_kind, alert_type and component codes of zoomroom.alert (Zoom's webhook OpenAPI).
TRIGGERED, CLEARED = 1, 2
ALERT_OTHER, ALERT_DEVICE, ALERT_OFFLINE = 0, 1, 3
COMPONENT = {"Zoom Rooms Computer": 1, "Controller": 2, "Scheduling Display": 3}
# (disconnected, connected) issue names per device type; others are "{device_type} disconnected|connected".
DEVICE_ISSUES = {
    "Controller": ("Room Controller disconnected", "Room Controller connected"),
    "Scheduling Display": ("Scheduling Display disconnected", "Scheduling Display connected"),
}
# Current problems that device states cannot explain; they survive a recomputation of the room's issues.
_STICKY = (
    "Selected camera has disconnected",
    "Selected microphone has disconnected",
    "Selected speaker has disconnected",
    "High CPU usage is detected",
    "Low bandwidth network is detected",
)
OPERATOR, OPERATOR_ID = "admin@example.com", "sim-admin-operator-0001"


def _device_issue(device_type: str, online: bool) -> str:
    names = DEVICE_ISSUES.get(device_type, (f"{device_type} disconnected", f"{device_type} connected"))
    return names[online]


def refresh_health(room: SimRoom) -> None:
    """Recompute the room's current dashboard issues, health and visible peripherals from its state."""
    camera, microphone, speaker = room.peripherals
    if room.status == "Offline":
        room.issues, room.health = [OFFLINE_ISSUE], HEALTH_CRITICAL
        room.camera = room.microphone = room.speaker = ""
        return
    if room.status == "UnderConstruction":  # Zoom disables issue notifications for these rooms
        room.issues, room.health = [], HEALTH_OK
        room.camera, room.microphone, room.speaker = camera, microphone, speaker
        return
    primary = room.primary_device
    sticky = [issue for issue in room.issues if issue in _STICKY]
    devices = [_device_issue(d.device_type, False) for d in room.devices if d is not primary and d.status == "Offline"]
    room.issues = devices + sticky
    room.health = HEALTH_WARNING if room.issues else HEALTH_OK
    room.camera = "" if _STICKY[0] in sticky else camera
    room.microphone = "" if _STICKY[1] in sticky else microphone
    room.speaker = "" if _STICKY[2] in sticky else speaker


class FleetControl:
    """Fleet changes through Python; ``control.py`` serves the same over HTTP under ``/_simulator/``."""

    def __init__(
        self, fleet: Fleet, clock: Callable[[], float], variants: Variants, account_id: str, publish: Publish
    ) -> None:
        self.fleet = fleet
        self._clock = clock
        self._variants = variants
        self._account_id = account_id
        self._publish = publish
        # Separate streams so that chaos picks the same rooms however many rooms were added by hand.
        self._rng = random.Random(f"control:{fleet.seed}")
        self._chaos = random.Random(f"chaos:{fleet.seed}")

    # -- lookups ---------------------------------------------------------------------------------------------

    def room(self, ref: str) -> SimRoom:
        """A room by its ``id``, its dashboard ``room_id`` or its exact name."""
        room = self.fleet.room(ref) or self.fleet.room_named(ref)
        if room is None:
            raise KeyError(f"no room {ref!r}")
        return room

    def location(self, location_id: str) -> SimLocation:
        location = self.fleet.location(location_id)
        if location is None:
            raise KeyError(f"no location {location_id!r}")
        return location

    def _device(self, room: SimRoom, ref: str) -> SimDevice:
        device = next((d for d in room.devices if ref in (d.id, d.device_type)), None)
        if device is None:
            raise KeyError(f"room {room.name!r} has no device {ref!r}")
        return device

    # -- rooms -----------------------------------------------------------------------------------------------

    def set_room_status(self, ref: str, status: RoomStatus) -> SimRoom:
        """Change a room's status; going offline or coming back fires ``zoomroom.alert`` (triggered / cleared)."""
        if status not in ROOM_STATUSES:
            raise ValueError(f"status must be one of {list(ROOM_STATUSES)}, not {status!r}")
        with self.fleet.lock:
            room = self.room(ref)
            old = room.status
            if status == old:
                return room
            if status == "InMeeting" and room.zoom_room_type in NO_MEETINGS:
                raise ValueError(f"a {room.zoom_room_type} room cannot be in a meeting")
            room.status = status
            primary = room.primary_device
            if primary is not None:
                primary.status = "Offline" if status == "Offline" else "Online"
            if status == "InMeeting":
                room.last_start_time = iso(self._now())
            if status == "Offline":
                self._alert(room, OFFLINE_ISSUE, ALERT_OFFLINE, 1, TRIGGERED)
            elif old == "Offline":
                self._alert(room, ONLINE_ISSUE, ALERT_OFFLINE, 1, CLEARED)
            refresh_health(room)
            return room

    def set_device_status(self, ref: str, device: str, status: DeviceStatus) -> SimDevice:
        """Disconnect or reconnect a device (by id or device type). The primary device takes the room with it."""
        if status not in ("Online", "Offline"):
            raise ValueError(f"device status must be Online or Offline, not {status!r}")
        with self.fleet.lock:
            room = self.room(ref)
            found = self._device(room, device)
            if found is room.primary_device:
                if (status == "Offline") != (room.status == "Offline"):
                    self.set_room_status(room.id, "Offline" if status == "Offline" else "Available")
                return found
            if found.status == status:
                return found
            found.status = status
            if room.status not in ("Offline", "UnderConstruction"):
                online = status == "Online"
                alert_type = ALERT_DEVICE if found.device_type in DEVICE_ISSUES else ALERT_OTHER
                component = COMPONENT.get(found.device_type, 0)
                self._alert(room, _device_issue(found.device_type, online), alert_type, component, 2 if online else 1)
            refresh_health(room)
            return found

    def add_room(
        self,
        name: str,
        location_id: str,
        *,
        room_type: str = "ZoomRoom",
        status: RoomStatus = "Available",
        capacity: int = 8,
    ) -> SimRoom:
        """Create a room (``zoomroom.created``): a Zoom Rooms Computer and a Controller, or its type's one device."""
        if not name.strip():
            raise ValueError("a room needs a name")
        if room_type not in ROOM_TYPES:
            raise ValueError(f"room_type must be one of {list(ROOM_TYPES)}, not {room_type!r}")
        if status not in ROOM_STATUSES or (status == "InMeeting" and room_type in NO_MEETINGS):
            raise ValueError(f"a {room_type} room cannot start as {status!r}")
        with self.fleet.lock:
            self.location(location_id)
            if self.fleet.room_named(name) is not None:
                raise ValueError(f"a room named {name!r} exists already")
            rng = self._rng
            kinds = TYPE_DEVICES.get(room_type, ("Zoom Rooms Computer", "Controller"))
            devices = [self._new_device(rng, name, kind) for kind in kinds]
            room_id = new_id(rng)
            slug = slug_of(name)
            room = SimRoom(
                id=room_id,
                room_id=room_id if self._variants.room_ids == "same" else new_id(rng),
                name=name,
                status=status,
                location_id=location_id,
                zoom_room_type=room_type,
                capacity=capacity,
                activation_code="-".join(f"{rng.randrange(10_000):04d}" for _ in range(4)),
                devices=devices,
                email=f"zr-{slug}@example.com",
                calendar_name=f"{slug}@example.com",
                calendar_resource_id=new_id(rng),
                device_profile_id=new_id(rng),
                last_start_time=iso(self._now()),
                seed=rng.getrandbits(32),
            )
            primary = room.primary_device
            if primary is not None and status == "Offline":
                primary.status = "Offline"
            refresh_health(room)
            self.fleet.add_room(room)
            self._room_event("zoomroom.created", room)
            return room

    def remove_room(self, ref: str) -> SimRoom:
        with self.fleet.lock:
            room = self.room(ref)
            self.fleet.remove_room(room)
            self._room_event("zoomroom.deleted", room)
            return room

    def update_room(self, ref: str, *, name: str | None = None, location_id: str | None = None) -> SimRoom:
        """Rename a room and/or move it to another location (``zoomroom.updated``)."""
        with self.fleet.lock:
            room = self.room(ref)
            if name is not None:
                if not name.strip():
                    raise ValueError("a room needs a name")
                if name != room.name and self.fleet.room_named(name) is not None:
                    raise ValueError(f"a room named {name!r} exists already")
            if location_id is not None:
                self.location(location_id)
                self.fleet.move_room(room, location_id)
            if name is not None:
                room.name = name
            self._room_event("zoomroom.updated", room)
            return room

    def check_in(self, ref: str, *, checked_in: bool = True) -> SimRoom:
        """A calendar check-in (or check-out) at the room's scheduling display."""
        with self.fleet.lock:
            room = self.room(ref)
            rng = self._rng
            obj = {
                **self._room_fields(room),
                "calendar_name": room.calendar_name,
                "email": room.email,
                "event_id": rng.randbytes(16).hex(),
                "change_key": rng.randbytes(12).hex(),
                "resource_email": room.calendar_name,
                "calendar_id": room.calendar_resource_id,
                "calendar_type": "1",
                "api_type": "0",
            }
            self._emit("zoomroom.checked_in" if checked_in else "zoomroom.checked_out", obj)
            return room

    def send_sensor_data(self, ref: str) -> list[dict[str, str]]:
        """The room's latest readings as ``zoomroom.sensor_data`` (the same values ``/sensor_data`` serves)."""
        with self.fleet.lock:
            room = self.room(ref)
            if not room.sensor_types:
                raise ValueError(f"room {room.name!r} has no sensors")
            now = self._now()
            readings = SensorReadings(room, now - timedelta(seconds=SENSOR_INTERVAL), now, now, "", "")
            latest = readings.slice(max(0, len(readings) - len(room.sensor_types)), len(readings))
            data = [{k: v for k, v in reading.items() if k != "device_id"} for reading in latest]
            self._emit(
                "zoomroom.sensor_data",
                {**self._room_fields(room), "device_id": room.sensor_device_id, "sensor_data": data},
            )
            return data

    # -- locations -------------------------------------------------------------------------------------------

    def add_location(self, name: str, location_type: LocationType, parent_location_id: str = "") -> SimLocation:
        if not name.strip():
            raise ValueError("a location needs a name")
        if location_type not in LEVELS:
            raise ValueError(f"type must be one of {list(LEVELS)}, not {location_type!r}")
        with self.fleet.lock:
            if parent_location_id:
                self._check_level(self.location(parent_location_id), location_type)
            location = SimLocation(new_id(self._rng), name, location_type, parent_location_id)
            self.fleet.add_location(location)
            self._location_event("zoomroom.location_created", location)
            return location

    def update_location(
        self, location_id: str, *, name: str | None = None, parent_location_id: str | None = None
    ) -> SimLocation:
        """Rename a location and/or move it under another parent ("" = top level)."""
        with self.fleet.lock:
            location = self.location(location_id)
            if name is not None and not name.strip():
                raise ValueError("a location needs a name")
            if parent_location_id is not None and parent_location_id != location.parent_location_id:
                if parent_location_id:
                    if parent_location_id in self.fleet.descendants(location.id):
                        raise ValueError("a location cannot move below itself")
                    self._check_level(self.location(parent_location_id), location.type)
                self.fleet.move_location(location, parent_location_id)
            if name is not None:
                location.name = name
            self._location_event("zoomroom.location_updated", location)
            return location

    def remove_location(self, location_id: str) -> SimLocation:
        """Delete an empty location (no rooms, no child locations), as Zoom requires."""
        with self.fleet.lock:
            location = self.location(location_id)
            if self.fleet.children(location.id) or self.fleet.rooms_at(location.id):
                raise ValueError(f"location {location.name!r} still holds rooms or locations")
            self.fleet.remove_location(location)
            self._location_event("zoomroom.location_deleted", location)
            return location

    # -- chaos -----------------------------------------------------------------------------------------------

    def chaos_step(self) -> str:
        """One random change, deterministic from the fleet's seed: a room goes offline or comes back, or a
        non-primary device disconnects or reconnects. Returns what happened."""
        with self.fleet.lock:
            rooms = [r for r in self.fleet.rooms if r.status != "UnderConstruction"]
            if not rooms:
                return "nothing to change"
            rng = self._chaos
            room = rng.choice(rooms)
            others = [d for d in room.devices if d is not room.primary_device]
            if room.status == "Offline":
                self.set_room_status(room.id, "Available")
                return f"{room.name}: online"
            if others and rng.random() < 0.5:
                device = rng.choice(others)
                flipped: DeviceStatus = "Online" if device.status == "Offline" else "Offline"
                self.set_device_status(room.id, device.id, flipped)
                return f"{room.name}: {device.device_type} {flipped.lower()}"
            self.set_room_status(room.id, "Offline")
            return f"{room.name}: offline"

    # -- helpers ---------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(int(self._clock()), UTC)

    def _check_level(self, parent: SimLocation, location_type: LocationType) -> None:
        if LEVELS.index(parent.type) >= LEVELS.index(location_type):
            raise ValueError(f"a {location_type} cannot sit below a {parent.type}")

    def _new_device(self, rng: random.Random, room_name: str, device_type: str) -> SimDevice:
        manufacturer, model, system, firmware = HARDWARE[device_type][0]
        return SimDevice(
            id=braced_uuid(rng),
            device_type=device_type,
            app_version=CURRENT_VERSION,
            device_system=system,
            status="Online",
            device_mac_addresses=[rng.randbytes(6).hex("-").upper()],
            device_hostname=f"{HOST_PREFIX[device_type]}-{slug_of(room_name).upper()[:12]}",
            device_manufacturer=manufacturer,
            device_model=model,
            device_firmware=firmware,
            ip_address=f"10.250.{rng.randrange(256)}.{rng.randrange(20, 250)}",
            serial_number=rng.randbytes(5).hex().upper(),
        )

    def _room_fields(self, room: SimRoom) -> dict[str, Any]:
        room_id = room.room_id if self._variants.webhook_room_id == "room_id" else room.id
        return {"id": room_id, "room_name": room.name}

    def _alert(self, room: SimRoom, issue: str, alert_type: int, component: int, kind: int) -> None:
        now = self._now()
        room.issue_history.insert(0, SimIssue(issue, iso(now)))
        obj = {
            **self._room_fields(room),
            "calendar_name": room.calendar_name,
            "email": room.email,
            "issue": issue,
            "alert_type": alert_type,
            "component": component,
            "alert_time": int(now.timestamp() * 1000),
            "alert_kind": kind,
        }
        self._emit("zoomroom.alert", obj)

    def _room_event(self, event: str, room: SimRoom) -> None:
        self._emit(event, self._room_fields(room))

    def _location_event(self, event: str, location: SimLocation) -> None:
        obj = {
            "id": location.id,
            "name": location.name,
            "parent_location_id": location.parent_location_id,
            "type": location.type,
        }
        self._emit(event, obj, operator=OPERATOR, operator_id=OPERATOR_ID)

    def _emit(self, event: str, obj: dict[str, Any], **payload: str) -> None:
        body = {
            "event": event,
            "event_ts": int(self._clock() * 1000),
            "payload": {"account_id": self._account_id, **payload, "object": obj},
        }
        self._publish(body)
