"""Reading the fleet from Zoom into typed records, for the background sync and for on-demand answers.

Every read names its lane: ``tool`` (a tool call is waiting: full rate) or ``sync`` (background: its
share of the rate, only when no tool request waits). Fan-outs fail per item: one room's 404 or 500
never drops the other rooms' data (DESIGN §5); the failures come back by room so answers can name them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

import anyio

from zoom_rooms_mcp.zoom.client import ZoomClient
from zoom_rooms_mcp.zoom.errors import ZoomError, ZoomScopeError
from zoom_rooms_mcp.zoom.records import (
    ROOM_TYPES,
    DashboardRow,
    Device,
    IssueEvent,
    RawLocation,
    Room,
    RoomProfile,
    parse_dashboard_row,
    parse_device,
    parse_issue_event,
    parse_location,
    parse_profile,
    parse_room,
)

Lane = Literal["tool", "sync"]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
FANOUT_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class Listing:
    """Every room, read type by type (so each row knows its ``room_type``), at ``read_at``."""

    rooms: dict[str, Room]
    read_at: float
    per_type: dict[str, int]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Zoom's Dashboard rankings over a date range: top issues and top rooms (each capped at 25 by Zoom)."""

    issues: list[tuple[str, int]]  # (issue name, rooms that had it)
    rooms: list[tuple[str, str, int]]  # (dashboard room id, room name, issue count)
    issues_total: int
    rooms_total: int
    read_at: float


async def fan_out(
    fn: Callable[[K], Awaitable[V]],
    keys: Sequence[K],
    *,
    concurrency: int = FANOUT_CONCURRENCY,
    on_done: Callable[[int], Awaitable[None]] | None = None,
) -> tuple[dict[K, V], dict[K, ZoomError]]:
    """Run ``fn`` over ``keys`` with bounded concurrency; a Zoom failure is kept per key, never fatal.

    Anything that is not a ``ZoomError`` is a bug or a cancellation and propagates.
    """
    results: dict[K, V] = {}
    failures: dict[K, ZoomError] = {}
    limiter = anyio.CapacityLimiter(max(1, concurrency))

    async def run(key: K) -> None:
        async with limiter:
            try:
                results[key] = await fn(key)
            except ZoomError as exc:
                failures[key] = exc
        if on_done is not None:
            await on_done(len(results) + len(failures))

    async with anyio.create_task_group() as tg:
        for key in keys:
            tg.start_soon(run, key)
    return results, failures


