"""Each UNCONFIRMED behaviour answers as its variant says (and the default as before)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from tests.simulator.simkit import Api, ManualClock, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import DEFAULT_VARIANTS, VARIANT_MATRIX, Simulator, Variants
from zoom_rooms_mcp.simulator.variants import NON_MEETING_TYPES

pytestmark = pytest.mark.anyio
DATES = {"from": "2027-01-01", "to": "2027-01-15"}


@asynccontextmanager
async def api_for(clock: ManualClock, variants: Variants, rooms: int = 150) -> AsyncIterator[tuple[Simulator, Api]]:
    sim = Simulator(rooms=rooms, clock=clock, enforce_rate_limits=False, variants=variants)
    async with in_process_client(sim) as client:
        yield sim, Api(client, await fetch_token(client))


def test_matrix_switches_one_point_each_and_names_are_unique() -> None:
    names = [v.name for v in VARIANT_MATRIX]
    assert len(set(names)) == len(names)
    for variants in VARIANT_MATRIX:
        assert variants != DEFAULT_VARIANTS, variants.name
        # compare=False on name: equal fields would make the entry pointless


@pytest.mark.parametrize("status", [401, 400])
async def test_code_124_status(sim_clock: ManualClock, status: int) -> None:
    async with api_for(sim_clock, Variants(invalid_token_status=status)) as (_, api):  # type: ignore[arg-type]
        response = await Api(api.client, "not-a-token").get("/rooms")
        assert response.status_code == status
        assert response.json()["code"] == 124


@pytest.mark.parametrize("same", [False, True])
async def test_room_ids(sim_clock: ManualClock, same: bool) -> None:
    async with api_for(sim_clock, Variants(room_ids="same" if same else "distinct")) as (sim, api):
        rooms = (await api.json("/rooms", page_size=300))["rooms"]
        assert all((r["id"] == r["room_id"]) == same for r in rooms)
        room = sim.fleet.rooms[0]
        assert (await api.json(f"/metrics/zoomrooms/{room.room_id}", **DATES))["room_name"] == room.name


async def test_same_ids_do_not_touch_the_fleet_given(sim_clock: ManualClock) -> None:
    base = Simulator(rooms=20, clock=sim_clock)
    Simulator(fleet=base.fleet, clock=sim_clock, variants=Variants(room_ids="same"))
    assert all(r.id != r.room_id for r in base.fleet.rooms)


@pytest.mark.parametrize("recursive", [False, True])
async def test_location_filter(sim_clock: ManualClock, recursive: bool) -> None:
    variants = Variants(location_filter="recursive" if recursive else "direct")
    async with api_for(sim_clock, variants) as (sim, api):
        city = sim.fleet.find_location("United States", "Washington", "Seattle")
        assert city
        rooms = await api.all_pages("/rooms", "rooms", location_id=city.id, page_size=300)
        expected = sim.fleet.rooms_under(city.id) if recursive else sim.fleet.rooms_at(city.id)
        assert {r["id"] for r in rooms} == {r.id for r in expected}
        assert bool(rooms) == recursive  # rooms sit on floors, never at a city


async def test_query_name_exact(sim_clock: ManualClock) -> None:
    async with api_for(sim_clock, Variants(query_name="exact")) as (_, api):
        assert [r["name"] for r in (await api.json("/rooms", query_name="everest"))["rooms"]] == ["Everest"]
        assert (await api.json("/rooms", query_name="Ever"))["rooms"] == []
    async with api_for(sim_clock, DEFAULT_VARIANTS) as (_, api):
        assert "Everest" in [r["name"] for r in (await api.json("/rooms", query_name="Ever"))["rooms"]]


async def test_listing_omits_types_unless_asked_by_type(sim_clock: ManualClock) -> None:
    async with api_for(sim_clock, Variants(unlisted_types=NON_MEETING_TYPES)) as (sim, api):
        listed = await api.all_pages("/rooms", "rooms", page_size=300)
        assert {r["id"] for r in listed} == {r.id for r in sim.fleet.rooms if r.zoom_room_type not in NON_MEETING_TYPES}
        kiosks = await api.all_pages("/rooms", "rooms", type="Kiosk", page_size=300)
        assert {r["id"] for r in kiosks} == {r.id for r in sim.fleet.rooms if r.zoom_room_type == "Kiosk"} != set()


async def test_health_values(sim_clock: ManualClock) -> None:
    async with api_for(sim_clock, Variants(health_values=("Normal", "Warning", "Critical"))) as (_, api):
        rows = await api.all_pages("/metrics/zoomrooms", "zoom_rooms", page_size=300)
        assert {r["health"] for r in rows} == {"Normal", "Warning", "Critical"}


@pytest.mark.parametrize("shape", ["absent", "empty"])
async def test_idle_live_meeting(sim_clock: ManualClock, shape: str) -> None:
    async with api_for(sim_clock, Variants(idle_live_meeting=shape)) as (sim, api):  # type: ignore[arg-type]
        idle = next(r for r in sim.fleet.rooms if r.status == "Available")
        busy = next(r for r in sim.fleet.rooms if r.status == "InMeeting")
        body = await api.json(f"/metrics/zoomrooms/{idle.room_id}", **DATES)
        assert ("live_meeting" in body) == (shape == "empty")
        assert body.get("live_meeting", {}) == {}
        live = (await api.json(f"/metrics/zoomrooms/{busy.room_id}", **DATES))["live_meeting"]
        assert live["start_time"] == busy.last_start_time


@pytest.mark.parametrize(("shape", "expected"), [("empty", ""), ("null", None), ("absent", KeyError)])
async def test_top_parent_location_id(sim_clock: ManualClock, shape: str, expected: object) -> None:
    async with api_for(sim_clock, Variants(top_parent_location_id=shape)) as (sim, api):  # type: ignore[arg-type]
        locations = await api.all_pages("/rooms/locations", "locations", page_size=300)
        top = [loc for loc in locations if loc.get("parent_location_id", KeyError) == expected]
        assert {loc["id"] for loc in top} == {loc.id for loc in sim.fleet.children("")}
        assert all(loc["parent_location_id"] for loc in locations if loc not in top)
        profile = (await api.json(f"/rooms/locations/{top[0]['id']}"))["basic"]
        assert profile.get("parent_location_id", KeyError) == expected


async def test_structure_state_name(sim_clock: ManualClock) -> None:
    async with api_for(sim_clock, Variants(structure_state_name="state")) as (_, api):
        assert (await api.json("/rooms/locations/structure"))["structures"][1] == "state"
        types = {loc["type"] for loc in await api.all_pages("/rooms/locations", "locations", page_size=300)}
        assert "states" in types


async def test_unknown_room_devices(sim_clock: ManualClock) -> None:
    async with api_for(sim_clock, Variants(unknown_room_devices="empty")) as (_, api):
        assert await api.json("/rooms/nope/devices") == {"devices": []}
        assert (await api.get("/rooms/nope")).status_code == 404
    async with api_for(sim_clock, DEFAULT_VARIANTS) as (_, api):
        assert (await api.get("/rooms/nope/devices")).json()["code"] == 1012


async def test_page_size_over_max(sim_clock: ManualClock) -> None:
    async with api_for(sim_clock, Variants(page_size_over_max="reject"), rooms=400) as (_, api):
        refused = await api.get("/rooms", page_size=301)
        assert (refused.status_code, refused.json()["code"]) == (400, 300)
        assert (await api.json("/rooms", page_size=300))["page_size"] == 300
    async with api_for(sim_clock, DEFAULT_VARIANTS, rooms=400) as (_, api):
        assert (await api.json("/rooms", page_size=1000))["page_size"] == 300
