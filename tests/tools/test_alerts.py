"""get_room_alerts: real changes in the simulator, seen by the service (a stale listing re-read by the tool,
a device or Dashboard re-read, the background sync), come back as events with the right kind and severity,
filtered, counted and paged."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.conftest import FakeClock
from tests.harness import RATE_SCALE, call, call_error, settings_for, simulator
from tests.tools.fleet_truth import path, rooms_under, seattle
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.fleet.sync import Cadence
from zoom_rooms_mcp.server import create_server
from zoom_rooms_mcp.simulator import SimRoom, Simulator
from zoom_rooms_mcp.tools.common import iso
from zoom_rooms_mcp.tools.registry import BY_NAME

pytestmark = pytest.mark.anyio

STALE = 120.0  # past the room listing's freshness target: the next tool call lists the rooms again


@dataclass
class Served:
    client: Client
    app: AppContext


@asynccontextmanager
async def served(
    sim: Simulator, tmp_path: Path, clock: Callable[[], float], *, sync: bool = False, cadence: Cadence | None = None
) -> AsyncIterator[Served]:
    """The real server on ``sim``, with its lifespan state at hand (to re-read devices and the Dashboard)."""
    settings = settings_for(sim, tmp_path / "tokens").model_copy(update={"zoom_rooms_sync": sync})
    live: list[AppContext] = []
    server = create_server(
        settings, transport=sim.transport(), rate_scale=RATE_SCALE, clock=clock, cadence=cadence, live=live
    )
    async with Client(server) as client:
        yield Served(client, live[0])


def online(sim: Simulator, where: str, count: int = 1) -> list[SimRoom]:
    found = [r for r in rooms_under(sim.fleet, where) if r.status == "Available" and r.zoom_room_type == "ZoomRoom"]
    assert len(found) >= count
    return found[:count]


def kinds(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(e["room_id"], e["kind"], e["severity"]) for e in answer["events"]]


async def test_a_room_going_offline_and_back(tmp_path: Path, clock: FakeClock) -> None:
    sim = simulator()
    (room,) = online(sim, seattle(sim.fleet))
    async with served(sim, tmp_path, clock) as s:
        first = await call(s.client, "get_room_alerts", {})
        assert first["total_count"] == 0  # the first listing has nothing to compare with
        sim.control.set_room_status(room.id, "Offline")
        clock.advance(STALE)
        offline = await call(s.client, "get_room_alerts", {})
        sim.control.set_room_status(room.id, "Available")
        clock.advance(STALE)
        both = await call(s.client, "get_room_alerts", {"since_minutes": 10})
        critical = await call(s.client, "get_room_alerts", {"since_minutes": 10, "severity": "critical"})
        info = await call(s.client, "get_room_alerts", {"since_minutes": 10, "severity": "INFO"})
    (event,) = offline["events"]
    assert event == {
        "time": iso(clock.now - STALE),
        "room_id": room.id,
        "room_name": room.name,
        "location_path": path(sim.fleet, room.location_id),
        "kind": "room_offline",
        "severity": "critical",
        "message": "Room went offline (was Available)",
        "source": "sync",
    }
    assert offline["counts_by_kind"] == {"room_offline": 1}
    assert offline["freshness"]["rooms_as_of"] == iso(clock.now - STALE)
    assert any("sync is off" in note for note in offline["notes"])
    assert kinds(both) == [(room.id, "room_online", "info"), (room.id, "room_offline", "critical")]
    assert both["total_count"] == 2
    assert kinds(critical) == [(room.id, "room_offline", "critical")]
    assert kinds(info) == [(room.id, "room_online", "info")]
    assert critical["counts_by_kind"] == {"room_offline": 1}
    assert set(sim.stats.by_endpoint) - {"token"} <= BY_NAME["get_room_alerts"].endpoints


async def test_device_and_dashboard_changes(tmp_path: Path, clock: FakeClock) -> None:
    sim = simulator()
    room = next(r for r in online(sim, seattle(sim.fleet), 20) if any(d.device_type == "Controller" for d in r.devices))
    async with served(sim, tmp_path, clock) as s:
        await call(s.client, "get_room_alerts", {})
        service = s.app.service
        known = [service.state.rooms[room.id]]
        await service.refresh_devices(known, "tool")
        await service.refresh_dashboard_rooms(known, "tool")
        sim.control.set_device_status(room.id, "Controller", "Offline")
        clock.advance(30)
        await service.refresh_devices(known, "tool")
        await service.refresh_dashboard_rooms(known, "tool")
        answer = await call(s.client, "get_room_alerts", {"room": room.id})
        warnings = await call(s.client, "get_room_alerts", {"severity": "warning"})
    assert sorted((e["kind"], e["severity"], e["message"]) for e in answer["events"]) == [
        ("device_disconnected", "warning", "Controller went offline"),
        ("issue_raised", "warning", "Dashboard issue: Room Controller disconnected"),
    ]
    assert answer["counts_by_kind"] == {"device_disconnected": 1, "issue_raised": 1}
    assert answer["freshness"]["devices_as_of"] == answer["freshness"]["dashboard_as_of"] == iso(clock.now)
    assert warnings["total_count"] == 2


async def test_location_and_room_filters(tmp_path: Path, clock: FakeClock) -> None:
    sim = simulator()
    (here,) = online(sim, seattle(sim.fleet))
    (there,) = online(sim, "Germany > Bayern > München")
    async with served(sim, tmp_path, clock) as s:
        await call(s.client, "get_room_alerts", {})
        for room in (here, there):
            sim.control.set_room_status(room.id, "Offline")
        clock.advance(STALE)
        everywhere = await call(s.client, "get_room_alerts", {})
        in_seattle = await call(s.client, "get_room_alerts", {"location_query": "Seattle"})
        by_name = await call(s.client, "get_room_alerts", {"room": there.name})
        misspelt = await call(s.client, "get_room_alerts", {"room": there.name[:-1] + "x" + there.name[-1]})
        unknown = await call_error(s.client, "get_room_alerts", {"room": "Qwertyuiop"})
        nowhere = await call(s.client, "get_room_alerts", {"location_query": "Atlantis"})
    assert everywhere["total_count"] == 2
    assert [e["room_id"] for e in in_seattle["events"]] == [here.id]
    assert in_seattle["resolution"]["status"] == "exact"
    assert [e["room_id"] for e in by_name["events"]] == [there.id]
    assert not any("closest name" in note for note in by_name["notes"])
    assert [e["room_id"] for e in misspelt["events"]] == [there.id]
    assert "closest name" in misspelt["notes"][0]
    assert "No room matches 'Qwertyuiop'" in unknown
    assert nowhere["resolution"]["status"] == "none"
    assert nowhere["events"] == []


async def test_paging_is_stable_while_new_events_arrive(tmp_path: Path, clock: FakeClock) -> None:
    sim = simulator()
    rooms = online(sim, seattle(sim.fleet), 6)
    async with served(sim, tmp_path, clock) as s:
        await call(s.client, "get_room_alerts", {})
        for room in rooms[:5]:
            sim.control.set_room_status(room.id, "Offline")
        clock.advance(STALE)
        args: dict[str, Any] = {"limit": 2, "since_minutes": 30}
        first = await call(s.client, "get_room_alerts", args)
        # A change logged between pages does not shift the pages: the cursor pins the window's end.
        sim.control.set_room_status(rooms[5].id, "Offline")
        clock.advance(STALE)
        pages = [first]
        while pages[-1]["next_cursor"]:
            pages.append(await call(s.client, "get_room_alerts", {**args, "cursor": pages[-1]["next_cursor"]}))
        fresh = await call(s.client, "get_room_alerts", {"since_minutes": 30})
        wrong = await call_error(s.client, "get_room_alerts", {"limit": 2, "cursor": first["next_cursor"]})
    assert [len(p["events"]) for p in pages] == [2, 2, 1]
    assert all(p["total_count"] == 5 for p in pages)
    assert sorted(e["room_id"] for p in pages for e in p["events"]) == sorted(r.id for r in rooms[:5])
    assert fresh["total_count"] == 6
    assert "different arguments" in wrong


async def test_the_window_is_since_minutes(tmp_path: Path, clock: FakeClock) -> None:
    sim = simulator()
    (room,) = online(sim, seattle(sim.fleet))
    async with served(sim, tmp_path, clock) as s:
        await call(s.client, "get_room_alerts", {})
        sim.control.set_room_status(room.id, "Offline")
        clock.advance(STALE)
        await call(s.client, "get_room_alerts", {})
        clock.advance(2 * 3600)
        last_hour = await call(s.client, "get_room_alerts", {})
        last_three = await call(s.client, "get_room_alerts", {"since_minutes": 180})
        bounds = await call_error(s.client, "get_room_alerts", {"since_minutes": 43_201})
    assert last_hour["total_count"] == 0
    assert kinds(last_three) == [(room.id, "room_offline", "critical")]
    assert "`since_minutes`" in bounds


FAST = Cadence(rooms=0.2, tree=0.5, min_device_cycle=1.0, min_dashboard_cycle=0.5, follow=0.05, status=0.05)


async def test_the_background_sync_logs_changes_by_itself(tmp_path: Path) -> None:
    sim = simulator()
    (room,) = online(sim, seattle(sim.fleet))
    async with served(sim, tmp_path, time.time, sync=True, cadence=FAST) as s:
        service = s.app.service
        with anyio.fail_after(10):  # the sync's first listing (nothing to compare with yet)
            while service.state.rooms_read_at is None:
                await service.changed()
        sim.control.set_room_status(room.id, "Offline")
        with anyio.fail_after(10):  # re-checked at each store write of the sync
            while not (answer := await call(s.client, "get_room_alerts", {"severity": "critical"}))["events"]:
                await service.changed()
    assert kinds(answer) == [(room.id, "room_offline", "critical")]
    assert not any("sync is off" in note for note in answer["notes"])