class ZoomReader:
    def __init__(self, client: ZoomClient, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.clock = clock

    async def locations(self, lane: Lane) -> tuple[list[RawLocation], list[str] | None, float]:
        """All locations and the account's levels (the structure is optional: inferred without its scope)."""
        read_at = self.clock()
        structure: list[str] | None = None
        items: list[RawLocation] = []

        async def read_locations() -> None:
            raw = await self.client.get_all("list_locations", items="locations", lane=lane)
            items.extend(loc for loc in map(parse_location, raw) if loc is not None)

        async def read_structure() -> None:
            nonlocal structure
            try:
                body = await self.client.get("location_structure", lane=lane)
            except ZoomScopeError:
                return
            raw = body.get("structures")
            structure = [str(s) for s in raw] if isinstance(raw, list) else None

        async with anyio.create_task_group() as tg:
            tg.start_soon(read_locations)
            tg.start_soon(read_structure)
        return items, structure, read_at

    async def rooms(
        self, lane: Lane, room_types: Sequence[str] = ROOM_TYPES, *, include_unfiltered: bool = False
    ) -> Listing:
        """The whole fleet, one listing per room type (concurrently): each row then carries its type.

        Whether Zoom's unfiltered listing includes every type is unconfirmed, and a type Zoom adds later
        would be in no per-type listing: with ``include_unfiltered`` the unfiltered listing is read too
        and its rooms that no per-type listing has are kept, with an unknown type.
        """
        read_at = self.clock()
        untyped = "*"

        async def one(room_type: str) -> list[Room]:
            params = {"type": room_type} if room_type != untyped else None
            raw = await self.client.get_all("list_rooms", items="rooms", params=params, lane=lane)
            return [parse_room(item, room_type=room_type if room_type != untyped else None) for item in raw]

        keys = [*room_types, untyped] if include_unfiltered else list(room_types)
        found, failures = await fan_out(one, keys, concurrency=len(keys))
        if failures:
            raise next(iter(failures.values()))
        rooms: dict[str, Room] = {}
        for key in keys:  # typed listings first, so a room in both keeps its type
            for room in found[key]:
                if room.id:
                    rooms.setdefault(room.id, room)
        return Listing(rooms=rooms, read_at=read_at, per_type={t: len(found[t]) for t in room_types})

    async def unfiltered_ids(self, lane: Lane) -> set[str]:
        raw = await self.client.get_all("list_rooms", items="rooms", lane=lane)
        return {str(item.get("id")) for item in raw if item.get("id")}

    async def rooms_named(self, text: str, lane: Lane) -> list[Room]:
        """Zoom's own name filter (one request): narrows a lookup before the fleet has been listed."""
        raw = await self.client.get_all("list_rooms", items="rooms", params={"query_name": text}, lane=lane)
        return [parse_room(item) for item in raw]

    async def devices(self, room_id: str, lane: Lane) -> tuple[Device, ...]:
        body = await self.client.get("list_devices", room_id, lane=lane)
        raw = body.get("devices")
        return tuple(parse_device(d) for d in raw if isinstance(d, dict)) if isinstance(raw, list) else ()

    async def profile(self, room_id: str, lane: Lane) -> RoomProfile:
        return parse_profile(await self.client.get("get_room", room_id, lane=lane))

    async def dashboard_all(self, lane: Lane) -> tuple[dict[str, DashboardRow], float]:
        """Every Dashboard row (Resource-intensive: 10-20 requests a minute), keyed by dashboard room id."""
        read_at = self.clock()
        raw = await self.client.get_all("dashboard_rooms", items="zoom_rooms", lane=lane)
        rows = (parse_dashboard_row(item) for item in raw)
        return {row.room_id: row for row in rows if row.room_id}, read_at

    async def dashboard_room(self, dashboard_id: str, day: date, lane: Lane) -> DashboardRow:
        body = await self.client.get(
            "dashboard_room", dashboard_id, params={"from": day.isoformat(), "to": day.isoformat()}, lane=lane
        )
        return parse_dashboard_row(body)

    async def issue_history(self, dashboard_id: str, start: date, end: date, lane: Lane) -> list[IssueEvent]:
        raw = await self.client.get_all(
            "dashboard_room_issues",
            dashboard_id,
            items="issue_details",
            params={"from": start.isoformat(), "to": end.isoformat()},
            lane=lane,
        )
        return [parse_issue_event(item) for item in raw]

    async def ranking(self, start: date, end: date, lane: Lane) -> Ranking:
        """Zoom's top issues and top rooms with issues over ``start``–``end`` (two Heavy requests)."""
        params = {"from": start.isoformat(), "to": end.isoformat()}
        read_at = self.clock()
        bodies: dict[str, dict[str, object]] = {}

        async def read(key: str) -> None:
            bodies[key] = await self.client.get(key, params=params, lane=lane)

        async with anyio.create_task_group() as tg:
            tg.start_soon(read, "dashboard_top_issues")
            tg.start_soon(read, "dashboard_rooms_with_issues")
        issues_body, rooms_body = bodies["dashboard_top_issues"], bodies["dashboard_rooms_with_issues"]
        issues = [
            (str(item.get("issue_name") or ""), _int(item.get("zoom_rooms_count")))
            for item in _items(issues_body, "issues")
        ]
        rooms = [
            (str(item.get("id") or ""), str(item.get("room_name") or ""), _int(item.get("issues_count")))
            for item in _items(rooms_body, "zoom_rooms")
        ]
        return Ranking(
            issues=[i for i in issues if i[0]],
            rooms=[r for r in rooms if r[0]],
            issues_total=_int(issues_body.get("total_records"), len(issues)),
            rooms_total=_int(rooms_body.get("total_records"), len(rooms)),
            read_at=read_at,
        )


def _items(body: dict[str, object], key: str) -> list[dict[str, object]]:
    raw = body.get(key)
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def _int(value: object, default: int = 0) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
