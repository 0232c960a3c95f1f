"""get_fleet_health and get_room_issues: sources, progress, plans and scopes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness import call, call_error, simulator
from tests.tools.fleet_truth import rooms_under
from zoom_rooms_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

MUNICH = "Germany > Bayern > München > Munich Campus"


async def test_health_report_for_munich(connect: Callable[..., Any], sim: Simulator) -> None:
    rooms = rooms_under(sim.fleet, MUNICH)
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    async with connect(sim) as client:
        report = await call(
            client, "get_fleet_health", {"location_query": "Munich campus"}, progress_callback=on_progress
        )
    assert report["summary"]["total_rooms"] == len(rooms)
    assert report["summary"]["by_status"] == dict(Counter(r.status for r in rooms))
    assert report["sources"] == ["rooms", "devices", "dashboard"]
    assert report["resolution"]["locations"][0]["path"] == MUNICH
    problem_ids = {p["id"] for p in report["problem_rooms"]}
    # Every room the simulator made unhealthy is reported; offline rooms are critical and come first.
    assert {r.id for r in rooms if r.status == "Offline" or r.health in ("warning", "critical")} <= problem_ids
    severities = [p["health"] for p in report["problem_rooms"]]
    assert severities == sorted(severities, key=lambda h: h != "critical")
    for p in report["problem_rooms"]:
        assert p["problems"]
        assert p["location_path"].startswith(MUNICH)
    active = sum(r.status != "UnderConstruction" for r in rooms)
    assert progress[0][:2] == (0, active)
    assert progress[-1][:2] == (active, active)
    assert sim.stats.rate_limited == 0


async def test_health_without_devices_and_on_the_pro_plan(connect: Callable[..., Any]) -> None:
    pro = simulator(plan="pro")
    async with connect(pro) as client:
        report = await call(client, "get_fleet_health", {"location_query": "Seattle", "include_devices": False})
    assert report["sources"] == ["rooms"]
    assert any("Business" in note for note in report["notes"])
    offline = {r.id for r in rooms_under(pro.fleet, "United States > Washington > Seattle") if r.status == "Offline"}
    assert {p["id"] for p in report["problem_rooms"] if p["health"] == "critical"} == offline
    assert pro.stats.by_endpoint.get("list_devices", 0) == 0


async def test_health_notes_missing_device_scope(connect: Callable[..., Any]) -> None:
    limited = simulator(
        scopes=[
            "room:read:admin".replace("room:read:admin", "zoom_rooms:read:list_rooms:admin"),
            "zoom_rooms:read:list_locations:admin",
            "dashboard_zr:read:admin",
        ]
    )
    async with connect(limited) as client:
        report = await call(client, "get_fleet_health", {"location_query": "Denver"})
    assert "devices" not in report["sources"]
    assert any("zoom_rooms:read:list_devices:admin" in note for note in report["notes"])


async def test_health_pages_through_problem_rooms(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        first = await call(client, "get_fleet_health", {"limit": 3})
        second = await call(client, "get_fleet_health", {"limit": 3, "cursor": first["next_cursor"]})
    assert first["summary"] == second["summary"]
    assert not {p["id"] for p in first["problem_rooms"]} & {p["id"] for p in second["problem_rooms"]}
    assert first["summary"]["total_rooms"] == len(sim.fleet.rooms)


async def test_room_issue_history(connect: Callable[..., Any], sim: Simulator) -> None:
    """The dates come from the server's clock (injected): one second before midnight UTC, the window is the
    seven days ending that day, whatever the machine's date."""
    room = max(sim.fleet.rooms, key=lambda r: len(r.issue_history))
    newest = datetime.fromisoformat(room.issue_history[0].time.replace("Z", "+00:00"))
    today = newest.date()
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC).timestamp() - 1
    since = (today - timedelta(days=6)).isoformat()
    expected = [e for e in room.issue_history if since <= e.time[:10] <= today.isoformat()]
    async with connect(sim, clock=lambda: midnight) as client:
        result = await call(client, "get_room_issues", {"room": room.name, "days": 7, "limit": 500})
    assert result["room"]["id"] == room.id
    assert result["total_count"] == len(expected) > 0
    assert [e["issue"] for e in result["issues"]] == [
        e.issue for e in sorted(expected, key=lambda e: e.time, reverse=True)
    ]
    assert (result["from"], result["to"]) == (since, today.isoformat())


