"""The background sync against the simulator: a complete store, changes as events, restarts, failures."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import anyio
import pytest
from anyio import wait_all_tasks_blocked

from tests.fleet.engine import FAST, Engine, engine, syncing, until
from tests.harness import simulator
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.simulator.faults import Fault
from zoom_rooms_mcp.store.api import Batch, EventQuery

pytestmark = pytest.mark.anyio


def active(sim: Simulator) -> int:
    return sum(1 for r in sim.fleet.rooms if r.status != "UnderConstruction")


async def test_first_sync_fills_the_store_with_every_room_device_and_dashboard_row(tmp_path: Path) -> None:
    sim = simulator(rooms=300, seed=3)
    async with engine(sim, tmp_path) as e, syncing(e.sync):
        await until(e.fleet, lambda: e.sync.report()["state"] == "current")
        report = e.sync.report()
        state = e.fleet.state
        assert report["leader"] is True
        assert report["rooms_total"] == len(sim.fleet.rooms) == len(state.rooms)
        assert report["devices_checked"] == active(sim)
        assert report["dashboard_checked"] == len(sim.fleet.rooms)
        # Every room type is known from the per-type listings, and the census agrees with the unfiltered one.
        assert {r.id: r.room_type for r in state.rooms.values()} == {r.id: r.zoom_room_type for r in sim.fleet.rooms}
        census = report["census"]
        assert isinstance(census, dict)
        assert census["missing_from_unfiltered"] == census["missing_from_type_listings"] == 0
        # The tree and every room's location came along.
        assert state.tree is not None
        assert all(state.tree.path(r.location_id) for r in state.rooms.values())


def offline_devices(e: Engine, room_id: str) -> int:
    reading = e.fleet.state.devices.get(room_id)
    return sum(1 for d in (reading.devices or ()) if d.status == "Offline") if reading else 0


async def test_changes_in_zoom_become_events_and_reach_the_store(tmp_path: Path) -> None:
    sim = simulator(rooms=120, seed=5)
    async with engine(sim, tmp_path) as e, syncing(e.sync):
        await until(e.fleet, lambda: e.sync.report()["state"] == "current")
        online = next(r for r in sim.fleet.rooms if r.status == "Available" and r.zoom_room_type == "ZoomRoom")
        sim.control.set_room_status(online.id, "Offline")
        controller_room = next(
            r
            for r in sim.fleet.rooms
            if r.status == "Available"
            and any(d.device_type == "Controller" and d.status == "Online" for d in r.devices)
        )
        sim.control.set_device_status(controller_room.id, "Controller", "Offline")

        await until(e.fleet, lambda: e.fleet.state.rooms[online.id].status == "Offline")
        await until(e.fleet, lambda: offline_devices(e, controller_room.id) > 0)
        page = await e.fleet.events(EventQuery(since=0, limit=500))
        seen = {(ev.kind, ev.room_id): ev.severity for ev in page.events}
        assert seen[("room_offline", online.id)] == "critical"
        assert seen[("device_disconnected", controller_room.id)] == "warning"
        assert e.fleet.state.rooms[online.id].status == "Offline"


async def test_removed_rooms_leave_and_moved_locations_update_every_path(tmp_path: Path) -> None:
    sim = simulator(rooms=120, seed=9)
    async with engine(sim, tmp_path) as e, syncing(e.sync):
        await until(e.fleet, lambda: e.sync.report()["state"] == "current")
        gone = sim.fleet.rooms[0]
        sim.control.remove_room(gone.id)
        await until(e.fleet, lambda: gone.id not in e.fleet.state.rooms)
        floor_room = next(r for r in sim.fleet.rooms if r.id != gone.id)
        floor = sim.control.location(floor_room.location_id)
        sim.control.update_location(floor.id, name="Renamed Floor")
        tree = lambda: e.fleet.state.tree  # noqa: E731
        await until(e.fleet, lambda: (t := tree()) is not None and (t.path(floor.id) or "").endswith("Renamed Floor"))
        page = await e.fleet.events(EventQuery(since=0, limit=500))
        assert any(ev.kind == "room_removed" and ev.room_id == gone.id for ev in page.events)


async def test_a_restarted_server_answers_from_its_store_without_asking_zoom(tmp_path: Path) -> None:
    sim = simulator(rooms=200, seed=11)
    url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    async with engine(sim, tmp_path, store_url=url) as e, syncing(e.sync):
        await until(e.fleet, lambda: e.sync.report()["state"] == "current")
        before = e.fleet.state.rooms_read_at
        assert before is not None
    stopped = time.time()
    sim.stats.reset()
    async with engine(sim, tmp_path, store_url=url) as again:
        view = await again.fleet.view(await again.fleet.scope(None))
        assert sim.stats.by_endpoint.get("list_rooms", 0) == 0
        assert sim.stats.by_endpoint.get("list_devices", 0) == 0
        assert view.coverage.rooms == len(sim.fleet.rooms)
        assert view.coverage.devices_checked == active(sim)
        # The data's real age (the last listing before the stop), not the restart time.
        as_of = view.freshness.rooms_as_of
        assert as_of is not None
        assert before <= as_of <= stopped


async def test_sync_failures_back_off_are_reported_and_answers_go_on_from_the_store(tmp_path: Path) -> None:
    sim = simulator(rooms=80, seed=13)
    async with engine(sim, tmp_path) as e, syncing(e.sync):
        await until(e.fleet, lambda: e.sync.report()["state"] == "current")
        sim.faults.add_rule(Fault(kind="status", status=500, path="/v2/rooms", times=None))
        await until(e.fleet, lambda: e.sync.report()["state"] == "error")
        report = e.sync.report()
        assert "rooms" in str(report["last_error"])
        # A tool still answers, from what the store holds, with its real age.
        rooms = list(e.fleet.state.rooms.values())
        assert len(rooms) == len(sim.fleet.rooms)
        sim.faults.clear()
        await until(e.fleet, lambda: e.sync.report()["state"] == "current")
        assert e.sync.report()["last_error"] is None


async def test_two_processes_on_one_sqlite_store_one_syncs_and_the_other_takes_over(tmp_path: Path) -> None:
    sim = simulator(rooms=60, seed=17)
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    async with (
        engine(sim, tmp_path, store_url=url) as first,
        engine(sim, tmp_path, store_url=url) as second,
        syncing(first.sync),
        syncing(second.sync),
    ):
        await until(first.fleet, lambda: len(first.fleet.state.rooms) == 60)
        await until(second.fleet, lambda: len(second.fleet.state.rooms) == 60)
        assert first.sync.leader != second.sync.leader
        leader, follower = (first, second) if first.sync.leader else (second, first)
        # The follower sees the leader's data through the store, and its status.
        await until(follower.fleet, lambda: follower.sync.report()["state"] == "current")
        await leader.sync.close()
        await leader.store.close()
        # The new leader catches up and publishes its status: a change the follower sees.
        await until(follower.fleet, lambda: follower.sync.leader, seconds=FAST.leader_retry * 50)


async def test_device_rotation_orders_never_read_then_changed_or_troubled_then_oldest(tmp_path: Path) -> None:
    """The scheduler's choice on a controlled clock: which rooms' devices are read next, and when."""
    sim = simulator(rooms=60, seed=19)
    now = [1_800_000_000.0]
    async with engine(sim, tmp_path, clock=lambda: now[0]) as e:
        await e.fleet.refresh_rooms("sync")
        rooms = list(e.fleet.state.rooms.values())
        active = [r for r in rooms if r.status != "UnderConstruction"]
        cycle = e.sync.device_cycle()
        assert cycle == FAST.min_device_cycle  # 60 rooms at Business's budget: the floor applies
        due, _ = e.sync._due_devices()
        assert {r.id for r in due} == {r.id for r in active}  # at start every room is due: full budget
        await e.fleet.refresh_devices(active, "sync")
        due, wait = e.sync._due_devices()
        assert due == []
        assert 0 < wait <= cycle  # nothing due: sleep until the oldest reading comes due
        # Half a cycle later: a room whose status changed, and an offline room, go first; others wait.
        now[0] += cycle * 0.6
        changed = next(r for r in active if r.status != "Offline")
        offline = next((r for r in active if r.status == "Offline"), None)
        e.sync._priority.add(changed.id)
        due, _ = e.sync._due_devices()
        expected = {changed.id} | ({offline.id} if offline else set())
        assert expected <= {r.id for r in due} <= expected | {r.id for r in active if e.sync._has_problem(r.id)}
        # A full cycle later every room is due again, troubled and changed rooms first.
        now[0] += cycle
        due, _ = e.sync._due_devices()
        assert len(due) == len(active)
        first = {r.id for r in due[: len(expected)]}
        assert expected <= first | {r.id for r in due if e.sync._has_problem(r.id)}


@pytest.mark.slow
async def test_a_20000_room_fleet_is_synced_completely(tmp_path: Path) -> None:
    """Every room, every room's devices and every Dashboard row of a 20,000-room fleet, with no 429."""
    sim = simulator(rooms=20_000, seed=23)
    url = f"sqlite:///{tmp_path / 'big.sqlite3'}"
    # Production's listing cadences (a 20,000-room listing is 73 requests); the device rotation as fast as
    # the scaled budget allows.
    cadence = replace(FAST, rooms=60.0, tree=600.0)
    async with engine(sim, tmp_path, store_url=url, cadence=cadence) as e, syncing(e.sync):
        await until(e.fleet, lambda: e.sync.report()["state"] == "current", seconds=240)
        report = e.sync.report()
        assert report["rooms_total"] == 20_000
        assert report["devices_checked"] == active(sim)
        assert report["dashboard_checked"] == 20_000
        assert sim.stats.rate_limited == 0
        view = await e.fleet.view(await e.fleet.scope(None))
        assert view.coverage.devices_checked == active(sim)
        assert view.notes == []
    assert (tmp_path / "big.sqlite3").stat().st_size < 100 * 1024 * 1024


