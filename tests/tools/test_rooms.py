"""get_zoom_rooms and get_room_details against the simulator's ground truth."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.harness import call, call_error, simulator
from tests.tools.fleet_truth import path, rooms_under
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.zoom.records import ROOM_TYPES

pytestmark = pytest.mark.anyio


def listing_pages(sim: Simulator) -> int:
    """Requests of one whole listing: the fleet is listed type by type (so every row knows its type)."""
    counts = Counter(r.zoom_room_type for r in sim.fleet.rooms)
    return sum(max(1, math.ceil(counts.get(kind, 0) / 300)) for kind in ROOM_TYPES)


SEATTLE = "United States > Washington > Seattle"
SEATTLE_B2F3 = "United States > Washington > Seattle > Lake Union Campus > Building 2 > Floor 3"
DENVER_B2F3 = "United States > Colorado > Denver > Tech Center Campus > Building 2 > Floor 3"


async def test_offline_rooms_in_seattle(connect: Callable[..., Any], sim: Simulator) -> None:
    expected = {r.id for r in rooms_under(sim.fleet, SEATTLE) if r.status == "Offline"}
    assert expected, "the demo fleet should have offline rooms in Seattle"
    async with connect(sim) as client:
        result = await call(client, "get_zoom_rooms", {"location_query": "Seattle", "status": "Offline"})
    assert {r["id"] for r in result["rooms"]} == expected
    assert result["total_count"] == len(expected)
    assert result["status_counts"] == {"Offline": len(expected)}
    in_scope = Counter(r.status for r in rooms_under(sim.fleet, SEATTLE))
    assert result["status_counts_in_scope"] == dict(in_scope)
    assert result["resolution"]["status"] == "exact"
    assert result["resolution"]["locations"][0]["path"] == SEATTLE
    assert all(r["location_path"].startswith(SEATTLE + " > ") for r in result["rooms"])
    assert result["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("floor 3 of building 2 in Denver", DENVER_B2F3),
        ("Bldg 2, 3rd floor, Denver", DENVER_B2F3),
        ("seattle building 2 floor 3", SEATTLE_B2F3),
    ],
)
async def test_rooms_on_a_floor(connect: Callable[..., Any], sim: Simulator, query: str, where: str) -> None:
    expected = {r.id for r in rooms_under(sim.fleet, where)}
    async with connect(sim) as client:
        result = await call(client, "get_zoom_rooms", {"location_query": query})
    assert {r["id"] for r in result["rooms"]} == expected
    assert result["resolution"]["locations"][0]["path"] == where


async def test_ambiguous_location_returns_candidates_and_no_rooms(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        result = await call(client, "get_zoom_rooms", {"location_query": "Building 2"})
    assert result["rooms"] == []
    assert result["total_count"] == 0
    assert result["resolution"]["status"] == "ambiguous"
    paths = {c["path"] for c in result["resolution"]["candidates"]}
    assert {
        SEATTLE + " > Lake Union Campus > Building 2",
        "United States > Colorado > Denver > Tech Center Campus > Building 2",
    } <= paths
    assert "several places" in result["message"]


async def test_unknown_location(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        result = await call(client, "get_zoom_rooms", {"location_query": "Atlantis"})
    assert result["rooms"] == []
    assert result["resolution"]["status"] == "none"


async def test_pagination_covers_every_room_exactly_once(connect: Callable[..., Any], sim: Simulator) -> None:
    seen: list[str] = []
    async with connect(sim) as client:
        args: dict[str, Any] = {"limit": 40}
        while True:
            page = await call(client, "get_zoom_rooms", args)
            assert page["total_count"] == len(sim.fleet.rooms)
            seen.extend(r["id"] for r in page["rooms"])
            if page["next_cursor"] is None:
                break
            args["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(r.id for r in sim.fleet.rooms)


async def test_bad_and_foreign_cursors_are_explained(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        page = await call(client, "get_zoom_rooms", {"limit": 5})
        foreign = await call_error(
            client, "get_zoom_rooms", {"limit": 5, "status": "Offline", "cursor": page["next_cursor"]}
        )
        garbage = await call_error(client, "get_zoom_rooms", {"cursor": "not-a-cursor"})
    assert "different arguments" in foreign
    assert "not valid" in garbage


async def test_name_and_type_filters(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        by_name = await call(client, "get_zoom_rooms", {"name_query": "EVEREST"})
        kiosks = await call(client, "get_zoom_rooms", {"room_type": "kiosk", "limit": 500})
        bad_type = await call_error(client, "get_zoom_rooms", {"room_type": "Spaceship"})
        bad_status = await client.call_tool("get_zoom_rooms", {"status": "Broken"})
    assert "Everest" in [r["name"] for r in by_name["rooms"]]
    assert {r["id"] for r in kiosks["rooms"]} == {r.id for r in sim.fleet.rooms if r.zoom_room_type == "Kiosk"}
    assert "Unknown room_type" in bad_type
    assert "StandaloneWhiteboard" in bad_type
    assert bad_status.is_error


async def test_large_fleet_reads_every_page(connect: Callable[..., Any], tmp_path: Any) -> None:
    big = simulator(rooms=2_100, seed=3)
    async with connect(big) as client:
        result = await call(client, "get_zoom_rooms", {"limit": 500})
        offline = await call(client, "get_zoom_rooms", {"status": "Offline", "limit": 1})
    assert result["total_count"] == 2_100
    assert offline["total_count"] == sum(r.status == "Offline" for r in big.fleet.rooms)
    assert big.stats.by_endpoint["list_rooms"] >= 7  # 2,100 rooms at 300 per page: the whole listing was read


async def test_a_floor_and_a_city_on_a_large_fleet_share_one_listing(connect: Callable[..., Any]) -> None:
    """One listing (type by type) serves every location question while it is fresh: the second question and a
    repeat make no upstream request at all."""
    big = simulator(rooms=2_100, seed=3)
    async with connect(big) as client:
        floor = await call(client, "get_zoom_rooms", {"location_query": "seattle building 2 floor 3"})
        assert {r["id"] for r in floor["rooms"]} == {r.id for r in rooms_under(big.fleet, SEATTLE_B2F3)}
        assert big.stats.by_endpoint["list_rooms"] == listing_pages(big)
        before = dict(big.stats.by_endpoint)
        city = await call(client, "get_zoom_rooms", {"location_query": "Seattle", "limit": 1})
        await call(client, "get_zoom_rooms", {"location_query": "seattle building 2 floor 3"})
        assert big.stats.by_endpoint == before
    assert city["total_count"] == len(rooms_under(big.fleet, SEATTLE))
    assert city["coverage"] == {"rooms": city["total_count"], "devices_checked": 0, "dashboard_checked": 0}


async def test_room_details_by_name(connect: Callable[..., Any], sim: Simulator) -> None:
    everest = sim.fleet.room_named("Everest")
    assert everest is not None
    async with connect(sim) as client:
        details = await call(client, "get_room_details", {"room": "everest"})
    assert details["id"] == everest.id
    assert details["room_id"] == everest.room_id
    assert details["location_path"] == path(sim.fleet, everest.location_id)
    assert details["location_path"] == SEATTLE_B2F3
    assert details["capacity"] == everest.capacity
    assert details["room_type"] == everest.zoom_room_type
    assert [d["device_type"] for d in details["devices"]] == [d.device_type for d in everest.devices]
    assert details["notes"] == []
    assert details["health"] in ("healthy", "warning", "critical")


async def test_room_details_of_a_problem_room(connect: Callable[..., Any], sim: Simulator) -> None:
    offline = next(r for r in sim.fleet.rooms if r.status == "Offline")
    async with connect(sim) as client:
        by_id = await call(client, "get_room_details", {"room": offline.id})
        by_dashboard_id = await call(client, "get_room_details", {"room": offline.room_id})
    assert by_id["id"] == by_dashboard_id["id"] == offline.id
    assert by_id["health"] == "critical"
    assert by_id["dashboard_health"] == "critical"
    assert by_id["issues"][0].startswith("Room is offline")


async def test_room_details_degrades_without_device_and_dashboard_scopes(connect: Callable[..., Any]) -> None:
    limited = simulator(
        scopes=[
            "zoom_rooms:read:list_rooms:admin",
            "zoom_rooms:read:list_locations:admin",
            "zoom_rooms:read:room:admin",
        ]
    )
    async with connect(limited) as client:
        details = await call(client, "get_room_details", {"room": "Everest"})
    assert details["devices"] is None
    assert details["capacity"] is not None
    notes = " ".join(details["notes"])
    assert "zoom_rooms:read:list_devices:admin" in notes
    assert "dashboard:read:list_zoomrooms:admin" in notes or "dashboard:read:zoomroom:admin" in notes


async def test_room_details_on_a_plan_without_dashboard(connect: Callable[..., Any]) -> None:
    pro = simulator(plan="pro")
    async with connect(pro) as client:
        details = await call(client, "get_room_details", {"room": "Everest"})
    assert details["devices"]
    assert details["dashboard_health"] is None
    assert any("Dashboard" in note for note in details["notes"])


async def test_unknown_room_suggests_how_to_find_it(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        fuzzy = await call(client, "get_room_details", {"room": "Everrest"})
        missing = await call_error(client, "get_room_details", {"room": "No Such Room Anywhere"})
        traversal = await call_error(client, "get_room_details", {"room": "../users"})
    assert fuzzy["name"] == "Everest"
    assert "get_zoom_rooms" in missing
    assert "get_zoom_rooms" in traversal
    assert all(not p.startswith("/v2/users") for _, p, _ in sim.stats.log)


async def test_warm_room_details_read_nothing_again(connect: Callable[..., Any], sim: Simulator) -> None:
    """The first call lists the fleet and, with the sync off, reads every room's devices once (the fleet-wide
    yardstick for "outdated"); a repeat finds devices, Dashboard row, profile, tree and name all fresh."""
    async with connect(sim) as client:
        await call(client, "get_room_details", {"room": "Everest"})
        active = sum(1 for r in sim.fleet.rooms if r.status != "UnderConstruction")
        assert sim.stats.by_endpoint["list_devices"] == active
        before = dict(sim.stats.by_endpoint)
        await call(client, "get_room_details", {"room": "Everest"})
    assert sim.stats.by_endpoint == before


async def test_every_room_row_has_its_type(connect: Callable[..., Any], sim: Simulator) -> None:
    """Issue 10 item 10: kiosks and scheduling displays are told apart from full rooms in every row."""
    truth = {r.id: r.zoom_room_type for r in sim.fleet.rooms}
    async with connect(sim) as client:
        listing = await call(client, "get_zoom_rooms", {"limit": 500})
        kiosks = await call(client, "get_zoom_rooms", {"room_type": "KIOSK"})
    assert {r["id"]: r["room_type"] for r in listing["rooms"]} == truth
    assert {r["room_type"] for r in kiosks["rooms"]} == {"Kiosk"}
    assert set(listing["rooms"][0]) == {"id", "name", "status", "room_type", "capacity", "location_path"}


async def test_room_details_says_how_it_found_the_room(connect: Callable[..., Any], sim: Simulator) -> None:
    everest = sim.fleet.room_named("Everest")
    assert everest is not None
    async with connect(sim) as client:
        by_id = await call(client, "get_room_details", {"room": everest.id})
        exact = await call(client, "get_room_details", {"room": "EVEREST"})
        fuzzy = await call(client, "get_room_details", {"room": "Everrest"})
    assert (by_id["match"], exact["match"], fuzzy["match"]) == ("id", "exact", "fuzzy")
    assert fuzzy["id"] == everest.id
    assert "Everrest" in fuzzy["notes"][0]
    assert "closest" in fuzzy["notes"][0]
    assert not any("closest" in note for note in exact["notes"])


async def test_exact_resolution_collapses_and_ambiguity_lists_every_candidate(
    connect: Callable[..., Any], sim: Simulator
) -> None:
    floors_3 = [loc for loc in sim.fleet.locations if loc.name == "Floor 3"]
    async with connect(sim) as client:
        exact = await call(client, "get_zoom_rooms", {"location_query": "Seattle", "limit": 1})
        ambiguous = await call(client, "get_zoom_rooms", {"location_query": "Floor 3"})
    assert exact["resolution"]["candidates"] is None
    assert exact["resolution"]["message"] is None
    assert len(floors_3) > 5
    assert {c["id"] for c in ambiguous["resolution"]["candidates"]} == {loc.id for loc in floors_3}
