"""Typed fleet records: Zoom's payloads parsed once, at the client boundary.

Everything past this module (the store, the sync, the health rules, the tools) works with these frozen
records instead of ``dict[str, Any]``. Parsing is lenient the way Zoom needs: unknown strings are kept
(Zoom's enums are not closed), missing fields become ``None``, and text is cleaned of control
characters and capped so hostile data stays bounded. Records are slotted and hashable: a 20,000-room
fleet is a few megabytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zoom_rooms_mcp.locations.model import RawLocation
from zoom_rooms_mcp.zoom.errors import clean

NAME_LIMIT = 200
TEXT_LIMIT = 120
ISSUE_LIMIT = 200
ROOM_TYPES: tuple[str, ...] = (
    "ZoomRoom",
    "Kiosk",
    "StandaloneWhiteboard",
    "SchedulingDisplayOnly",
    "DigitalSignageOnly",
    "PersonalZoomRoom",
)
ROOM_STATUSES: tuple[str, ...] = ("Available", "InMeeting", "Offline", "UnderConstruction")

__all__ = [
    "ROOM_STATUSES",
    "ROOM_TYPES",
    "DashboardRow",
    "Device",
    "IssueEvent",
    "RawLocation",
    "Room",
    "RoomProfile",
    "parse_dashboard_row",
    "parse_device",
    "parse_issue_event",
    "parse_location",
    "parse_profile",
    "parse_room",
]


def _text(value: object, limit: int = TEXT_LIMIT) -> str | None:
    if value is None or value == "":
        return None
    cleaned = clean(value, limit)
    return cleaned or None


def _id(value: object) -> str:
    return str(value) if value is not None else ""


@dataclass(frozen=True, slots=True)
class Room:
    """One row of ``GET /rooms``. ``id`` is the Rooms API id, ``room_id`` the Dashboard API id.

    ``room_type`` is known when the room was listed with a ``type`` filter or its profile was read;
    ``capacity`` only from the profile (``GET /rooms/{id}``).
    """

    id: str
    room_id: str
    name: str
    status: str
    location_id: str | None
    room_type: str | None = None
    capacity: int | None = None

    @property
    def dashboard_id(self) -> str:
        return self.room_id or self.id


def parse_room(item: Mapping[str, Any], *, room_type: str | None = None) -> Room:
    return Room(
        id=_id(item.get("id")),
        room_id=_id(item.get("room_id") or item.get("id")),
        name=clean(item.get("name") or "", NAME_LIMIT),
        status=str(item.get("status") or ""),
        location_id=str(item["location_id"]) if item.get("location_id") else None,
        room_type=room_type,
    )


@dataclass(frozen=True, slots=True)
class RoomProfile:
    """What ``GET /rooms/{roomId}`` adds to a listing row: type, capacity and the support contact."""

    room_type: str | None
    capacity: int | None
    support_email: str | None
    support_phone: str | None
    location_id: str | None


def parse_profile(body: Mapping[str, Any]) -> RoomProfile:
    basic = body.get("basic")
    basic = basic if isinstance(basic, Mapping) else {}
    capacity = basic.get("capacity")
    return RoomProfile(
        room_type=str(basic["zoom_room_type"]) if basic.get("zoom_room_type") else None,
        capacity=int(capacity) if isinstance(capacity, int | float) and not isinstance(capacity, bool) else None,
        support_email=_text(basic.get("support_email")),
        support_phone=_text(basic.get("support_phone"), 40),
        location_id=str(basic["location_id"]) if basic.get("location_id") else None,
    )


@dataclass(frozen=True, slots=True)
class Device:
    """One item of ``GET /rooms/{roomId}/devices``."""

    device_type: str
    status: str
    app_version: str | None = None
    device_system: str | None = None
    device_model: str | None = None
    device_manufacturer: str | None = None
    ip_address: str | None = None
    device_id: str | None = None


def parse_device(item: Mapping[str, Any]) -> Device:
    return Device(
        device_type=_text(item.get("device_type"), 60) or "Unknown",
        status=_text(item.get("status"), 40) or "Unknown",
        app_version=_text(item.get("app_version"), 60),
        device_system=_text(item.get("device_system")),
        device_model=_text(item.get("device_model")),
        device_manufacturer=_text(item.get("device_manufacturer")),
        ip_address=_text(item.get("ip_address"), 60),
        device_id=_text(item.get("id"), 200),
    )


@dataclass(frozen=True, slots=True)
class DashboardRow:
    """One Zoom Dashboard room (``/metrics/zoomrooms`` or ``/metrics/zoomrooms/{id}``), keyed by ``room_id``."""

    room_id: str
    health: str | None
    issues: tuple[str, ...]
    status: str | None = None
    camera: str | None = None
    microphone: str | None = None
    speaker: str | None = None
    last_start_time: str | None = None
    live_meeting_start: str | None = None


def parse_dashboard_row(item: Mapping[str, Any]) -> DashboardRow:
    issues = item.get("issues")
    live = item.get("live_meeting")
    live_start = live.get("start_time") if isinstance(live, Mapping) else None
    health = item.get("health")
    return DashboardRow(
        room_id=_id(item.get("id")),
        health=str(health).strip() if health is not None else None,
        issues=tuple(clean(i, ISSUE_LIMIT) for i in issues if isinstance(i, str) and i.strip())
        if isinstance(issues, list)
        else (),
        status=_text(item.get("status"), 40),
        camera=_text(item.get("camera")),
        microphone=_text(item.get("microphone")),
        speaker=_text(item.get("speaker")),
        last_start_time=_text(item.get("last_start_time"), 40),
        live_meeting_start=_text(live_start, 40),
    )


@dataclass(frozen=True, slots=True)
class IssueEvent:
    """One item of a room's Dashboard issue history (``/metrics/issues/zoomrooms/{id}``)."""

    issue: str
    time: str


def parse_issue_event(item: Mapping[str, Any]) -> IssueEvent:
    return IssueEvent(issue=clean(item.get("issue") or "", ISSUE_LIMIT), time=str(item.get("time") or ""))


def parse_location(item: Mapping[str, Any]) -> RawLocation | None:
    """A ``/rooms/locations`` item, or None without an id. A top-level location's parent is ``""``, null
    or absent (all mean none); a missing name shows as the id."""
    location_id = str(item.get("id") or "").strip()
    if not location_id:
        return None
    parent = str(item.get("parent_location_id") or "").strip()
    return RawLocation(
        id=location_id,
        name=clean(str(item.get("name") or "").strip(), NAME_LIMIT) or location_id,
        type=str(item.get("type") or "").strip(),
        parent_id=parent or None,
    )
