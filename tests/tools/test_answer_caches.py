"""Whole-fleet answers come from cached derivations (tools/health.py, tools/rooms.py): each must equal the
answer a fresh server computes from the same fleet, after the fleet changed, between pages and under
concurrent calls; the caches stay bounded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.conftest import FakeClock
from tests.harness import RATE_SCALE, call, settings_for, simulator
from zoom_rooms_mcp import health as rules
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.server import create_server
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.store.api import DeviceReading
from zoom_rooms_mcp.tools import health, rooms
from zoom_rooms_mcp.zoom.records import Device

pytestmark = pytest.mark.anyio

STALE = 1_000.0  # past every freshness target: the next answer reads Zoom again
QUESTIONS: list[tuple[str, dict[str, Any]]] = [
    ("get_fleet_health", {"limit": 7}),
    ("get_fleet_health", {"problem": "offline", "limit": 500}),
    ("get_fleet_health", {"location_query": "Munich campus"}),
    ("get_fleet_health", {"include_devices": False}),
    ("get_zoom_rooms", {"limit": 9}),
    ("get_zoom_rooms", {"status": "offline"}),
    ("get_zoom_rooms", {"location_query": "Seattle", "room_type": "ZoomRoom"}),
    ("get_zoom_rooms", {"name_query": "a", "limit": 500}),
]


@asynccontextmanager
async def server(sim: Simulator, tmp_path: Path, clock: FakeClock) -> AsyncIterator[tuple[Client, AppContext]]:
    live: list[AppContext] = []
    made = create_server(
        settings_for(sim, tmp_path / "tokens"), transport=sim.transport(), rate_scale=RATE_SCALE, clock=clock, live=live
    )
    async with Client(made) as client:
        yield client, live[0]


async def every_page(client: Client, tool: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    pages = [await call(client, tool, args)]
    while pages[-1]["next_cursor"] is not None:
        pages.append(await call(client, tool, {**args, "cursor": pages[-1]["next_cursor"]}))
    return pages


async def answers(client: Client) -> list[list[dict[str, Any]]]:
    return [await every_page(client, tool, args) for tool, args in QUESTIONS]


def change_the_fleet(sim: Simulator) -> None:
    """A room goes offline, a device of another goes offline, one room's app falls far behind."""
    ordinary = [r for r in sim.fleet.rooms if r.status == "Available" and r.zoom_room_type == "ZoomRoom"]
    sim.control.set_room_status(ordinary[0].id, "Offline")
    sim.control.set_device_status(ordinary[1].id, ordinary[1].devices[-1].id, "Offline")
    for device in ordinary[2].devices:
        device.app_version = "4.0.0 (100)"


async def test_cached_answers_equal_a_fresh_servers_after_the_fleet_changes(tmp_path: Path) -> None:
    sim = simulator(seed=11)
    clock = FakeClock()
    async with server(sim, tmp_path / "a", clock) as (warm, _):
        first = await answers(warm)
        assert await answers(warm) == first  # repeated from the caches
        change_the_fleet(sim)
        clock.advance(STALE)
        changed = await answers(warm)
        async with server(sim, tmp_path / "b", clock) as (fresh, _):
            assert await answers(fresh) == changed
    assert changed != first


async def test_one_room_changed_is_the_only_one_assessed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim = simulator(seed=11)
    clock = FakeClock()
    assessed: list[str] = []
    real = rules.assess_room

    def counting(room: Any, **kwargs: Any) -> Any:
        assessed.append(room.id)
        return real(room, **kwargs)

    monkeypatch.setattr(health, "assess_room", counting)
    async with server(sim, tmp_path, clock) as (client, app):
        before = await call(client, "get_fleet_health", {"limit": 500})
        assert len(assessed) == len(sim.fleet.rooms)
        await call(client, "get_fleet_health", {"limit": 500, "problem": "device"})  # another filter: no work
        assert len(assessed) == len(sim.fleet.rooms)
        room = next(r for r in app.service.state.rooms.values() if r.status == "Available")
        reading = app.service.state.devices[room.id]
        assert reading.devices is not None
        broken = tuple(Device(d.device_type, "Offline", d.app_version) for d in reading.devices)
        assessed.clear()
        await app.service.record_devices({room.id: DeviceReading(broken, reading.read_at)})
        after = await call(client, "get_fleet_health", {"limit": 500})
    assert assessed == [room.id]
    assert room.id not in {p["id"] for p in before["problem_rooms"]}
    assert room.id in {p["id"] for p in after["problem_rooms"]}


async def test_a_cursor_taken_before_a_change_reads_on_in_the_changed_list(tmp_path: Path) -> None:
    sim = simulator(seed=11)
    clock = FakeClock()
    async with server(sim, tmp_path / "a", clock) as (client, _):
        first = await call(client, "get_zoom_rooms", {"limit": 10})
        health_first = await call(client, "get_fleet_health", {"limit": 5})
        change_the_fleet(sim)
        clock.advance(STALE)
        second = await call(client, "get_zoom_rooms", {"limit": 10, "cursor": first["next_cursor"]})
        health_second = await call(client, "get_fleet_health", {"limit": 5, "cursor": health_first["next_cursor"]})
        async with server(sim, tmp_path / "b", clock) as (fresh, _):
            everything = await call(fresh, "get_zoom_rooms", {"limit": 500})
            problems = await call(fresh, "get_fleet_health", {"limit": 500})
    assert second["rooms"] == everything["rooms"][10:20]  # as today: the offset applies to the current list
    assert health_second["problem_rooms"] == problems["problem_rooms"][5:10]
    assert health_second["summary"] == problems["summary"]


async def test_concurrent_calls_while_the_fleet_changes_match_a_fresh_server(tmp_path: Path) -> None:
    sim = simulator(seed=11)
    clock = FakeClock()
    async with server(sim, tmp_path / "a", clock) as (client, app):
        await answers(client)
        change_the_fleet(sim)
        clock.advance(STALE)
        found: dict[int, dict[str, Any]] = {}

        async def ask(i: int) -> None:
            tool, args = QUESTIONS[i % len(QUESTIONS)]
            found[i] = await call(client, tool, args)

        async with anyio.create_task_group() as tg:
            tg.start_soon(app.service.refresh_rooms, "sync")  # a sync write among the calls
            for i in range(3 * len(QUESTIONS)):
                tg.start_soon(ask, i)
        async with server(sim, tmp_path / "b", clock) as (fresh, _):
            expected = [await call(fresh, tool, args) for tool, args in QUESTIONS]
    for i, answer in found.items():
        assert answer == expected[i % len(QUESTIONS)]


async def test_the_caches_are_bounded(tmp_path: Path) -> None:
    sim = simulator(seed=11)
    clock = FakeClock()
    async with server(sim, tmp_path, clock) as (client, app):
        for letter in "abcdefghijklmnopqrstuvwxyz":
            await call(client, "get_zoom_rooms", {"name_query": letter})
        for where in ("Seattle", "Munich campus", "Denver", None):
            for kind in ("offline", "device", "outdated", "dashboard", None):
                await call(client, "get_fleet_health", {"location_query": where, "problem": kind})
        assert len(rooms._listings(app.service)) == rooms.LISTINGS
        cache = health._caches(app.service)
        assert len(cache.tallies) == health.TALLIES
        assert len(cache.assessed) <= len(app.service.state.rooms)
