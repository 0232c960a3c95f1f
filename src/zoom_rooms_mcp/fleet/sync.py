"""The background sync: keeps the store current so tools answer from it (DESIGN §9).

One coordinator loop per source, in the manner of Home Assistant's ``DataUpdateCoordinator``: each
reads on its own cadence on the client's ``sync`` lane (its share of the rate limit, behind any tool
request), keeps the last good data on failure, records why it failed and backs off.

* room listing: every 60 s (type by type, so every room knows its type; a census compares with the
  unfiltered listing at start and daily, and reads what one of them misses);
* locations: every 10 minutes;
* devices: a rotation in which every room is read at least every ``max(5 min, rooms / budget)``:
  never-read rooms first, then rooms whose status changed or that have problems, then the oldest
  readings. At start every room is due, so the first pass runs at the full budget;
* the Dashboard list: back to back within its own per-minute limit (the pacer spaces it);
* room profiles (type, capacity, support contact): daily, after the devices' first pass;
* the event log is pruned to 30 days.

Exactly one process syncs (``store.leadership()``); the others follow the store's changes every
second and take over within ``leader_retry`` seconds when the leader goes away.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import anyio

from zoom_rooms_mcp.fleet.service import EVENT_RETENTION, FleetService
from zoom_rooms_mcp.fleet.state import META_SYNC_STATUS, META_TYPE_CENSUS
from zoom_rooms_mcp.store.api import Batch, DeviceReading, Store
from zoom_rooms_mcp.store.errors import StoreError
from zoom_rooms_mcp.zoom.catalog import Category
from zoom_rooms_mcp.zoom.errors import ZoomAuthError, ZoomError, ZoomPlanError, ZoomScopeError
from zoom_rooms_mcp.zoom.records import Room

log = logging.getLogger(__name__)

SyncState = Literal["off", "starting", "syncing", "current", "error"]
PROBLEM_STATUSES = frozenset({"Offline"})
FOLLOW_BACKOFF_MAX = 10.0


@dataclass(frozen=True, slots=True)
class Cadence:
    rooms: float = 60.0
    tree: float = 600.0
    census: float = 86_400.0
    profiles: float = 86_400.0
    min_device_cycle: float = 300.0
    min_dashboard_cycle: float = 300.0
    follow: float = 1.0
    leader_retry: float = 10.0
    leader_check: float = 5.0
    status: float = 5.0
    prune: float = 3_600.0
    backoff_initial: float = 5.0
    backoff_max: float = 300.0
    device_chunk: int = 100  # device readings per store transaction
    device_workers: int = 8  # concurrent device reads (the client's sync lane bounds them too)


@dataclass(slots=True)
class _Loop:
    """A coordinator's own state: its last success and the error it is backing off from."""

    name: str
    last_ok: float | None = None
    error: str | None = None
    failures: int = 0


