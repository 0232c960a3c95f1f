"""Dashboard endpoints (``/metrics/...zoomrooms...``): room health and issues (REFERENCE §7).

These take the dashboard id (``room_id``). Dashboard ``status`` strings are "Available", "In Meeting",
"Offline", "Under Construction" and ``health`` is "", "warning" or "critical" (simulator choices; Zoom does not
enumerate them; the health spelling is a variant). An idle room's detail has no ``live_meeting`` key (or ``{}``
under the ``idle_live_meeting="empty"`` variant). Issue counts cover every alert-log entry in
the date range, recoveries ("... connected") included, as Zoom lists those among issue names.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from .activity import live_meeting, past_meetings
from .errors import room_not_found
from .model import Fleet, SimIssue, SimRoom
from .params import ApiCall, Handler
from .variants import Variants

TOP = 25


def _room(call: ApiCall) -> SimRoom:
    room = call.fleet.room_by_dashboard_id(call.params[0])
    if room is None:
        raise room_not_found(call.params[0])
    return room


def _summary(room: SimRoom, fleet: Fleet, variants: Variants) -> dict[str, Any]:
    computer = room.device("Zoom Rooms Computer")
    location = fleet.location(room.location_id)
    return {
        "id": room.room_id,
        "room_name": room.name,
        "calender_name": room.calendar_name,  # sic: Zoom's field name
        "email": room.email,
        "account_type": "Work Email",
        "status": room.dashboard_status,
        "health": variants.health(room.health),
        "issues": list(room.issues),
        "device_ip": f"Computer : {computer.ip_address}" if computer else "",
        "camera": room.camera,
        "microphone": room.microphone,
        "speaker": room.speaker,
        "last_start_time": room.last_start_time,
        "location": location.name if location else "",
    }


def _in_range(room: SimRoom, start: date, end: date) -> list[SimIssue]:
    first, last = start.isoformat(), end.isoformat()
    return [entry for entry in room.issue_history if first <= entry.time[:10] <= last]


def list_rooms(call: ApiCall) -> dict[str, Any]:
    rooms = call.fleet.rooms
    window = call.window(len(rooms), page_numbers=True)
    return {
        "next_page_token": window.next_page_token,
        "page_count": window.page_count,
        "page_number": window.page_number,
        "page_size": window.page_size,
        "total_records": len(rooms),
        "zoom_rooms": [
            {**_summary(room, call.fleet, call.variants), "location_id": room.location_id}
            for room in rooms[window.start : window.stop]
        ],
    }


def room_detail(call: ApiCall) -> dict[str, Any]:
    room = _room(call)
    start, end = call.date_range()
    body = _summary(room, call.fleet, call.variants)
    live = live_meeting(room, call.now)
    if live is not None:
        body["live_meeting"] = live
    elif call.variants.idle_live_meeting == "empty":
        body["live_meeting"] = {}
    meetings = past_meetings(room, start, end, call.now)
    window = call.window(len(meetings))
    body["past_meetings"] = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "next_page_token": window.next_page_token,
        "page_count": window.page_count,
        "page_size": window.page_size,
        "total_records": len(meetings),
        "meetings": meetings[window.start : window.stop],
    }
    return body


def top_issues(call: ApiCall) -> dict[str, Any]:
    start, end = call.date_range()
    rooms_per_issue: Counter[str] = Counter()
    for room in call.fleet.rooms:
        rooms_per_issue.update({entry.issue for entry in _in_range(room, start, end)})
    ranked = sorted(rooms_per_issue.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total_records": len(ranked),
        "issues": [{"issue_name": name, "zoom_rooms_count": count} for name, count in ranked],
    }


def rooms_with_issues(call: ApiCall) -> dict[str, Any]:
    start, end = call.date_range()
    counted = [(len(_in_range(room, start, end)), room) for room in call.fleet.rooms]
    ranked = sorted((item for item in counted if item[0]), key=lambda item: (-item[0], item[1].name))[:TOP]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total_records": len(ranked),
        "zoom_rooms": [{"id": room.room_id, "room_name": room.name, "issues_count": n} for n, room in ranked],
    }


def room_issues(call: ApiCall) -> dict[str, Any]:
    room = _room(call)
    start, end = call.date_range()
    entries = _in_range(room, start, end)
    window = call.window(len(entries))
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "next_page_token": window.next_page_token,
        "page_count": window.page_count,
        "page_size": window.page_size,
        "total_records": len(entries),
        "issue_details": [{"issue": e.issue, "time": e.time} for e in entries[window.start : window.stop]],
    }


HANDLERS: dict[str, Handler] = {
    "dashboard_rooms": list_rooms,
    "dashboard_room": room_detail,
    "dashboard_top_issues": top_issues,
    "dashboard_rooms_with_issues": rooms_with_issues,
    "dashboard_room_issues": room_issues,
}