async def test_a_write_computed_from_the_fleet_never_undoes_a_newer_one(tmp_path: Path) -> None:
    """A room's profile read while a listing that took it offline is being stored: the profile's update is
    built on the row as it is after the listing, so the room stays offline (no lost update)."""
    sim = simulator(rooms=30, seed=29)
    async with engine(sim, tmp_path) as e:
        await e.fleet.refresh_rooms("sync")
        room = next(r for r in e.fleet.state.rooms.values() if r.status == "Available")
        sim.control.set_room_status(room.id, "Offline")
        gate = anyio.Event()
        entered = anyio.Event()
        write = e.store.write

        async def slow_write(batch: Batch) -> int:
            if any(row.room.id == room.id for row in batch.rooms_upsert) and not batch.profiles:
                entered.set()
                await gate.wait()  # the listing's write is in the store while the profile arrives
            return await write(batch)

        e.store.write = slow_write  # type: ignore[method-assign]
        async with anyio.create_task_group() as tg:
            tg.start_soon(e.fleet.refresh_rooms, "sync")
            await entered.wait()
            tg.start_soon(e.fleet.refresh_profiles, [room], "sync")
            await wait_all_tasks_blocked()
            gate.set()
        assert e.fleet.state.rooms[room.id].status == "Offline"
        assert e.fleet.state.rooms[room.id].capacity is not None
        stored = await e.store.load()
        assert stored.rooms[room.id].room.status == "Offline"
