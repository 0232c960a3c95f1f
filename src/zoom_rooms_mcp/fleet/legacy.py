"""Fleet data access: what the tools read from Zoom, cached with honest freshness.

* The location tree changes rarely: cached for minutes (``tree_ttl``).
* Room status changes often: cached for seconds (``rooms_ttl``); where only placement matters (room
  counts per location) an older listing is good enough (``placement_ttl``).
* A location-scoped query reads only that subtree (``/rooms?location_id=``, one query per location)
  when that costs fewer requests than paging through the whole fleet, and the full listing otherwise.
* Devices and dashboard rows are cached per room so a follow-up page of the same report is free.
Every cache is single-flight, so concurrent tool calls share one upstream read.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import anyio
from rapidfuzz import fuzz, process

from zoom_rooms_mcp.cache import TTLCache
from zoom_rooms_mcp.locations.model import LocationTree
from zoom_rooms_mcp.locations.resolver import LocationResolver
from zoom_rooms_mcp.locations.text import fold
from zoom_rooms_mcp.zoom.client import PAGE_SIZE, ZoomClient
from zoom_rooms_mcp.zoom.errors import ZoomError, ZoomScopeError

T = TypeVar("T")
Room = dict[str, Any]
FANOUT_CONCURRENCY = 8
ROOMS_PER_LEAF_GUESS = 5
PER_ROOM_DASHBOARD_MAX = 100  # up to this many rooms, read the dashboard per room (Heavy: tens per second)
# /metrics/zoomrooms allows 10-20 requests per *minute*: beyond this many pages a report would stall for minutes.
DASHBOARD_LIST_MAX_PAGES = 10


class DashboardTooLargeError(Exception):
    """Reading the dashboard for this scope would take too many Resource-intensive requests."""

    def __init__(self, pages: int) -> None:
        super().__init__(pages)
        self.pages = pages


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Data plus the wall-clock time it was read from Zoom (shown to the model as ``data_as_of``)."""

    fetched_at: float

    @property
    def as_of(self) -> str:
        return datetime.fromtimestamp(self.fetched_at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class TreeSnapshot(Snapshot):
    tree: LocationTree
    resolver: LocationResolver
    structure: list[str]
    paths: dict[str, str]  # location id → full path, computed once per tree
    estimated_rooms: int  # a guess at the fleet's size before the first full listing: 5 rooms per floor


@dataclass(frozen=True, slots=True)
class RoomsSnapshot(Snapshot):
    rooms: list[Room] = field(default_factory=list)


class RoomLookupError(Exception):
    """No single room fits; ``candidates`` are the closest names (for the error text)."""

    def __init__(self, query: str, candidates: list[Room]) -> None:
        super().__init__(query)
        self.query = query
        self.candidates = candidates


class FleetService:
    def __init__(
        self,
        client: ZoomClient,
        *,
        tree_ttl: float = 600.0,
        rooms_ttl: float = 30.0,
        placement_ttl: float = 600.0,
        devices_ttl: float = 120.0,
        dashboard_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.tree_ttl = tree_ttl
        self.rooms_ttl = rooms_ttl
        self.placement_ttl = placement_ttl
        self.devices_ttl = devices_ttl
        self.dashboard_ttl = dashboard_ttl
        self._wall = wall_clock
        self._cache = TTLCache(clock)
        self._known_total: int | None = None

    def invalidate(self) -> None:
        """Drop every cached read (``test_zoom_connection(force_refresh=True)``)."""
        self._cache.clear()
        self._known_total = None

    # --- locations -------------------------------------------------------------------------------

    async def tree(self) -> TreeSnapshot:
        entry = await self._cache.get(("tree",), self.tree_ttl, self._load_tree)
        snapshot: TreeSnapshot = entry.value
        return snapshot

    async def _load_tree(self) -> TreeSnapshot:
        fetched_at = self._wall()
        locations: list[dict[str, Any]] = []
        structure: list[str] | None = None

        async def read_locations() -> None:
            locations.extend(await self.client.get_all("list_locations", items="locations"))

        async def read_structure() -> None:
            nonlocal structure
            try:
                body = await self.client.get("location_structure")
            except ZoomScopeError:
                return  # optional: the levels are inferred from the types present instead
            raw = body.get("structures")
            structure = [str(s) for s in raw] if isinstance(raw, list) else None

        await gather_calls(read_locations, read_structure)  # independent reads: one round trip, not two
        tree = LocationTree.from_zoom(locations, structure)
        leaves = sum(1 for location in tree if not tree.children(location.id))
        return TreeSnapshot(
            fetched_at=fetched_at,
            tree=tree,
            resolver=tree.resolver,
            structure=list(tree.structure),
            paths={location.id: location.path_str for location in tree},
            estimated_rooms=ROOMS_PER_LEAF_GUESS * leaves,
        )

    # --- rooms -----------------------------------------------------------------------------------

    async def all_rooms(self, *, room_type: str | None = None, max_age: float | None = None) -> RoomsSnapshot:
        ttl = self.rooms_ttl if max_age is None else max_age
        entry = await self._cache.get(("rooms", room_type), ttl, lambda: self._load_rooms(room_type))
        snapshot: RoomsSnapshot = entry.value
        return snapshot

    async def tree_and_rooms(
        self, *, room_type: str | None = None, max_age: float | None = None
    ) -> tuple[TreeSnapshot, RoomsSnapshot]:
        """The location tree and the whole room listing, read concurrently (they are independent)."""
        tree: TreeSnapshot | None = None
        rooms: RoomsSnapshot | None = None

        async def read_tree() -> None:
            nonlocal tree
            tree = await self.tree()

        async def read_rooms() -> None:
            nonlocal rooms
            rooms = await self.all_rooms(room_type=room_type, max_age=max_age)

        await gather_calls(read_tree, read_rooms)
        # gather_calls raises if either read failed, so both are set here.
        assert tree is not None
        assert rooms is not None
        return tree, rooms

    async def _load_rooms(self, room_type: str | None) -> RoomsSnapshot:
        fetched_at = self._wall()
        rooms = await self.client.get_all("list_rooms", items="rooms", params={"type": room_type})
        if room_type is None:
            self._known_total = len(rooms)
        return RoomsSnapshot(fetched_at=fetched_at, rooms=rooms)

    async def rooms_in(
        self, location_ids: Iterable[str], *, room_type: str | None = None, estimated_total: int = 0
    ) -> RoomsSnapshot:
        """Rooms placed at any of ``location_ids`` (already expanded to whole subtrees).

        Reads the subtree location by location when that takes fewer requests than paging through the
        whole fleet; ``estimated_total`` sizes the fleet until a full listing has counted it.
        """
        targets = sorted(set(location_ids))
        cached = self._cache.peek(("rooms", room_type), self.rooms_ttl)
        if cached is None and len(targets) < self._full_listing_cost(estimated_total):
            return await self._rooms_per_location(targets, room_type)
        snapshot = cached.value if cached is not None else await self.all_rooms(room_type=room_type)
        wanted = set(targets)
        return RoomsSnapshot(
            fetched_at=snapshot.fetched_at, rooms=[r for r in snapshot.rooms if r.get("location_id") in wanted]
        )

    def _full_listing_cost(self, estimated_total: int) -> int:
        """Requests a full listing takes: counted by the last listing, else estimated."""
        total = self._known_total if self._known_total is not None else estimated_total
        return max(1, math.ceil(total / PAGE_SIZE))

    async def _rooms_per_location(self, targets: Sequence[str], room_type: str | None) -> RoomsSnapshot:
        fetched_at = self._wall()
        found: dict[str, Room] = {}

        async def load(location_id: str) -> list[Room]:
            return await self.client.get_all(
                "list_rooms", items="rooms", params={"location_id": location_id, "type": room_type}
            )

        async def one(location_id: str) -> None:
            entry = await self._cache.get(("rooms@", location_id, room_type), self.rooms_ttl, lambda: load(location_id))
            for room in entry.value:
                # Dedupe: if Zoom's location_id filter includes descendants, parents and children overlap.
                if room.get("location_id") in wanted:
                    found.setdefault(str(room.get("id")), room)

        wanted = set(targets)
        await gather(one, targets)
        return RoomsSnapshot(fetched_at=fetched_at, rooms=list(found.values()))

    async def find_room(self, query: str) -> Room:
        """A room by id, dashboard id or name: exact (folded) first, then a unique fuzzy match."""
        text = query.strip()
        # A server-side name filter is one request; only fall back to the whole listing if it is not decisive.
        if self._cache.peek(("rooms", None), self.rooms_ttl) is None and 0 < len(text) <= 64:
            try:
                entry = await self._cache.get(
                    ("rooms?name", text),
                    self.rooms_ttl,
                    lambda: self.client.get_all("list_rooms", items="rooms", params={"query_name": text}),
                )
                narrowed: list[Room] = entry.value
            except ZoomError:
                narrowed = []  # the full listing below reports the failure if it persists
            match = _exact(narrowed, text)
            if match is not None:
                return match
        rooms = (await self.all_rooms()).rooms
        return _exact(rooms, text) or _fuzzy(rooms, text)

    # --- per-room reads --------------------------------------------------------------------------

    async def profile(self, room_id: str) -> dict[str, Any]:
        entry = await self._cache.get(
            ("profile", room_id), self.devices_ttl, lambda: self.client.get("get_room", room_id)
        )
        profile: dict[str, Any] = entry.value
        return profile

    async def devices(self, room_id: str) -> list[dict[str, Any]]:
        async def load() -> list[dict[str, Any]]:
            body = await self.client.get("list_devices", room_id)
            devices = body.get("devices", [])
            return [d for d in devices if isinstance(d, dict)] if isinstance(devices, list) else []

        entry = await self._cache.get(("devices", room_id), self.devices_ttl, load)
        devices: list[dict[str, Any]] = entry.value
        return devices

    async def dashboard_rows(self, dashboard_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Dashboard rows keyed by dashboard room id, for the given rooms.

        ``/metrics/zoomrooms`` is Resource-intensive (10-20 requests per *minute*), so a handful of rooms
        is read with the per-room endpoint (Heavy, tens per second) and only large scopes use the list.
        """
        listing = self._cache.peek(("dashboard",), self.dashboard_ttl)
        if listing is None:
            if len(dashboard_ids) <= PER_ROOM_DASHBOARD_MAX:
                return await self._dashboard_per_room(dashboard_ids)
            pages = math.ceil((self._known_total or len(dashboard_ids)) / PAGE_SIZE)
            if pages > DASHBOARD_LIST_MAX_PAGES:
                raise DashboardTooLargeError(pages)
            listing = await self._cache.get(("dashboard",), self.dashboard_ttl, self._load_dashboard)
        everything: dict[str, dict[str, Any]] = listing.value
        return {i: everything[i] for i in dashboard_ids if i in everything}

    async def _dashboard_per_room(self, dashboard_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        today = datetime.fromtimestamp(self._wall(), UTC).date().isoformat()
        rows: dict[str, dict[str, Any]] = {}

        async def one(dashboard_id: str) -> None:
            entry = await self._cache.get(
                ("dashboard@", dashboard_id),
                self.dashboard_ttl,
                lambda: self.client.get("dashboard_room", dashboard_id, params={"from": today, "to": today}),
            )
            rows[dashboard_id] = entry.value

        await gather(one, dashboard_ids)
        return rows

    async def _load_dashboard(self) -> dict[str, dict[str, Any]]:
        rows = await self.client.get_all("dashboard_rooms", items="zoom_rooms")
        return {str(row.get("id")): row for row in rows}

    async def issue_history(self, dashboard_id: str, start: date, end: date) -> list[dict[str, Any]]:
        """A room's dashboard issue events (Heavy requests: cached like the dashboard rows)."""

        async def load() -> list[dict[str, Any]]:
            return await self.client.get_all(
                "dashboard_room_issues",
                dashboard_id,
                items="issue_details",
                params={"from": start.isoformat(), "to": end.isoformat()},
            )

        entry = await self._cache.get(("issues", dashboard_id, start, end), self.dashboard_ttl, load)
        events: list[dict[str, Any]] = entry.value
        return events


async def gather_calls(*calls: Callable[[], Awaitable[None]]) -> None:
    """Run independent reads concurrently; the first failure is re-raised as itself (see ``gather``)."""
    await gather(lambda call: call(), calls)


async def gather(fn: Callable[[T], Awaitable[None]], items: Sequence[T]) -> None:
    """Run ``fn`` over ``items`` with bounded concurrency (the client's pacer does the rate limiting).

    The first failure cancels the rest and is re-raised as itself, not as an ExceptionGroup, so callers
    can catch typed Zoom errors.
    """
    limiter = anyio.CapacityLimiter(FANOUT_CONCURRENCY)
    failures: list[Exception] = []

    async def run(item: T) -> None:
        async with limiter:
            try:
                await fn(item)
            except Exception as exc:
                failures.append(exc)
                tg.cancel_scope.cancel()

    async with anyio.create_task_group() as tg:
        for item in items:
            tg.start_soon(run, item)
    if failures:
        raise failures[0]


def _exact(rooms: Sequence[Room], text: str) -> Room | None:
    for key in ("id", "room_id"):
        for room in rooms:
            if room.get(key) == text:
                return room
    folded = fold(text)
    same = [room for room in rooms if fold(str(room.get("name", ""))) == folded]
    return same[0] if len(same) == 1 else None


def _fuzzy(rooms: Sequence[Room], text: str) -> Room:
    """The one room a query clearly means (a whole word of its name, or a close spelling), else raise."""
    folded = fold(text)
    if not folded:
        raise RoomLookupError(text, [])
    names = [fold(str(room.get("name", ""))) for room in rooms]
    containing = [room for room, name in zip(rooms, names, strict=True) if folded in name.split() or folded == name]
    if len(containing) == 1:
        return containing[0]
    # Score whole names and, for a one-word query, each word of a name ("Kilimanjro" → "SEA-B2-3 Kilimanjaro").
    choices: list[str] = []
    owners: list[int] = []
    for index, name in enumerate(names):
        for variant in {name, *name.split()} if " " not in folded else {name}:
            choices.append(variant)
            owners.append(index)
    best: dict[int, float] = {}
    for _, score, position in process.extract(folded, choices, scorer=fuzz.WRatio, limit=50, score_cutoff=75):
        owner = owners[position]
        best[owner] = max(score, best.get(owner, 0.0))
    ranked = sorted(best.items(), key=lambda item: -item[1])[:5]
    candidates = [rooms[index] for index, _ in ranked]
    if ranked and ranked[0][1] >= 86 and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= 6):
        return rooms[ranked[0][0]]
    raise RoomLookupError(text, candidates or list(containing[:5]))
