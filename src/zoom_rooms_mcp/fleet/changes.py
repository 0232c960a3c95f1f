"""Changes become events: compare what was known with what Zoom says now (pure, no I/O).

Kinds (shared with the webhook events, see ``webhooks``):
``room_offline`` / ``room_online`` / ``room_added`` / ``room_removed`` / ``room_moved``,
``device_disconnected`` / ``device_connected``, ``issue_raised`` / ``issue_cleared``.
Severity: a room or its computer going offline is critical; other losses are warnings; recoveries and
inventory changes are info. Available ↔ InMeeting is normal use, not an event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from zoom_rooms_mcp.store.api import NewEvent, Severity
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, Room

COMPUTER = "Zoom Rooms Computer"
_ONLINE_STATES = frozenset({"Available", "InMeeting"})


def _event(
    room: Room, kind: str, severity: Severity, message: str, at: float, detail: str = "", *, source: str = "sync"
) -> NewEvent:
    return NewEvent(
        time=at,
        room_id=room.id,
        room_name=room.name,
        location_id=room.location_id,
        kind=kind,
        severity=severity,
        message=message,
        source="webhook" if source == "webhook" else "sync",
        dedupe_key=f"{source}:{kind}:{room.id}:{detail}:{at:.3f}",
    )


def room_events(
    old: Mapping[str, Room], new: Mapping[str, Room], at: float, paths: Mapping[str, str] | None = None
) -> list[NewEvent]:
    """Status changes, rooms added, removed and moved between two complete listings."""
    paths = paths or {}
    events: list[NewEvent] = []
    for room_id, room in new.items():
        before = old.get(room_id)
        if before is None:
            events.append(_event(room, "room_added", "info", "Room added to the fleet", at))
            continue
        if room.status != before.status:
            if room.status == "Offline":
                events.append(_event(room, "room_offline", "critical", f"Room went offline (was {before.status})", at))
            elif before.status == "Offline" and room.status in _ONLINE_STATES:
                events.append(_event(room, "room_online", "info", f"Room is back online ({room.status})", at))
            elif "UnderConstruction" in (room.status, before.status):
                events.append(
                    _event(room, "room_status", "info", f"Room status {before.status} → {room.status}", at, room.status)
                )
        if room.location_id != before.location_id:
            where = paths.get(room.location_id or "") or room.location_id or "no location"
            events.append(_event(room, "room_moved", "info", f"Room moved to {where}", at, room.location_id or ""))
    for room_id, before in old.items():
        if room_id not in new:
            events.append(_event(before, "room_removed", "warning", "Room removed from the fleet", at))
    return events


def _device_key(device: Device, index: int) -> str:
    return device.device_id or f"{device.device_type}#{index}"


def device_events(room: Room, old: Sequence[Device] | None, new: Sequence[Device], at: float) -> list[NewEvent]:
    """A device that went offline or came back (compared with the room's previous reading)."""
    if old is None:
        return []  # first reading: nothing to compare with
    before = {_device_key(d, i): d for i, d in enumerate(old)}
    events: list[NewEvent] = []
    for index, device in enumerate(new):
        key = _device_key(device, index)
        previous = before.get(key)
        if previous is None or previous.status == device.status:
            continue
        if device.status == "Offline":
            severity: Severity = "critical" if device.device_type == COMPUTER else "warning"
            events.append(_event(room, "device_disconnected", severity, f"{device.device_type} went offline", at, key))
        elif previous.status == "Offline":
            events.append(_event(room, "device_connected", "info", f"{device.device_type} is back online", at, key))
    return events


def dashboard_events(room: Room, old: DashboardRow | None, new: DashboardRow | None, at: float) -> list[NewEvent]:
    """Dashboard issues raised or cleared since the room's previous Dashboard reading."""
    if old is None:
        return []
    was = set(old.issues)
    now = set(new.issues) if new is not None else set()
    events = [
        _event(
            room,
            "issue_raised",
            "critical" if issue.lower() == "zoom room is offline" else "warning",
            f"Dashboard issue: {issue}",
            at,
            issue,
        )
        for issue in sorted(now - was)
    ]
    events.extend(
        _event(room, "issue_cleared", "info", f"Dashboard issue cleared: {issue}", at, issue)
        for issue in sorted(was - now)
    )
    return events