class SyncEngine:
    def __init__(
        self,
        fleet: FleetService,
        store: Store,
        *,
        share: float,
        enabled: bool = True,
        cadence: Cadence | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.fleet = fleet
        self.store = store
        self.enabled = enabled
        self.cadence = cadence or Cadence()
        self.clock = clock
        self.sleep = sleep
        # The sync's budget for per-room reads: its share of the Medium limit the client paces to.
        self.device_budget = max(0.01, share * fleet.reader.client.pacer.rate(Category.MEDIUM))
        self.leadership = store.leadership()
        self.leader = False
        self._loops = {name: _Loop(name) for name in ("rooms", "tree", "devices", "dashboard", "profiles")}
        self._priority: set[str] = set()  # rooms to re-check first (status changed)
        self._wake = anyio.Event()
        self._dashboard_off = False  # Zoom refused the Dashboard (scope or plan): not waited for
        self._census_extra = False  # the unfiltered listing had rooms no per-type listing has
        self.read_error: str | None = None  # why the store's changes cannot be read now (None: they can)
        self._listed = anyio.Event()  # set once the rooms are known (the Dashboard is matched to them)
        self._devices_done = anyio.Event()  # set once every room's devices were read once

    # --- reporting --------------------------------------------------------------------------------

    def device_cycle(self) -> float:
        return max(self.cadence.min_device_cycle, len(self.fleet.state.rooms) / self.device_budget)

    def report(self) -> dict[str, object]:
        """The ``store.sync`` block of test_zoom_connection: this process's view, or the leader's."""
        state = self.fleet.state
        if not self.enabled:
            base: dict[str, object] = {"state": "off"}
        elif self.leader:
            base = self._own_status()
        else:
            published = state.sync_status()
            base = {k: published.get(k) for k in ("state", "last_error", "census")} if published else {}
            base["state"] = base.get("state") or "starting"
        checked_devices = sum(1 for r in state.devices.values() if r.devices is not None)
        return {
            "state": base.get("state"),
            "leader": self.leader,
            "rooms_total": len(state.rooms),
            "rooms_as_of": state.rooms_read_at,
            "devices_checked": min(checked_devices, len(state.rooms)),
            "dashboard_checked": min(len(state.dashboard), len(state.rooms)),
            # A replica that cannot read the store says so here too (answers then come from its memory).
            "last_error": "; ".join(str(e) for e in (base.get("last_error"), self._read_note()) if e) or None,
            "read_error": self.read_error,
            "device_cycle_seconds": round(self.device_cycle()),
            "census": base.get("census") or _json(state.meta.get(META_TYPE_CENSUS)),
        }

    def _own_status(self) -> dict[str, object]:
        errors = [f"{loop.name}: {loop.error}" for loop in self._loops.values() if loop.error]
        rooms = self._loops["rooms"]
        sync_state: SyncState
        if rooms.last_ok is None:
            sync_state = "error" if rooms.error else "starting"
        elif errors and rooms.error:
            sync_state = "error"
        elif self._current():
            sync_state = "current"
        else:
            sync_state = "syncing"
        return {"state": sync_state, "last_error": "; ".join(errors) or None}

    def _current(self) -> bool:
        fleet, state = self.fleet, self.fleet.state
        if not fleet.fresh(state.rooms_read_at, fleet.targets.rooms):
            return False
        target = fleet.device_target()
        for room_id, room in state.rooms.items():
            if room.status == "UnderConstruction":
                continue
            reading = state.devices.get(room_id)
            if reading is None or self.clock() - reading.read_at > target:
                return False
        return self._dashboard_off or state.dashboard_read_at is not None

    # --- running ----------------------------------------------------------------------------------

    async def run(self) -> None:
        """Follow the store, and sync when this process leads. Runs until cancelled."""
        self.fleet.background_sync = self.enabled
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._follow_loop)
                if self.enabled:
                    tg.start_soon(self._leadership_loop)
        finally:
            self.fleet.background_sync = False

    async def close(self) -> None:
        if self.leader:
            self.leader = False
            await self.leadership.release()

    async def _follow_loop(self) -> None:
        failures = 0
        while True:
            # A store that cannot be read (database restarting) is asked less and less often, up to every 10 s.
            await self.sleep(min(FOLLOW_BACKOFF_MAX, self.cadence.follow * 2.0**failures))
            if self.leader:
                continue  # the leader's own writes are already in its memory
            try:
                await self.fleet.follow()
            except StoreError as exc:
                failures = min(failures + 1, 8)
                self._read_failed(str(exc))
            else:
                failures = 0
                self._read_ok()

    def _read_failed(self, reason: str) -> None:
        """Answers go on from memory; say so in test_zoom_connection (``read_error``) and in tools' notes."""
        if self.read_error is None:
            log.warning("cannot read the fleet store's changes; answering from memory: %s", reason)
        self.read_error = reason
        if self.fleet.store_error is None:
            self.fleet.store_error = reason

    def _read_note(self) -> str | None:
        return f"store: {self.read_error}" if self.read_error else None

    def _read_ok(self) -> None:
        if self.read_error is None:
            return
        log.info("the fleet store can be read again")
        if self.fleet.store_error == self.read_error:
            self.fleet.store_error = None
        self.read_error = None

    async def _leadership_loop(self) -> None:
        while True:
            try:
                leads = await self.leadership.try_acquire()
            except StoreError as exc:
                log.warning("leadership check failed: %s", exc)
                leads = False
            if leads:
                self.leader = True
                log.info("this process syncs the fleet (pid %d)", os.getpid())
                try:
                    await self.fleet.follow()  # catch up with what the previous leader wrote
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(self._hold_leadership, tg.cancel_scope)
                        for loop in (
                            self._rooms_loop,
                            self._tree_loop,
                            self._devices_loop,
                            self._dashboard_loop,
                            self._profiles_loop,
                            self._status_loop,
                            self._prune_loop,
                        ):
                            tg.start_soon(loop)
                finally:
                    self.leader = False
                log.warning("this process lost the sync leadership; following the store instead")
            await self.sleep(self.cadence.leader_retry)

    async def _hold_leadership(self, scope: anyio.CancelScope) -> None:
        while True:
            await self.sleep(self.cadence.leader_check)
            try:
                still = await self.leadership.check()
            except StoreError:
                still = False
            if not still:
                scope.cancel()
                return

    async def _guarded(self, name: str, step: Callable[[], Awaitable[float]]) -> None:
        """Run one coordinator forever: ``step`` returns how long to wait; failures back off and are kept."""
        loop = self._loops[name]
        while True:
            try:
                wait = await step()
            except ZoomError as exc:
                loop.failures += 1
                loop.error = exc.message
                base = 60.0 if isinstance(exc, ZoomAuthError) else self.cadence.backoff_initial
                wait = min(self.cadence.backoff_max, base * 2 ** min(loop.failures - 1, 8))
                log.warning("sync of %s failed (retry in %.0f s): %s", name, wait, exc.message)
            else:
                loop.failures = 0
                loop.error = None
                loop.last_ok = self.clock()
            await self.sleep(wait)

    async def _rooms_loop(self) -> None:
        last_census = -math.inf

        async def step() -> float:
            nonlocal last_census
            before = {i: r.status for i, r in self.fleet.state.rooms.items()}
            census_due = self.clock() - last_census >= self.cadence.census
            if census_due:
                await self._census()
                last_census = self.clock()
            await self.fleet.refresh_rooms("sync", include_unfiltered=self._census_extra)
            self._listed.set()
            changed = {i for i, r in self.fleet.state.rooms.items() if before.get(i) != r.status}
            if changed:
                self._priority |= changed
                self._wake.set()
            return self.cadence.rooms

        await self._guarded("rooms", step)

    async def _census(self) -> None:
        """Does the unfiltered listing hold every type? Compare it with the per-type listings (DESIGN §9)."""
        unfiltered = await self.fleet.reader.unfiltered_ids("sync")
        listing = await self.fleet.reader.rooms("sync")
        typed = set(listing.rooms)
        only_unfiltered = len(unfiltered - typed)
        only_typed = len(typed - unfiltered)
        self._census_extra = only_unfiltered > 0
        census = {
            "checked_at": self.clock(),
            "unfiltered_total": len(unfiltered),
            "per_type_total": len(typed),
            "per_type": listing.per_type,
            "missing_from_unfiltered": only_typed,
            "missing_from_type_listings": only_unfiltered,
        }
        if only_unfiltered or only_typed:
            log.warning(
                "room listings disagree: %d room(s) only in the per-type listings, %d only in the unfiltered one",
                only_typed,
                only_unfiltered,
            )
        await self.fleet.write(Batch(meta={META_TYPE_CENSUS: json.dumps(census)}))

    async def _tree_loop(self) -> None:
        async def step() -> float:
            await self.fleet.refresh_tree("sync")
            return self.cadence.tree

        await self._guarded("tree", step)

    async def _devices_loop(self) -> None:
        async def step() -> float:
            self.fleet.device_cycle = self.device_cycle()
            due, wait = self._due_devices()
            if not due and self._listed.is_set():
                self._devices_done.set()
            if not due:
                self._wake = anyio.Event()
                with anyio.move_on_after(wait):
                    await self._wake.wait()
                return 0.0
            await self._read_devices(due)
            return 0.0

        await self._guarded("devices", step)

    async def _read_devices(self, rooms: list[Room]) -> None:
        """Read a pass of rooms' devices as a pipeline: the workers keep the sync lane busy while finished
        readings are stored in batches behind them, so the rotation runs at its budget, not stop-and-go."""
        pending = iter(rooms)
        buffer: dict[str, DeviceReading] = {}
        refusal: ZoomError | None = None

        async def flush() -> None:
            if buffer:
                batch = dict(buffer)
                buffer.clear()
                await self.fleet.record_devices(batch)

        async def worker() -> None:
            nonlocal refusal
            for room in pending:  # one shared iterator: each room is read once
                try:
                    devices = await self.fleet.reader.devices(room.id, "sync")
                except (ZoomScopeError, ZoomPlanError) as exc:
                    refusal = exc
                    return
                except ZoomError as exc:  # one room's failure never stops the pass
                    log.info("devices of room %s not read: %s", room.id, exc.message)
                    continue
                buffer[room.id] = DeviceReading(devices=devices, read_at=self.clock())
                self._priority.discard(room.id)
                if len(buffer) >= self.cadence.device_chunk:
                    await flush()

        async with anyio.create_task_group() as tg:
            for _ in range(self.cadence.device_workers):
                tg.start_soon(worker)
        await flush()
        if refusal is not None:
            raise refusal  # a missing scope: back off instead of spinning through every room

    def _due_devices(self) -> tuple[list[Room], float]:
        """Rooms whose devices are due, most urgent first, and how long until the next one is due."""
        state = self.fleet.state
        now = self.clock()
        cycle = self.device_cycle()
        ranked: list[tuple[int, float, Room]] = []
        next_due = cycle
        for room_id, room in state.rooms.items():
            if room.status == "UnderConstruction":
                continue
            reading = state.devices.get(room_id)
            if reading is None:
                ranked.append((0, 0.0, room))
                continue
            age = now - reading.read_at
            if room_id in self._priority or (age >= cycle / 2 and self._has_problem(room_id)):
                ranked.append((1, reading.read_at, room))
            elif age >= cycle:
                ranked.append((2, reading.read_at, room))
            else:
                next_due = min(next_due, cycle - age)
        ranked.sort(key=lambda item: (item[0], item[1]))
        # A pass is bounded so that rooms whose status changes meanwhile wait at most ~10 s for their turn.
        size = max(self.cadence.device_chunk, int(self.device_budget * 10))
        return [room for _, _, room in ranked[:size]], max(1.0, next_due)

    def _has_problem(self, room_id: str) -> bool:
        state = self.fleet.state
        room = state.rooms[room_id]
        if room.status in PROBLEM_STATUSES:
            return True
        reading = state.devices.get(room_id)
        if reading is not None and any(d.status == "Offline" for d in reading.devices or ()):
            return True
        dash = state.dashboard.get(room_id)
        return dash is not None and dash.row is not None and bool(dash.row.issues)

    async def _dashboard_loop(self) -> None:
        async def step() -> float:
            await self._listed.wait()  # the Dashboard is matched to rooms: wait for the first listing
            started = self.clock()
            try:
                await self.fleet.refresh_dashboard_all("sync")
            except (ZoomScopeError, ZoomPlanError):
                self._dashboard_off = True
                return 3_600.0  # the scope or plan may change; look again hourly
            self._dashboard_off = False
            return max(0.0, self.cadence.min_dashboard_cycle - (self.clock() - started))

        await self._guarded("dashboard", step)

    async def _profiles_loop(self) -> None:
        async def step() -> float:
            await self._devices_done.wait()  # devices first: they decide health; profiles add type and capacity
            state = self.fleet.state
            now = self.clock()
            due = [
                room
                for room_id, room in state.rooms.items()
                if room_id not in state.profiles or now - state.profiles[room_id].read_at >= self.cadence.profiles
            ][: self.cadence.device_chunk]
            if not due:
                return 600.0
            await self.fleet.refresh_profiles(due, "sync")
            return 0.0

        await self._guarded("profiles", step)

    async def _status_loop(self) -> None:
        published: str | None = None
        while True:
            status = json.dumps(self._own_status() | {"pid": os.getpid()}, sort_keys=True)
            if status != published:
                await self.fleet.write(Batch(meta={META_SYNC_STATUS: status}))
                published = status
            await self.sleep(self.cadence.status)

    async def _prune_loop(self) -> None:
        while True:
            try:
                removed = await self.store.prune_events(self.clock() - EVENT_RETENTION)
                if removed:
                    log.info("pruned %d event(s) older than 30 days", removed)
            except StoreError as exc:
                log.warning("cannot prune the event log: %s", exc)
            await self.sleep(self.cadence.prune)


def _json(text: str | None) -> object:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
