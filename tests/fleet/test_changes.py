"""What the sync turns into events: status changes, inventory changes, devices and Dashboard issues."""

from __future__ import annotations

from zoom_rooms_mcp.fleet.changes import dashboard_events, device_events, room_events
from zoom_rooms_mcp.store.api import NewEvent
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, Room


def room(room_id: str = "r1", status: str = "Available", location: str | None = "f1") -> Room:
    return Room(id=room_id, room_id="d" + room_id, name=f"Room {room_id}", status=status, location_id=location)


def kinds(events: list[NewEvent]) -> list[tuple[str, str, str | None]]:
    return [(e.kind, e.severity, e.room_id) for e in events]


def test_status_changes_that_matter_and_not_normal_use() -> None:
    old = {"r1": room("r1"), "r2": room("r2", "Offline"), "r3": room("r3", "Available")}
    new = {"r1": room("r1", "Offline"), "r2": room("r2", "InMeeting"), "r3": room("r3", "InMeeting")}
    assert kinds(room_events(old, new, 100.0)) == [
        ("room_offline", "critical", "r1"),
        ("room_online", "info", "r2"),
    ]


def test_rooms_added_removed_and_moved_with_the_new_path() -> None:
    old = {"r1": room("r1"), "r2": room("r2")}
    new = {"r1": room("r1", location="f2"), "r3": room("r3")}
    events = room_events(old, new, 5.0, {"f2": "US > Denver > Floor 2"})
    assert kinds(events) == [
        ("room_moved", "info", "r1"),
        ("room_added", "info", "r3"),
        ("room_removed", "warning", "r2"),
    ]
    assert events[0].message == "Room moved to US > Denver > Floor 2"
    assert all(e.source == "sync" and e.time == 5.0 for e in events)


def test_dedupe_keys_differ_per_observation_and_repeat_for_the_same_one() -> None:
    old, new = {"r1": room("r1")}, {"r1": room("r1", "Offline")}
    first, again, later = room_events(old, new, 1.0), room_events(old, new, 1.0), room_events(old, new, 2.0)
    assert first[0].dedupe_key == again[0].dedupe_key != later[0].dedupe_key


def test_devices_going_offline_and_back() -> None:
    before = (Device("Zoom Rooms Computer", "Online", device_id="c"), Device("Controller", "Offline", device_id="t"))
    after = (Device("Zoom Rooms Computer", "Offline", device_id="c"), Device("Controller", "Online", device_id="t"))
    assert kinds(device_events(room(), before, after, 3.0)) == [
        ("device_disconnected", "critical", "r1"),
        ("device_connected", "info", "r1"),
    ]
    assert device_events(room(), None, after, 3.0) == []  # a first reading has nothing to compare with


def test_dashboard_issues_raised_and_cleared() -> None:
    old = DashboardRow(room_id="d1", health="warning", issues=("Selected camera has disconnected",))
    new = DashboardRow(room_id="d1", health="critical", issues=("Zoom room is offline",))
    assert [(e.kind, e.severity, e.message) for e in dashboard_events(room(), old, new, 9.0)] == [
        ("issue_raised", "critical", "Dashboard issue: Zoom room is offline"),
        ("issue_cleared", "info", "Dashboard issue cleared: Selected camera has disconnected"),
    ]
    assert [e.kind for e in dashboard_events(room(), old, None, 9.0)] == ["issue_cleared"]
