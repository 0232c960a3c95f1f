"""next_page_token pagination: clamping, last page, expiry, and tokens bound to their listing."""

from __future__ import annotations

import pytest

from tests.simulator.simkit import Api, ManualClock, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

INVALID = {"code": 300, "message": "The next page token is invalid or expired."}


async def test_default_page_size_and_last_page(api: Api) -> None:
    first = await api.json("/rooms")
    assert first["page_size"] == 30
    assert len(first["rooms"]) == 30
    assert first["next_page_token"]
    rooms = await api.all_pages("/rooms", "rooms", page_size=40)
    assert len(rooms) == 150
    assert len({r["id"] for r in rooms}) == 150
    last = await api.json("/rooms", page_size=150)
    assert last["next_page_token"] == ""
    assert len(last["rooms"]) == 150


@pytest.mark.parametrize(("asked", "echoed"), [("1000", 300), ("300", 300), ("0", 30), ("-5", 30), ("7", 7)])
async def test_page_size_is_clamped_and_echoed(sim_clock: ManualClock, asked: str, echoed: int) -> None:
    sim = Simulator(rooms=400, clock=sim_clock, enforce_rate_limits=False)
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        body = await api.json("/rooms", page_size=asked)
    assert body["page_size"] == echoed
    assert len(body["rooms"]) == echoed


async def test_tokens_expire_after_fifteen_minutes(api: Api, sim_clock: ManualClock) -> None:
    token = (await api.json("/rooms/locations"))["next_page_token"]
    sim_clock.advance(14 * 60 + 59)
    assert (await api.get("/rooms/locations", next_page_token=token)).status_code == 200
    sim_clock.advance(1)
    expired = await api.get("/rooms/locations", next_page_token=token)
    assert (expired.status_code, expired.json()) == (400, INVALID)


async def test_a_token_only_continues_its_own_listing(api: Api, sim: Simulator) -> None:
    token = (await api.json("/rooms", status="Available"))["next_page_token"]
    assert (await api.get("/rooms", status="Available", next_page_token=token)).status_code == 200
    for params in ({"status": "InMeeting"}, {}, {"status": "Available", "query_name": "a"}):
        response = await api.get("/rooms", next_page_token=token, **params)
        assert (response.status_code, response.json()) == (400, INVALID), params
    other_endpoint = await api.get("/rooms/locations", next_page_token=token)
    assert other_endpoint.json() == INVALID
    room = next(r for r in sim.fleet.rooms if len(r.issue_history) > 2)
    dates = {"from": "2026-12-16", "to": "2027-01-15", "page_size": 1}
    issues = await api.json(f"/metrics/issues/zoomrooms/{room.room_id}", **dates)
    other_room = next(r for r in sim.fleet.rooms if r is not room)
    moved = await api.get(
        f"/metrics/issues/zoomrooms/{other_room.room_id}", next_page_token=issues["next_page_token"], **dates
    )
    assert moved.json() == INVALID


@pytest.mark.parametrize("token", ["garbage", "Zm9vLmJhci5iYXo", "w6k", "%%%"])
async def test_garbled_tokens_are_refused(api: Api, token: str) -> None:
    response = await api.get("/rooms", next_page_token=token)
    assert (response.status_code, response.json()) == (400, INVALID)


async def test_page_size_may_change_between_pages(api: Api) -> None:
    first = await api.json("/rooms", page_size=10)
    second = await api.json("/rooms", page_size=20, next_page_token=first["next_page_token"])
    everything = await api.json("/rooms", page_size=30)
    assert [r["id"] for r in first["rooms"] + second["rooms"]] == [r["id"] for r in everything["rooms"]]


async def test_dashboard_list_supports_page_numbers_and_tokens(api: Api, sim: Simulator) -> None:
    page2 = await api.json("/metrics/zoomrooms", page_size=40, page_number=2)
    assert (page2["page_number"], page2["page_count"], page2["total_records"]) == (2, 4, 150)
    assert [r["id"] for r in page2["zoom_rooms"]] == [r.room_id for r in sim.fleet.rooms[40:80]]
    page3 = await api.json("/metrics/zoomrooms", page_size=40, next_page_token=page2["next_page_token"])
    assert page3["page_number"] == 3
    assert page3["zoom_rooms"][0]["id"] == sim.fleet.rooms[80].room_id
    last = await api.json("/metrics/zoomrooms", page_size=40, page_number=4)
    assert last["next_page_token"] == ""
    assert len(last["zoom_rooms"]) == 30
    beyond = await api.json("/metrics/zoomrooms", page_size=40, page_number=9)
    assert beyond["zoom_rooms"] == []
    assert beyond["next_page_token"] == ""


async def test_issue_details_paginate_newest_first(api: Api, sim: Simulator) -> None:
    room = max(sim.fleet.rooms, key=lambda r: len(r.issue_history))
    details = await api.all_pages(
        f"/metrics/issues/zoomrooms/{room.room_id}",
        "issue_details",
        page_size=1,
        **{"from": "2026-12-16", "to": "2027-01-15"},
    )
    assert details == [{"issue": e.issue, "time": e.time} for e in room.issue_history if e.time >= "2026-12-16"]
