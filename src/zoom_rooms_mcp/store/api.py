"""What the fleet store keeps and how the rest of the server talks to it (DESIGN §9).

The store is persistence and cross-process sharing, not the query engine: each process keeps the fleet
in memory (``fleet.state``) and the store holds the same rows durably, so that a restarted server
answers at once and several processes (or replicas, with PostgreSQL) see one fleet.

* Every write is one transaction (``write``), applied by one writer at a time, stamped with the next
  value of a store-wide change counter ``seq``. A reader in another process asks for ``changes(since)``
  and gets every row whose ``seq`` is newer, deletions included (tombstones), so it never reloads the
  whole fleet to catch up.
* Readings carry the time Zoom was read (``read_at``, epoch seconds): freshness is computed from them.
* The event log is queried in the store itself (``events``), so an alert written by any process is
  visible to every other at once.
* Never a secret: tokens live in the store only for the PostgreSQL deployment (``TokenRecord``), and
  only the access token Zoom issued, never the client secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from zoom_rooms_mcp.zoom.records import DashboardRow, Device, RawLocation, Room, RoomProfile

Backend = Literal["memory", "sqlite", "postgresql"]
Severity = Literal["critical", "warning", "info"]
EventSource = Literal["webhook", "sync"]


@dataclass(frozen=True, slots=True)
class RoomRow:
    """A room as stored: the listing row and when it was last seen in a listing."""

    room: Room
    listed_at: float


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """A room's devices as read at ``read_at``; ``devices`` is None when the read failed (``error`` says why)."""

    devices: tuple[Device, ...] | None
    read_at: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DashboardReading:
    """A room's Dashboard row as read at ``read_at``; ``row`` is None when Zoom had no row for the room."""

    row: DashboardRow | None
    read_at: float


@dataclass(frozen=True, slots=True)
class ProfileReading:
    profile: RoomProfile
    read_at: float


@dataclass(frozen=True, slots=True)
class SensorReading:
    """Latest sensor values of a room (``zoomroom.sensor_data`` or ``/rooms/{id}/sensor_data``)."""

    values: Mapping[str, float | str]  # e.g. {"co2": 612, "temperature": 22.5, "people_count": 4}
    read_at: float


@dataclass(frozen=True, slots=True)
class OccupancyReading:
    occupied: bool
    at: float


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append; ``dedupe_key`` makes a redelivered webhook or a repeated diff a no-op."""

    time: float
    room_id: str | None
    room_name: str
    location_id: str | None
    kind: str
    severity: Severity
    message: str
    source: EventSource
    dedupe_key: str


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    time: float
    room_id: str | None
    room_name: str
    location_id: str | None
    kind: str
    severity: Severity
    message: str
    source: EventSource


@dataclass(frozen=True, slots=True)
class EventQuery:
    since: float
    until: float | None = None
    room_ids: frozenset[str] | None = None  # None: any room
    location_ids: frozenset[str] | None = None  # None: any location
    severity: Severity | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[StoredEvent]  # newest first
    total: int  # all matches, not just this page
    counts_by_kind: dict[str, int]


@dataclass(slots=True)
class Batch:
    """One transaction's worth of changes. Empty fields change nothing.

    ``locations`` (with ``structure``) replaces the whole location set when given; rooms are upserted
    and deleted by id; readings are keyed by the room's ``id``. ``meta`` values are JSON text.
    """

    locations: Sequence[RawLocation] | None = None
    structure: Sequence[str] | None = None
    rooms_upsert: Sequence[RoomRow] = ()
    rooms_delete: Sequence[str] = ()
    devices: Mapping[str, DeviceReading] = field(default_factory=dict)
    dashboard: Mapping[str, DashboardReading] = field(default_factory=dict)
    profiles: Mapping[str, ProfileReading] = field(default_factory=dict)
    sensors: Mapping[str, SensorReading] = field(default_factory=dict)
    occupancy: Mapping[str, OccupancyReading] = field(default_factory=dict)
    events: Sequence[NewEvent] = ()
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Changes:
    """Rows changed since a ``seq`` (or everything, from ``load``). ``seq`` is the newest change included.

    ``locations`` is None when the location set did not change; ``rooms_deleted`` lists room ids removed
    (their readings were removed with them: a reader drops its readings for those ids too).
    """

    seq: int
    locations: list[RawLocation] | None = None
    structure: list[str] | None = None
    rooms: dict[str, RoomRow] = field(default_factory=dict)
    rooms_deleted: list[str] = field(default_factory=list)
    devices: dict[str, DeviceReading] = field(default_factory=dict)
    dashboard: dict[str, DashboardReading] = field(default_factory=dict)
    profiles: dict[str, ProfileReading] = field(default_factory=dict)
    sensors: dict[str, SensorReading] = field(default_factory=dict)
    occupancy: dict[str, OccupancyReading] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """The deployment's shared OAuth access token (PostgreSQL), never the client secret."""

    value: str
    expires_at: float
    scopes: tuple[str, ...]
    fingerprint: str


class Leadership(Protocol):
    """Who syncs. SQLite: an exclusive file lock; PostgreSQL: a session advisory lock on its own connection."""

    @property
    def is_leader(self) -> bool: ...

    async def try_acquire(self) -> bool:
        """Become the leader if nobody is; True when this process leads (also when it already did)."""
        ...

    async def check(self) -> bool:
        """Still the leader? False as soon as the lock is known lost (e.g. the connection died)."""
        ...

    async def release(self) -> None: ...


class Store(Protocol):
    backend: Backend
    display_url: str  # where it lives, with any password masked: safe to log and show
    # Why this is a memory store although SQLite was configured (read-only dir, full disk), else None.
    fallback_reason: str | None

    async def load(self) -> Changes:
        """Everything currently stored (no tombstones), with the newest ``seq``."""
        ...

    async def changes(self, since: int) -> Changes:
        """Rows written after ``since`` (including deletions); ``seq`` unchanged when nothing is new."""
        ...

    async def write(self, batch: Batch) -> int:
        """Apply ``batch`` atomically (all or nothing); returns the new ``seq``. Events are deduplicated."""
        ...

    async def events(self, query: EventQuery) -> EventPage: ...

    async def prune_events(self, before: float) -> int:
        """Delete events older than ``before`` (the log keeps 30 days); returns how many."""
        ...

    def leadership(self) -> Leadership: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise ``StoreUnavailableError`` unless the database answers (readiness checks)."""
        ...

    # The deployment's shared token (PostgreSQL, DESIGN §11), keyed by the app's fingerprint.
    async def get_token(self, fingerprint: str) -> TokenRecord | None: ...

    async def put_token_if(self, record: TokenRecord, expected: str | None) -> bool:
        """Compare-and-set: store ``record`` only if the current value is ``expected`` (None: no token)."""
        ...

    async def delete_token_if(self, fingerprint: str, value: str | None) -> bool:
        """Invalidate (a 401 anywhere) only if the token still is ``value`` (None: whatever it is)."""
        ...
