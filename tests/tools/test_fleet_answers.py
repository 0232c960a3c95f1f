"""What every fleet answer now carries (DESIGN §6, §9): freshness from the server's clock, coverage, the store
report, the richer room details, and one fleet-wide yardstick for 'outdated'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import FakeClock
from tests.harness import call, simulator
from tests.tools.fleet_truth import rooms_under
from zoom_rooms_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

MUNICH = "Germany > Bayern > München > Munich Campus"
NO_SOURCE = {"rooms_as_of": None, "devices_as_of": None, "dashboard_as_of": None}


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


async def test_freshness_is_when_zoom_was_read_and_coverage_counts_what_was_checked(
    connect: Callable[..., Any], sim: Simulator, clock: FakeClock
) -> None:
    async with connect(sim, clock=clock) as client:
        read_at = clock.now
        rooms = await call(client, "get_zoom_rooms", {"location_query": "Munich campus"})
        clock.advance(30)  # answers built later still say when Zoom was read
        sites = await call(client, "get_zoom_sites", {"level": "city"})
        health = await call(client, "get_fleet_health", {"location_query": "Munich campus"})
        unresolved = await call(client, "get_fleet_health", {"location_query": "Atlantis"})
    munich = rooms_under(sim.fleet, MUNICH)
    active = sum(r.status != "UnderConstruction" for r in munich)
    assert rooms["freshness"] == {"rooms_as_of": iso(read_at), "devices_as_of": None, "dashboard_as_of": None}
    assert rooms["data_as_of"] == iso(read_at)
    assert rooms["coverage"] == {"rooms": len(munich), "devices_checked": 0, "dashboard_checked": 0}
    assert sites["freshness"]["rooms_as_of"] == iso(read_at)
    assert sites["coverage"]["rooms"] == len(sim.fleet.rooms)
    assert health["freshness"] == {
        "rooms_as_of": iso(read_at),
        "devices_as_of": iso(read_at + 30),
        "dashboard_as_of": iso(read_at + 30),
    }
    assert health["coverage"] == {"rooms": len(munich), "devices_checked": active, "dashboard_checked": active}
    assert unresolved["freshness"] == NO_SOURCE
    assert unresolved["coverage"] == {"rooms": 0, "devices_checked": 0, "dashboard_checked": 0}


async def test_connection_reports_the_store(connect: Callable[..., Any], sim: Simulator, clock: FakeClock) -> None:
    async with connect(sim, clock=clock) as client:
        before = await call(client, "test_zoom_connection")
        await call(client, "get_fleet_health", {"location_query": "Munich campus"})
        after = await call(client, "test_zoom_connection")
    assert before["store"]["backend"] == "memory"
    assert before["store"]["sync"]["state"] == "off"
    assert before["store"]["sync"]["rooms_total"] == 0
    assert before["store"]["sync"]["rooms_as_of"] is None
    sync = after["store"]["sync"]
    munich = sum(r.status != "UnderConstruction" for r in rooms_under(sim.fleet, MUNICH))
    everywhere = sum(r.status != "UnderConstruction" for r in sim.fleet.rooms)
    assert (sync["rooms_total"], sync["rooms_as_of"]) == (len(sim.fleet.rooms), iso(clock.now))
    # Munich's Dashboard rows; every room's devices (the fleet-wide baseline for 'outdated').
    assert (sync["devices_checked"], sync["dashboard_checked"]) == (everywhere, munich)
    assert sync["leader"] is False


async def test_room_details_show_what_zoom_returns_for_the_room(
    connect: Callable[..., Any], sim: Simulator, clock: FakeClock
) -> None:
    busy = next(r for r in sim.fleet.rooms if r.status == "InMeeting" and r.camera and r.zoom_room_type == "ZoomRoom")
    async with connect(sim, clock=clock) as client:
        details = await call(client, "get_room_details", {"room": busy.name})
    assert details["peripherals"] == {"camera": busy.camera, "microphone": busy.microphone, "speaker": busy.speaker}
    assert details["support"] == {"email": "it-help@example.com", "phone": "18005550100"}
    assert details["last_start_time"] == busy.last_start_time
    assert details["live_meeting_start"] == busy.last_start_time  # the meeting started when the app last did
    assert (details["offline_since"], details["sensors"], details["occupancy"]) == (None, None, None)
    assert details["freshness"]["devices_as_of"] == details["freshness"]["dashboard_as_of"] == iso(clock.now)


async def test_offline_since_comes_from_the_change_the_listing_saw(
    connect: Callable[..., Any], sim: Simulator, clock: FakeClock
) -> None:
    room = next(r for r in sim.fleet.rooms if r.status == "Available" and r.zoom_room_type == "ZoomRoom")
    async with connect(sim, clock=clock) as client:
        await call(client, "get_zoom_rooms", {"limit": 1})
        sim.control.set_room_status(room.id, "Offline")
        clock.advance(120)  # past the listing's freshness target: the room is listed again, and the change seen
        details = await call(client, "get_room_details", {"room": room.id})
    assert details["status"] == "Offline"
    assert details["offline_since"] == iso(clock.now)
    assert details["health"] == "critical"


async def test_a_site_entirely_behind_is_outdated_against_the_whole_fleet(
    connect: Callable[..., Any], clock: FakeClock
) -> None:
    """Issue 10 item 9: every Munich device runs an old app. Measured within Munich nothing would look
    outdated; against the fleet's newest, every checked Munich room does, in get_room_details too."""
    sim = simulator()
    munich = rooms_under(sim.fleet, MUNICH)
    for room in munich:
        for device in room.devices:
            device.app_version = "5.9.0 (2500)"
    checked = {r.id for r in munich if r.status != "UnderConstruction" and r.devices}
    async with connect(sim, clock=clock) as client:
        report = await call(
            client, "get_fleet_health", {"location_query": "Munich campus", "problem": "outdated", "limit": 500}
        )
        details = await call(client, "get_room_details", {"room": next(iter(checked))})
    assert {p["id"] for p in report["problem_rooms"]} == checked
    assert all(any("older than the fleet's newest" in text for text in p["problems"]) for p in report["problem_rooms"])
    assert not any("compared with the newest among" in note for note in report["notes"])  # the whole fleet read
    assert any("older than the fleet's newest" in issue for issue in details["issues"])
    assert details["health"] in ("warning", "critical")
