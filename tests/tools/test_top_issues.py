"""get_top_issues against the simulator's issue log: the whole fleet from Zoom's rankings, a location from
each room's history, recoveries apart, Zoom's top-25 cap and the per-call bound said in notes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.eval.truth import FIXED_NOW, ZOOM_TOP, clock_from, issue_truth, most_problems, window
from tests.harness import call, call_error, simulator
from tests.tools.fleet_truth import rooms_under, seattle
from zoom_rooms_mcp.simulator import DEFAULT_SCOPES, Simulator
from zoom_rooms_mcp.tools import top_issues
from zoom_rooms_mcp.tools.registry import BY_NAME
from zoom_rooms_mcp.tools.top_issues import is_recovery

pytestmark = pytest.mark.anyio

NOW = FIXED_NOW.timestamp()


@pytest.fixture(scope="module")
def fixed_sim() -> Simulator:
    """The demo fleet generated at FIXED_NOW, so a date window holds the same events on every run."""
    return simulator(clock=clock_from())


def fixed() -> float:
    return NOW


def test_recoveries_are_told_from_problems() -> None:
    recoveries = [
        "Room Controller connected",
        "Selected camera is reconnected",
        "Zoom room is online",
        "Controller battery is normal",
        "Zoom Rooms Computer connected",
        "Scheduling Display connected",
    ]
    problems = [
        "Room Controller disconnected",
        "Selected camera has disconnected",
        "Zoom room is offline",
        "Controller battery is low",
        "Controller is not charging",
        "High CPU usage is detected",
        "Untrusted certificate is detected",
    ]
    assert all(is_recovery(name) for name in recoveries)
    assert not any(is_recovery(name) for name in problems)


def _rows(answer: dict[str, Any]) -> dict[str, tuple[int, int | None, str | None]]:
    return {r["id"]: (r["issues"], r["recoveries"], r["top_issue"]) for r in answer["by_room"]}


async def test_whole_fleet_from_zoom_rankings(connect: Callable[..., Any], fixed_sim: Simulator) -> None:
    async with connect(fixed_sim, clock=fixed) as client:
        answer = await call(client, "get_top_issues", {})
    truth = issue_truth(fixed_sim.fleet, 7)
    start, end = window(7)
    assert (answer["from"], answer["to"]) == (start.isoformat(), end.isoformat())
    assert answer["source"] == "dashboard_ranking"
    assert [(i["issue"], i["rooms"]) for i in answer["by_issue"]] == truth.by_issue
    assert [(i["issue"], i["rooms"]) for i in answer["recoveries"]] == truth.recoveries
    assert not any(is_recovery(i["issue"]) for i in answer["by_issue"])
    # Zoom ranks rooms by all events; the tool counts each ranked room's problems apart from its recoveries.
    expected = most_problems(truth, truth.zoom_ranked)
    assert [(r["id"], r["issues"]) for r in answer["by_room"]] == sorted(
        expected,
        key=lambda row: (-row[1], fixed_sim.fleet.room(row[0]).name.casefold()),  # type: ignore[union-attr]
    )
    for room_id, (issues, recoveries, top) in _rows(answer).items():
        want = truth.rooms[room_id]
        assert (issues, recoveries, top) == (want.problems, want.recoveries, want.top_issue), room_id
    names = {room.id: room.name for room in fixed_sim.fleet.rooms}
    assert all(r["name"] == names[r["id"]] for r in answer["by_room"])  # Rooms API ids, never dashboard ids
    assert len(truth.rooms) > ZOOM_TOP
    assert any("top 25 rooms" in note for note in answer["notes"])
    assert answer["freshness"]["dashboard_as_of"] == "2026-01-19T12:00:00Z"
    hits = fixed_sim.stats.by_endpoint
    assert hits["dashboard_top_issues"] == hits["dashboard_rooms_with_issues"] == 1
    assert hits["dashboard_room_issues"] <= ZOOM_TOP
    assert set(hits) - {"token"} <= BY_NAME["get_top_issues"].endpoints


async def test_a_location_from_each_rooms_history(connect: Callable[..., Any], fixed_sim: Simulator) -> None:
    rooms = rooms_under(fixed_sim.fleet, seattle(fixed_sim.fleet))
    async with connect(fixed_sim, clock=fixed) as client:
        answer = await call(client, "get_top_issues", {"location_query": "Seattle", "days": 30, "limit": 100})
        reads = fixed_sim.stats.by_endpoint["dashboard_room_issues"]
        again = await call(client, "get_top_issues", {"location_query": "Seattle", "days": 30, "limit": 100})
    truth = issue_truth(fixed_sim.fleet, 30, rooms)
    assert answer["source"] == "issue_histories"
    assert answer["resolution"]["status"] == "exact"
    assert [(i["issue"], i["rooms"]) for i in answer["by_issue"]] == truth.by_issue
    assert [(i["issue"], i["rooms"]) for i in answer["recoveries"]] == truth.recoveries
    assert sorted((r["id"], r["issues"]) for r in answer["by_room"]) == sorted(most_problems(truth))
    assert [r["issues"] for r in answer["by_room"]] == sorted((r["issues"] for r in answer["by_room"]), reverse=True)
    for room_id, (issues, recoveries, top) in _rows(answer).items():
        want = truth.rooms[room_id]
        assert (issues, recoveries, top) == (want.problems, want.recoveries, want.top_issue), room_id
    assert answer["rooms_with_problems"] == len(most_problems(truth))
    assert answer["notes"] == []
    assert reads == sum(1 for r in rooms if r.status != "UnderConstruction")
    # Histories are cached by the service: the same question again reads nothing more.
    assert fixed_sim.stats.by_endpoint["dashboard_room_issues"] == reads
    assert again == answer


async def test_limit_cuts_both_lists(connect: Callable[..., Any], fixed_sim: Simulator) -> None:
    async with connect(fixed_sim, clock=fixed) as client:
        answer = await call(client, "get_top_issues", {"location_query": "Seattle", "days": 30, "limit": 2})
    assert len(answer["by_issue"]) == len(answer["by_room"]) == 2
    assert answer["rooms_with_problems"] > 2


async def test_a_large_location_reads_a_bounded_number_of_histories(
    connect: Callable[..., Any], fixed_sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(top_issues, "HISTORY_BOUND", 5)
    truth = issue_truth(fixed_sim.fleet, 7)
    async with connect(fixed_sim, clock=fixed) as client:
        answer = await call(client, "get_top_issues", {"location_query": "United States"})
    assert fixed_sim.stats.by_endpoint["dashboard_room_issues"] == 5
    assert any("reads the issue history of 5" in note for note in answer["notes"])
    # Zoom's fleet-wide top rooms in scope are read first.
    us = {r.id for r in rooms_under(fixed_sim.fleet, "United States")}
    ranked_here = [room_id for room_id in truth.zoom_ranked if room_id in us]
    assert len(ranked_here) >= 5
    assert {r["id"] for r in answer["by_room"]} <= set(ranked_here)


async def test_unresolved_location_returns_its_resolution(connect: Callable[..., Any], fixed_sim: Simulator) -> None:
    async with connect(fixed_sim, clock=fixed) as client:
        answer = await call(client, "get_top_issues", {"location_query": "Atlantis"})
    assert answer["resolution"]["status"] == "none"
    assert answer["by_room"] == answer["by_issue"] == []
    assert "No location matches 'Atlantis'" in answer["notes"][0]
    assert "dashboard_room_issues" not in fixed_sim.stats.by_endpoint


async def test_argument_bounds(connect: Callable[..., Any], fixed_sim: Simulator) -> None:
    async with connect(fixed_sim, clock=fixed) as client:
        too_long = await call_error(client, "get_top_issues", {"days": 31})
        too_many = await call_error(client, "get_top_issues", {"limit": 101})
    assert "`days`" in too_long
    assert "`limit`" in too_many


async def test_missing_dashboard_scope_is_a_clear_error(connect: Callable[..., Any]) -> None:
    rooms_only = simulator(scopes=[s for s in DEFAULT_SCOPES if not s.startswith("dashboard")])
    async with connect(rooms_only) as client:
        fleet = await call_error(client, "get_top_issues", {})
        place = await call_error(client, "get_top_issues", {"location_query": "Seattle"})
    for text in (fleet, place):
        assert "Dashboard scope the app lacks" in text
        assert "dashboard" in text.split("lacks:")[1]


async def test_plan_without_dashboard_is_a_clear_error(connect: Callable[..., Any]) -> None:
    pro = simulator(plan="pro")
    async with connect(pro) as client:
        text = await call_error(client, "get_top_issues", {"location_query": "Seattle"})
    assert "needs the Zoom Dashboard" in text
    assert "Business" in text