async def test_room_issues_needs_the_dashboard(connect: Callable[..., Any]) -> None:
    pro = simulator(plan="pro")
    no_scope = simulator(scopes=["room:read:admin"])
    async with connect(pro) as client:
        plan_text = await call_error(client, "get_room_issues", {"room": "Everest"})
    async with connect(no_scope) as client:
        scope_text = await call_error(client, "get_room_issues", {"room": "Everest"})
    assert "Business" in plan_text
    assert "dashboard:read:issues_zoomroom:admin" in scope_text
    assert "dashboard_home:read:admin" in scope_text


async def test_whole_fleet_health_on_a_large_fleet_skips_the_slow_dashboard_list(connect: Callable[..., Any]) -> None:
    big = simulator(rooms=3_100, seed=9)  # 11 pages of /metrics/zoomrooms at 20 requests per minute
    async with connect(big) as client:
        report = await call(client, "get_fleet_health", {"include_devices": False})
    assert report["summary"]["total_rooms"] == 3_100
    assert report["sources"] == ["rooms"]
    assert any("11 Dashboard requests" in note for note in report["notes"])
    assert big.stats.by_endpoint.get("dashboard_rooms", 0) == 0
    # With room status as the only source, the problems are exactly the offline rooms.
    assert report["summary"]["rooms_with_problems"] == sum(r.status == "Offline" for r in big.fleet.rooms)
    assert all(p["status"] == "Offline" for p in report["problem_rooms"])


async def test_site_health_above_100_rooms_uses_the_dashboard_list(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        report = await call(client, "get_fleet_health", {"include_devices": False})  # 150 rooms: one list page
    assert report["sources"] == ["rooms", "dashboard"]
    assert sim.stats.by_endpoint["dashboard_rooms"] == 1
    assert sim.stats.by_endpoint.get("dashboard_room", 0) == 0


async def test_warm_issue_history_makes_no_upstream_request(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        await call(client, "get_zoom_rooms", {"limit": 1})  # the fleet listed: the name needs no request
        first = await call(client, "get_room_issues", {"room": "Denali"})
        before = sim.stats.total_requests
        again = await call(client, "get_room_issues", {"room": "Denali"})
    assert again == first
    assert sim.stats.total_requests == before


async def test_rooms_nobody_checked_are_unknown(connect: Callable[..., Any]) -> None:
    """Issue 10 item 8: without devices and without a dashboard, only offline rooms have a verdict."""
    pro = simulator(plan="pro")
    rooms = rooms_under(pro.fleet, "United States > Washington > Seattle")
    async with connect(pro) as client:
        report = await call(client, "get_fleet_health", {"location_query": "Seattle", "include_devices": False})
    offline = sum(r.status == "Offline" for r in rooms)
    assert report["summary"]["by_health"] == {"critical": offline, "unknown": len(rooms) - offline}


async def test_one_kind_of_problem(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        offline = await call(client, "get_fleet_health", {"problem": "offline", "include_devices": False, "limit": 500})
        device = await call(client, "get_fleet_health", {"location_query": "Munich campus", "problem": "device"})
    assert {p["id"] for p in offline["problem_rooms"]} == {r.id for r in sim.fleet.rooms if r.status == "Offline"}
    assert all(p["room_type"] for p in offline["problem_rooms"])
    assert all(
        any(" is offline" in text and not text.startswith("Room") for text in p["problems"])
        for p in device["problem_rooms"]
    )


async def test_one_rooms_dashboard_failure_drops_only_that_room(connect: Callable[..., Any], sim: Simulator) -> None:
    """Issue 10 item 1: a 500 for one room's Dashboard row keeps every other room's Dashboard data, and the
    report names the room that failed (it was one failing gather before, and the whole Dashboard went)."""
    rooms = [r for r in rooms_under(sim.fleet, MUNICH) if r.status != "UnderConstruction"]
    broken = next(r for r in rooms if r.issues)
    async with connect(sim) as client:
        sim.faults.add("status", f"/v2/metrics/zoomrooms/{broken.room_id}", status=500, times=None)
        report = await call(client, "get_fleet_health", {"location_query": "Munich campus"})
        sim.faults.clear()
    assert "dashboard" in report["sources"]
    assert report["coverage"]["dashboard_checked"] == len(rooms) - 1
    assert any(broken.name in note and "Dashboard" in note for note in report["notes"]), report["notes"]
    others = {p["id"]: p for p in report["problem_rooms"]}
    with_issues = [r for r in rooms if r.id != broken.id and r.issues and r.status != "Offline"]
    assert with_issues
    for room in with_issues:  # their Dashboard issues are still reported
        assert any("Dashboard" in problem for problem in others[room.id]["problems"]), others.get(room.id)
