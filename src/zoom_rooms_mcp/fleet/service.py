"""The fleet as the tools see it: answered from the store when it is fresh, read from Zoom when it is not.

One rule for every source (locations, the room listing, devices, the Dashboard): a tool answers from the
store when the data it needs is within its freshness target, and otherwise reads Zoom now (the ``tool``
lane, ahead of the background sync) and writes what it read back, so the next answer and every other
process gets it too. The background sync (``fleet.sync``) calls the same ``refresh_*`` methods on the
``sync`` lane, so the store is written one way only and every change becomes an event the same way.

On-demand reads are bounded (a cold whole-fleet question must not wait for 5,000 device reads): what
was not checked stays ``unknown`` and ``coverage``/``notes`` say so; once the sync is current every
answer is complete.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import anyio

from zoom_rooms_mcp.cache import TTLCache
from zoom_rooms_mcp.fleet import changes as diff
from zoom_rooms_mcp.fleet.lookup import RoomLookupError, RoomMatch, exact, find
from zoom_rooms_mcp.fleet.reader import Lane, Ranking, ZoomReader, fan_out
from zoom_rooms_mcp.fleet.state import (
    META_DASHBOARD_READ_AT,
    META_ROOMS_READ_AT,
    META_TREE_READ_AT,
    FleetState,
    Version,
    room_row,
)
from zoom_rooms_mcp.fleet.tree import TreeSnapshot
from zoom_rooms_mcp.locations.resolver import Resolution
from zoom_rooms_mcp.policy import degraded_note
from zoom_rooms_mcp.store.api import (
    Batch,
    DashboardReading,
    DeviceReading,
    EventPage,
    EventQuery,
    NewEvent,
    OccupancyReading,
    ProfileReading,
    RoomRow,
    SensorReading,
    Store,
)
from zoom_rooms_mcp.store.errors import StoreError
from zoom_rooms_mcp.zoom.client import PAGE_SIZE
from zoom_rooms_mcp.zoom.errors import ZoomError, ZoomNotFoundError, ZoomPlanError, ZoomScopeError
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, IssueEvent, Room, RoomProfile

log = logging.getLogger(__name__)

Source = Literal["rooms", "devices", "dashboard"]
Progress = Callable[[int, int], Awaitable[None]]

# What each source is called in a note when Zoom refuses it (the wording itself is policy.degraded_note's).
SOURCE_LABELS: dict[Source, str] = {"rooms": "Room data", "devices": "Device checks", "dashboard": "Dashboard health"}
ON_DEMAND_DEVICES = 500  # device reads one tool call may wait for (Medium: seconds at the plan's rate)
ON_DEMAND_DASHBOARD_ROOMS = 100  # per-room Dashboard reads (Heavy: tens per second)
ON_DEMAND_DASHBOARD_PAGES = 10  # Dashboard list pages (Resource-intensive: 10-20 a minute)
UNAVAILABLE_RETRY = 600.0  # a missing scope or plan is re-tried after this long
EVENT_RETENTION = 30 * 86_400.0
MAX_GROUP = 500  # batches per group-committed transaction


@dataclass(frozen=True, slots=True)
class Targets:
    """How old (seconds) each source may be for an answer to use it without reading Zoom again."""

    tree: float = 900.0
    rooms: float = 90.0
    devices: float = 600.0
    dashboard: float = 900.0
    profile: float = 86_400.0
    room_detail: float = 60.0  # one room's devices and Dashboard row in get_room_details


@dataclass(frozen=True, slots=True)
class Freshness:
    """The oldest read time (epoch seconds) of each source an answer used; None when it was not used."""

    rooms_as_of: float | None
    devices_as_of: float | None
    dashboard_as_of: float | None


@dataclass(frozen=True, slots=True)
class Coverage:
    rooms: int
    devices_checked: int
    dashboard_checked: int


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a question looks: the whole fleet (``location_ids`` None) or a resolved subtree."""

    tree: TreeSnapshot
    resolution: Resolution | None
    location_ids: frozenset[str] | None

    @property
    def resolved(self) -> bool:
        return self.resolution is None or self.resolution.status in ("exact", "fuzzy")


