"""get_zoom_sites and resolve_location over the generated hierarchy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.harness import call, call_error
from tests.tools.fleet_truth import location, path, rooms_under
from zoom_rooms_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

MUNICH = "Germany > Bayern > München > Munich Campus"


async def test_whole_tree_in_order_with_counts(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        result = await call(client, "get_zoom_sites", {"limit": 500})
    locations = result["locations"]
    assert result["total_count"] == len(sim.fleet.locations) == len(locations)
    assert result["structure"] == ["country", "states", "city", "campus", "building", "floor"]
    assert result["next_cursor"] is None
    by_id = {loc["id"]: loc for loc in locations}
    seen: set[str] = set()
    for loc in locations:  # tree order: every parent comes before its children
        if loc["parent_id"]:
            assert loc["parent_id"] in seen
            assert loc["depth"] == by_id[loc["parent_id"]]["depth"] + 1
        seen.add(loc["id"])
        assert loc["path"] == path(sim.fleet, loc["id"])
        truth = sum(1 for r in sim.fleet.rooms if r.location_id in sim.fleet.descendants(loc["id"]))
        assert loc["room_count"] == truth
    assert sum(loc["room_count"] for loc in locations if loc["depth"] == 0) == len(sim.fleet.rooms)


async def test_subtree_and_paging(connect: Callable[..., Any], sim: Simulator) -> None:
    munich = location(sim.fleet, MUNICH)
    async with connect(sim) as client:
        first = await call(client, "get_zoom_sites", {"query": "munich campus", "limit": 3})
        rest = await call(
            client, "get_zoom_sites", {"query": "munich campus", "limit": 500, "cursor": first["next_cursor"]}
        )
    ids = [loc["id"] for loc in first["locations"] + rest["locations"]]
    assert set(ids) == sim.fleet.descendants(munich.id)
    assert first["locations"][0]["path"] == MUNICH
    assert first["locations"][0]["room_count"] == len(rooms_under(sim.fleet, MUNICH))
    assert first["resolution"]["status"] == "exact"
    assert first["total_count"] == len(ids)


async def test_sites_for_an_ambiguous_query(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        result = await call(client, "get_zoom_sites", {"query": "Floor 3"})
    assert result["locations"] == []
    assert result["resolution"]["status"] == "ambiguous"


@pytest.mark.parametrize(
    ("query", "status", "where"),
    [
        ("Munchen", "exact", "Germany > Bayern > München"),
        ("Denvr", "fuzzy", "United States > Colorado > Denver"),
        ("SEA / B2 / L3", "exact", "United States > Washington > Seattle > Lake Union Campus > Building 2 > Floor 3"),
    ],
)
async def test_resolve_location(
    connect: Callable[..., Any], sim: Simulator, query: str, status: str, where: str
) -> None:
    async with connect(sim) as client:
        result = await call(client, "resolve_location", {"query": query})
    assert result["status"] == status
    assert [loc["path"] for loc in result["locations"]] == [where]


async def test_resolve_by_id_and_nonsense(connect: Callable[..., Any], sim: Simulator) -> None:
    munich = location(sim.fleet, MUNICH)
    async with connect(sim) as client:
        by_id = await call(client, "resolve_location", {"query": munich.id})
        nothing = await call(client, "resolve_location", {"query": "Atlantis"})
        blank = await call_error(client, "resolve_location", {"query": "   "})
    assert by_id["status"] == "exact"
    assert by_id["locations"][0]["id"] == munich.id
    assert nothing["status"] == "none"
    assert nothing["locations"] == []
    assert "empty" in blank


async def test_status_counts_per_city(connect: Callable[..., Any], sim: Simulator) -> None:
    """Issue 13 item 2: rooms and offline rooms per city in one call."""
    async with connect(sim) as client:
        result = await call(client, "get_zoom_sites", {"level": "city"})
        bad = await call_error(client, "get_zoom_sites", {"level": "floor", "query": "Atlantis", "limit": 0})
    assert {loc["type"] for loc in result["locations"]} == {"country", "states", "city"}
    for loc in result["locations"]:
        rooms = [r for r in sim.fleet.rooms if r.location_id in sim.fleet.descendants(loc["id"])]
        expected = {
            s: n
            for s in ("Available", "InMeeting", "Offline", "UnderConstruction")
            if (n := sum(r.status == s for r in rooms))
        }
        assert loc["status_counts"] == expected, loc["path"]
        assert loc["room_count"] == len(rooms)
    assert "`limit`" in bad