@dataclass(slots=True)
class FleetView:
    """Everything an answer about a set of rooms needs, with how fresh and how complete it is."""

    tree: TreeSnapshot
    rooms: list[Room]
    devices: dict[str, tuple[Device, ...]]  # rooms whose devices were considered
    dashboard: dict[str, DashboardRow | None]  # rooms whose Dashboard was considered (None: Zoom has no row)
    newest: dict[str, Version]  # the fleet's newest app version per device type
    freshness: Freshness
    coverage: Coverage
    sources: list[Source]
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RoomView:
    """One room in full, for get_room_details."""

    tree: TreeSnapshot
    match: RoomMatch
    room: Room
    profile: RoomProfile | None
    devices: tuple[Device, ...] | None
    dashboard: DashboardRow | None
    dashboard_read: bool  # False when the Dashboard could not be read (plan, scope, failure)
    sensors: SensorReading | None
    occupancy: OccupancyReading | None
    offline_since: float | None
    newest: dict[str, Version]
    freshness: Freshness
    notes: list[str] = field(default_factory=list)


class FleetService:
    def __init__(
        self,
        reader: ZoomReader,
        store: Store,
        *,
        targets: Targets | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reader = reader
        self.store = store
        self.targets = targets or Targets()
        self.clock = clock
        self.state = FleetState()
        self.store_error: str | None = None  # why writes are failing (answers go on from memory)
        self.background_sync = False  # True while a sync keeps every source current (fleet.sync)
        self.device_cycle = 0.0  # seconds the sync takes to read every room's devices once (fleet.sync)
        self._write_lock = anyio.Lock()
        self._pending: list[_Write] = []  # batches waiting for the write lock (written in groups)
        self._flights: dict[Hashable, anyio.Lock] = {}
        self._unavailable: dict[Source, tuple[ZoomError, float]] = {}
        self._stale_before = 0.0
        self._cache = TTLCache(monotonic)
        self._changed = anyio.Event()

    # --- life -------------------------------------------------------------------------------------

    async def load(self) -> None:
        """Start from what the store already knows (a restarted server answers at once)."""
        self.state.apply(await self.store.load())

    async def follow(self) -> bool:
        """Take in other processes' writes; True when anything was new."""
        changes = await self.store.changes(self.state.seq)
        if changes.seq <= self.state.seq:
            return False
        self.state.apply(changes)
        self._notify()
        return True

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def changed(self) -> None:
        """Wait until the fleet changes (a write here, or another process's write seen by ``follow``)."""
        await self._changed.wait()

    def invalidate(self) -> None:
        """Treat everything read so far as stale (``test_zoom_connection(force_refresh=True)``)."""
        self._stale_before = self.clock()
        self._unavailable.clear()
        self._cache.clear()

    def now(self) -> float:
        return self.clock()

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock(), UTC).date()

    def fresh(self, read_at: float | None, target: float) -> bool:
        return read_at is not None and read_at >= self._stale_before and self.clock() - read_at < target

    # --- writing ----------------------------------------------------------------------------------

    async def write(self, batch: Batch) -> None:
        """Persist and remember. A store that cannot be written (disk full, database down) never loses the
        answer: the change is kept in memory and ``store_error`` says why it was not saved.

        Group commit: writes that queue up behind one another go into the store together, in order, as one
        transaction (a burst of webhook events costs one transaction, not one each: bench (f))."""
        await self._enqueue(_Write(batch, mergeable(batch)))

    async def write_with(self, build: Callable[[], Batch], *, merges: bool = False) -> None:
        """A write computed from the current state (a diff against what was known, a merge into a room's row):
        built under the write lock after every write queued before it, so it never undoes a newer change.
        ``merges``: what ``build`` returns never replaces locations or deletes rooms, so it may share a
        transaction with its neighbours (it is still built after every write before it in the group)."""
        await self._enqueue(_Write(build, merges))

    async def _enqueue(self, write: _Write) -> None:
        self._pending.append(write)
        try:
            await self._write_lock.acquire()
        except BaseException:  # cancelled while queued: it was never written, so it never will be
            self._pending = [queued for queued in self._pending if queued is not write]
            raise
        try:
            while any(queued is write for queued in self._pending):  # else an earlier holder wrote it
                # Shielded: other writers' batches ride on this write, so store and memory must both get it.
                with anyio.CancelScope(shield=True):
                    await self._write_group(self._next_group())
        finally:
            self._write_lock.release()

    def _next_group(self) -> list[_Write]:
        """The oldest pending write and those after it that merge with it without changing the outcome."""
        group = [self._pending.pop(0)]
        while self._pending and len(group) < MAX_GROUP and group[0].merges and self._pending[0].merges:
            group.append(self._pending.pop(0))
        return group

    async def _write_group(self, group: list[_Write]) -> None:
        if len(group) == 1:
            await self._write_now(group[0].batch())
            return
        batches = []
        for write in group:
            batch = write.batch()
            # In memory at once, so that the next write of the group is built on it; the store gets them all.
            self.state.apply_batch(batch, self.state.seq)
            batches.append(batch)
        await self._write_now(merge_batches(batches))

    async def _write_now(self, batch: Batch) -> None:
        try:
            seq = await self.store.write(batch)
        except StoreError as exc:
            self.store_error = str(exc)
            log.warning("fleet store write failed; keeping the data in memory: %s", exc)
            self.state.apply_batch(batch, self.state.seq)
            self._notify()
            return
        self.store_error = None
        self.state.apply_batch(batch, seq)
        self._notify()

    async def _once(self, key: Hashable, fresh: Callable[[], bool], load: Callable[[], Awaitable[None]]) -> None:
        """Single flight: concurrent callers needing the same refresh share one read."""
        if fresh():
            return
        lock = self._flights.setdefault(key, anyio.Lock())
        async with lock:
            if not fresh():
                await load()

    # --- refreshing from Zoom (tools: lane "tool"; the sync: lane "sync") -------------------------

    async def refresh_tree(self, lane: Lane) -> None:
        locations, structure, read_at = await self.reader.locations(lane)
        changed = locations != self.state.locations or list(structure or []) != self.state.structure
        await self.write(
            Batch(
                locations=locations if changed else None,
                structure=structure or [] if changed else None,
                meta={META_TREE_READ_AT: repr(read_at)},
            )
        )

    async def refresh_rooms(self, lane: Lane, *, include_unfiltered: bool = False) -> None:
        listing = await self.reader.rooms(lane, include_unfiltered=include_unfiltered)

        def batch() -> Batch:
            old = self.state.rooms
            merged: dict[str, Room] = {}
            for room_id, room in listing.rooms.items():
                before = old.get(room_id)
                merged[room_id] = replace(
                    room,
                    room_type=room.room_type or (before.room_type if before else None),
                    capacity=before.capacity if before else None,
                )
            paths = self.state.tree.paths if self.state.tree else {}
            # The first listing has nothing to compare with: every room would be "added".
            events = diff.room_events(old, merged, listing.read_at, paths) if old else []
            return Batch(
                rooms_upsert=[room_row(r, listing.read_at) for i, r in merged.items() if old.get(i) != r],
                rooms_delete=[room_id for room_id in old if room_id not in merged],
                events=events,
                meta={META_ROOMS_READ_AT: repr(listing.read_at)},
            )

        await self.write_with(batch)

    async def refresh_devices(
        self, rooms: Sequence[Room], lane: Lane, on_done: Callable[[int], Awaitable[None]] | None = None
    ) -> dict[str, ZoomError]:
        """Read the rooms' devices; returns the rooms that failed (by id) with why."""
        at = self.clock()

        async def read(room_id: str) -> tuple[Device, ...]:
            return await self.reader.devices(room_id, lane)

        found, failures = await fan_out(read, [r.id for r in rooms], on_done=on_done)
        await self.record_devices({i: DeviceReading(devices=d, read_at=at) for i, d in found.items()})
        return failures

    async def record_devices(self, readings: Mapping[str, DeviceReading]) -> None:
        """Store device readings, with an event for every device that went offline or came back."""
        if not readings:
            return

        def batch() -> Batch:
            events: list[NewEvent] = []
            for room_id, reading in readings.items():
                room = self.state.rooms.get(room_id)
                previous = self.state.devices.get(room_id)
                if room is not None and reading.devices is not None:
                    before = previous.devices if previous else None
                    events.extend(diff.device_events(room, before, reading.devices, reading.read_at))
            return Batch(devices=dict(readings), events=events)

        await self.write_with(batch)

    def device_target(self) -> float:
        """How old a device reading may be: the target, or longer when the sync's rotation needs longer to
        go round a large fleet within its budget (it then reads every room once per ``device_cycle``)."""
        return max(self.targets.devices, 1.5 * self.device_cycle)

    async def refresh_dashboard_all(self, lane: Lane) -> None:
        rows, read_at = await self.reader.dashboard_all(lane)

        def batch() -> Batch:
            readings: dict[str, DashboardReading] = {}
            events: list[NewEvent] = []
            for room_id, room in self.state.rooms.items():
                row = rows.get(room.dashboard_id)
                previous = self.state.dashboard.get(room_id)
                if previous is not None:
                    events.extend(diff.dashboard_events(room, previous.row, row, read_at))
                readings[room_id] = DashboardReading(row=row, read_at=read_at)
            return Batch(dashboard=readings, events=events, meta={META_DASHBOARD_READ_AT: repr(read_at)})

        await self.write_with(batch)

    async def refresh_dashboard_rooms(self, rooms: Sequence[Room], lane: Lane) -> dict[str, ZoomError]:
        at = self.clock()
        day = self.today()

        async def read(room_id: str) -> DashboardRow:
            return await self.reader.dashboard_room(by_id[room_id].dashboard_id, day, lane)

        by_id = {r.id: r for r in rooms}
        rows, failures = await fan_out(read, list(by_id))
        found: dict[str, DashboardRow | None] = dict(rows)
        # A room the Dashboard does not know is a room without a Dashboard row, not a failure.
        for room_id, exc in list(failures.items()):
            if isinstance(exc, ZoomNotFoundError):
                found[room_id] = None
                del failures[room_id]

        def batch() -> Batch:
            events: list[NewEvent] = []
            for room_id, row in found.items():
                previous = self.state.dashboard.get(room_id)
                if previous is not None:
                    events.extend(diff.dashboard_events(by_id[room_id], previous.row, row, at))
            return Batch(
                dashboard={i: DashboardReading(row=row, read_at=at) for i, row in found.items()}, events=events
            )

        if found:
            await self.write_with(batch)
        return failures

    async def refresh_profiles(self, rooms: Sequence[Room], lane: Lane) -> dict[str, ZoomError]:
        at = self.clock()

        async def read(room_id: str) -> RoomProfile:
            return await self.reader.profile(room_id, lane)

        found, failures = await fan_out(read, [r.id for r in rooms])

        def batch() -> Batch:
            # The room's row as it is now (a listing may have changed its status meanwhile), plus the profile.
            upserts = []
            for room_id, profile in found.items():
                room = self.state.rooms.get(room_id)
                if room is not None:
                    updated = replace(room, capacity=profile.capacity, room_type=room.room_type or profile.room_type)
                    if updated != room:
                        upserts.append(room_row(updated, at))
            return Batch(
                profiles={room_id: ProfileReading(profile, at) for room_id, profile in found.items()},
                rooms_upsert=upserts,
            )

        if found:
            await self.write_with(batch)
        return failures

    async def refresh_rooms_since(self, since: float) -> None:
        """Re-list the rooms unless a listing started at or after ``since`` (a webhook's arrival): a burst of
        room events becomes one listing, and a listing from before the change never counts."""
        fresh = lambda: (self.state.rooms_read_at or 0.0) >= since  # noqa: E731
        await self._once("rooms", fresh, lambda: self.refresh_rooms("sync"))

    async def refresh_tree_since(self, since: float) -> None:
        fresh = lambda: self.state.tree is not None and self.state.tree.read_at >= since  # noqa: E731
        await self._once("tree", fresh, lambda: self.refresh_tree("sync"))

    # --- answering --------------------------------------------------------------------------------

    async def tree(self) -> TreeSnapshot:
        await self._once("tree", lambda: self._tree_fresh(), lambda: self.refresh_tree("tool"))
        assert self.state.tree is not None  # refresh_tree stores a tree or raises
        return self.state.tree

    def _tree_fresh(self) -> bool:
        tree = self.state.tree
        return tree is not None and self.fresh(tree.read_at, self.targets.tree)

    async def scope(self, location_query: str | None, *, max_candidates: int = 5) -> Scope:
        tree = await self.tree()
        if location_query is None or not location_query.strip():
            return Scope(tree=tree, resolution=None, location_ids=None)
        resolution = tree.resolver.resolve(location_query, max_candidates=max_candidates)
        if resolution.status not in ("exact", "fuzzy"):
            return Scope(tree=tree, resolution=resolution, location_ids=frozenset())
        return Scope(
            tree=tree,
            resolution=resolution,
            location_ids=frozenset(tree.subtree([loc.id for loc in resolution.locations])),
        )

    async def all_rooms(self) -> list[Room]:
        await self._once(
            "rooms",
            lambda: self.fresh(self.state.rooms_read_at, self.targets.rooms),
            lambda: self.refresh_rooms("tool"),
        )
        return list(self.state.rooms.values())

    async def rooms(self, scope: Scope) -> list[Room]:
        """The rooms in scope, from a listing within its freshness target."""
        everything = await self.all_rooms()
        if scope.location_ids is None:
            return everything
        return self.state.rooms_at(scope.location_ids)

    async def view(
        self,
        scope: Scope,
        *,
        devices: bool = True,
        dashboard: bool = True,
        room_filter: Callable[[Room], bool] | None = None,
        progress: Progress | None = None,
    ) -> FleetView:
        """The rooms in scope with their devices and Dashboard rows, each as fresh as its target allows."""
        rooms = await self.rooms(scope)
        if room_filter is not None:
            rooms = [r for r in rooms if room_filter(r)]
        notes: list[str] = []
        sources: list[Source] = ["rooms"]
        active = [r for r in rooms if r.status != "UnderConstruction"]
        device_map: dict[str, tuple[Device, ...]] = {}
        dashboard_map: dict[str, DashboardRow | None] = {}
        if devices and active:
            await self._ensure_devices(active, notes, progress)
            for room in active:
                reading = self.state.devices.get(room.id)
                if reading is not None and reading.devices is not None:
                    device_map[room.id] = reading.devices
            if device_map:
                sources.append("devices")
        if dashboard and active:
            await self._ensure_dashboard(active, notes)
            for room in active:
                dash = self.state.dashboard.get(room.id)
                if dash is not None:
                    dashboard_map[room.id] = dash.row
            if dashboard_map:
                sources.append("dashboard")
        if self.store_error:
            notes.append("The fleet store cannot be written right now; answers come from memory.")
        return FleetView(
            tree=scope.tree,
            rooms=rooms,
            devices=device_map,
            dashboard=dashboard_map,
            newest=await self.baseline(notes) if devices else self.state.newest_versions(),
            freshness=Freshness(
                rooms_as_of=self.state.rooms_read_at,
                devices_as_of=_oldest(self.state.devices[i].read_at for i in device_map),
                dashboard_as_of=_oldest(self.state.dashboard[i].read_at for i in dashboard_map),
            ),
            coverage=Coverage(rooms=len(rooms), devices_checked=len(device_map), dashboard_checked=len(dashboard_map)),
            sources=sources,
            notes=notes,
        )

    async def _ensure_devices(self, rooms: Sequence[Room], notes: list[str], progress: Progress | None) -> None:
        if self._skip("devices", notes):
            return
        stale = [r for r in rooms if not self._reading_fresh(self.state.devices.get(r.id), self.device_target())]
        if not stale:
            return
        # Never-checked rooms first, then the oldest readings.
        stale.sort(key=lambda r: self.state.devices[r.id].read_at if r.id in self.state.devices else -1.0)
        batch = stale[:ON_DEMAND_DEVICES]
        if len(stale) > len(batch):
            notes.append(
                f"Devices of {len(stale) - len(batch)} room(s) were not read for this answer (at most "
                f"{ON_DEMAND_DEVICES} per call); the background sync checks every room, so ask again shortly "
                "for a complete answer. Their health is 'unknown' unless an older reading exists."
            )
        total = len(batch)

        async def done(count: int) -> None:
            if progress is not None and (count == total or count % 10 == 0):
                await progress(count, total)

        if progress is not None:
            await progress(0, total)
        failures = await self.refresh_devices(batch, "tool", on_done=done)
        self._note_failures("devices", "Devices", failures, {r.id: r for r in batch}, notes)

    async def _ensure_dashboard(self, rooms: Sequence[Room], notes: list[str]) -> None:
        if self._skip("dashboard", notes):
            return
        if self.fresh(self.state.dashboard_read_at, self.targets.dashboard):
            return  # a complete list is recent: rooms without a reading have no Dashboard row
        stale = [r for r in rooms if not self._reading_fresh(self.state.dashboard.get(r.id), self.targets.dashboard)]
        if not stale:
            return
        try:
            if len(stale) <= ON_DEMAND_DASHBOARD_ROOMS:
                failures = await self.refresh_dashboard_rooms(stale, "tool")
                self._note_failures("dashboard", "Dashboard health", failures, {r.id: r for r in stale}, notes)
                return
            pages = math.ceil(max(len(self.state.rooms), len(rooms)) / PAGE_SIZE)
            if pages <= ON_DEMAND_DASHBOARD_PAGES:
                await self._once(
                    "dashboard",
                    lambda: self.fresh(self.state.dashboard_read_at, self.targets.dashboard),
                    lambda: self.refresh_dashboard_all("tool"),
                )
                return
        except (ZoomScopeError, ZoomPlanError) as exc:
            self._unavailable["dashboard"] = (exc, self.clock())
            self._skip("dashboard", notes)
            return
        except ZoomError as exc:
            notes.append(degraded_note(exc, SOURCE_LABELS["dashboard"]))
            return
        checked = sum(1 for r in rooms if r.id in self.state.dashboard)
        notes.append(
            f"Dashboard health for the whole list would take {pages} Dashboard requests now (Zoom allows 10-20 a "
            f"minute); the background sync reads it within that limit ({checked} of {len(rooms)} rooms so far). "
            "Narrow location_query to 100 rooms or fewer to read it now."
        )

    async def baseline(self, notes: list[str]) -> dict[str, Version]:
        """The fleet's newest app version per device type: the one yardstick for "outdated" in every answer.

        It needs every room's devices. With the background sync they come within its first pass, and until
        then the note says how many rooms the comparison rests on; without the sync, the rooms not read yet
        are read now (bounded like any on-demand read), so a site that is entirely behind is still flagged.
        """
        active = [r for r in await self.all_rooms() if r.status != "UnderConstruction"]
        missing = [r for r in active if r.id not in self.state.devices]
        if missing and not self.background_sync and not self._skip("devices", []):
            # Single flight: concurrent answers wait for one read of the missing rooms instead of each reading them.
            lock = self._flights.setdefault("baseline", anyio.Lock())
            read_by_another = lock.locked()
            async with lock:
                missing = [r for r in active if r.id not in self.state.devices]
                if missing and not read_by_another:
                    failures = await self.refresh_devices(missing[:ON_DEMAND_DEVICES], "tool")
                    if any(isinstance(e, ZoomScopeError | ZoomPlanError) for e in failures.values()):
                        self._note_failures("devices", "Devices", failures, {r.id: r for r in missing}, [])
            missing = [r for r in active if r.id not in self.state.devices]
        if missing:
            notes.append(
                f"App versions are compared with the newest among the {len(active) - len(missing)} of "
                f"{len(active)} rooms whose devices have been read so far."
            )
        return self.state.newest_versions()

    def _reading_fresh(self, reading: DeviceReading | DashboardReading | None, target: float) -> bool:
        return reading is not None and self.fresh(reading.read_at, target)

    def _skip(self, source: Source, notes: list[str]) -> bool:
        """A source Zoom refused for lack of scope or plan is not asked again for a while."""
        entry = self._unavailable.get(source)
        if entry is None:
            return False
        exc, at = entry
        if self.clock() - at > UNAVAILABLE_RETRY:
            del self._unavailable[source]
            return False
        notes.append(degraded_note(exc, SOURCE_LABELS[source]))
        return True

    def _note_failures(
        self,
        source: Source,
        what: str,
        failures: dict[str, ZoomError],
        rooms: dict[str, Room],
        notes: list[str],
    ) -> None:
        if not failures:
            return
        refusal = next((e for e in failures.values() if isinstance(e, ZoomScopeError | ZoomPlanError)), None)
        if refusal is not None:
            self._unavailable[source] = (refusal, self.clock())
            notes.append(degraded_note(refusal, SOURCE_LABELS[source]))
            return
        names = ", ".join(f"'{rooms[i].name}'" for i in sorted(failures, key=lambda i: rooms[i].name)[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        first = next(iter(failures.values()))
        notes.append(f"{what} of {len(failures)} room(s) could not be read ({first.message}): {names}{more}.")

    # --- one room ---------------------------------------------------------------------------------

    async def find_room(self, query: str) -> RoomMatch:
        """A room by id, dashboard id or name: exact (folded) first, then one clearly meant name."""
        text = query.strip()
        if not self.state.rooms and 0 < len(text) <= 64:
            # Before any listing, Zoom's name filter (one request) often settles it.
            try:
                narrowed = await self.reader.rooms_named(text, "tool")
            except ZoomError:
                narrowed = []  # the full listing below reports the failure if it persists
            match = exact(narrowed, text)
            if match is not None:
                return match
        rooms = await self.all_rooms()
        try:
            return find(rooms, text)
        except RoomLookupError:
            if self.fresh(self.state.rooms_read_at, self.targets.room_detail):
                raise
        # A room added since the last listing: list again once before giving up.
        await self.refresh_rooms("tool")
        return find(list(self.state.rooms.values()), text)

    async def room_view(self, query: str) -> RoomView:
        match = await self.find_room(query)
        tree = await self.tree()
        room = match.room
        notes: list[str] = []
        dashboard_read = True

        async def devices() -> None:
            if self._reading_fresh(self.state.devices.get(room.id), self.targets.room_detail):
                return
            failures = await self.refresh_devices([room], "tool")
            self._note_failures("devices", "Devices", failures, {room.id: room}, notes)

        async def dashboard() -> None:
            nonlocal dashboard_read
            if self._skip("dashboard", notes):
                dashboard_read = False
                return
            if self._reading_fresh(self.state.dashboard.get(room.id), self.targets.room_detail):
                return
            failures = await self.refresh_dashboard_rooms([room], "tool")
            if failures:
                dashboard_read = room.id in self.state.dashboard
                self._note_failures("dashboard", "Dashboard health", failures, {room.id: room}, notes)

        async def profile() -> None:
            reading = self.state.profiles.get(room.id)
            if reading is not None and self.fresh(reading.read_at, self.targets.profile):
                return
            failures = await self.refresh_profiles([room], "tool")
            error = failures.get(room.id)
            if error is not None:
                notes.append(degraded_note(error, "Room type, capacity and support contact"))

        async with anyio.create_task_group() as tg:
            for read in (devices, dashboard, profile):
                tg.start_soon(read)
        device_reading = self.state.devices.get(room.id)
        dash = self.state.dashboard.get(room.id)
        prof = self.state.profiles.get(room.id)
        current = self.state.rooms.get(room.id, room)
        return RoomView(
            tree=tree,
            match=match,
            room=current,
            profile=prof.profile if prof else None,
            devices=device_reading.devices if device_reading else None,
            dashboard=dash.row if dash else None,
            dashboard_read=dashboard_read and dash is not None,
            sensors=self.state.sensors.get(room.id),
            occupancy=self.state.occupancy.get(room.id),
            offline_since=await self.offline_since(current),
            newest=await self.baseline(notes),
            freshness=Freshness(
                rooms_as_of=self.state.rooms_read_at,
                devices_as_of=device_reading.read_at if device_reading else None,
                dashboard_as_of=dash.read_at if dash else None,
            ),
            notes=sorted(set(notes)),
        )

    async def offline_since(self, room: Room) -> float | None:
        """When an offline room went offline, if the event log saw it happen."""
        if room.status != "Offline":
            return None
        page = await self.events(
            EventQuery(since=self.clock() - EVENT_RETENTION, room_ids=frozenset({room.id}), severity="critical")
        )
        return next((e.time for e in page.events if e.kind in ("room_offline", "issue_raised")), None)

    # --- history and rankings (read on demand, cached briefly) ------------------------------------

    async def issue_history(self, room: Room, start: date, end: date) -> list[IssueEvent]:
        events, _ = await self.issue_history_read(room, start, end)
        return events

    async def issue_history_read(self, room: Room, start: date, end: date) -> tuple[list[IssueEvent], float]:
        """A room's issue history and when Zoom was read (epoch seconds), cached like ``issue_history``."""

        async def load() -> tuple[list[IssueEvent], float]:
            at = self.clock()
            return await self.reader.issue_history(room.dashboard_id, start, end, "tool"), at

        entry = await self._cache.get(("issues", room.dashboard_id, start, end), self.targets.room_detail * 5, load)
        found: tuple[list[IssueEvent], float] = entry.value
        return found

    async def ranking(self, start: date, end: date) -> Ranking:
        entry = await self._cache.get(
            ("ranking", start, end), self.targets.room_detail * 5, lambda: self.reader.ranking(start, end, "tool")
        )
        ranking: Ranking = entry.value
        return ranking

    def window(self, days: int) -> tuple[date, date]:
        end = self.today()
        return end - timedelta(days=days - 1), end

    async def events(self, query: EventQuery) -> EventPage:
        return await self.store.events(query)


@dataclass(frozen=True, slots=True)
class _Write:
    """A queued write: a batch, or a function that builds one from the state when its turn comes."""

    item: Batch | Callable[[], Batch]
    merges: bool

    def batch(self) -> Batch:
        return self.item if isinstance(self.item, Batch) else self.item()


def mergeable(batch: Batch) -> bool:
    """Whether a batch can share a transaction with its neighbours: the store applies upserts before
    deletions and replaces the locations wholesale, so only batches without either merge safely."""
    return batch.locations is None and batch.structure is None and not batch.rooms_delete


def merge_batches(batches: Sequence[Batch]) -> Batch:
    """Mergeable batches as one, with the outcome of writing them in order: later readings and room rows
    win, events are appended (a repeated ``dedupe_key`` is still stored once)."""
    rooms: dict[str, RoomRow] = {}
    for b in batches:
        rooms.update((row.room.id, row) for row in b.rooms_upsert)
    return Batch(
        rooms_upsert=list(rooms.values()),
        devices={k: v for b in batches for k, v in b.devices.items()},
        dashboard={k: v for b in batches for k, v in b.dashboard.items()},
        profiles={k: v for b in batches for k, v in b.profiles.items()},
        sensors={k: v for b in batches for k, v in b.sensors.items()},
        occupancy={k: v for b in batches for k, v in b.occupancy.items()},
        events=[event for b in batches for event in b.events],
        meta={k: v for b in batches for k, v in b.meta.items()},
    )


def _oldest(times: Iterable[float]) -> float | None:
    return min(times, default=None)
