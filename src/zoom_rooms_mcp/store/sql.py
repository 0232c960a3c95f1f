"""The one ``Store`` implementation, over SQLAlchemy Core, for memory, SQLite and PostgreSQL alike.

DB calls use SQLAlchemy's synchronous engine in worker threads (``anyio.to_thread.run_sync`` with a
per-store limiter sized to the pool), never on the event loop. Why not the async engine: SQLite has no
async driver in our dependencies, the async engine needs greenlet on top, and a write is one short
transaction either way; one synchronous code path serves all three backends.

Writes are serialised store-wide (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-level advisory
lock taken first), so the change counter ``seq`` is committed in order: when a reader has seen ``seq``
N, every row stamped N or lower is already visible, and ``changes(N)`` never misses one. Reads run in a
snapshot (SQLite's deferred ``BEGIN``; PostgreSQL ``REPEATABLE READ``) so rows and the counter agree.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import fields
from functools import partial
from itertools import starmap
from typing import Any, Literal, TypeVar

import anyio
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from zoom_rooms_mcp.store import schema as t
from zoom_rooms_mcp.store.api import (
    Backend,
    Batch,
    Changes,
    DashboardReading,
    DeviceReading,
    EventPage,
    EventQuery,
    Leadership,
    OccupancyReading,
    ProfileReading,
    RoomRow,
    SensorReading,
    StoredEvent,
    TokenRecord,
)
from zoom_rooms_mcp.store.errors import StoreError, StoreUnavailableError
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, RawLocation, Room, RoomProfile

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# PostgreSQL advisory lock keys (two int4s): one namespace for this application, then what is locked.
PG_LOCK_NAMESPACE = 0x5A52  # "ZR"
PG_WRITE_LOCK = 1
PG_MIGRATE_LOCK = 2
PG_TOKEN_NAMESPACE = 0x5A54  # "ZT": single flight of token fetches; the second key comes from the app's fingerprint
LOCK_POLL_SECONDS = 0.1  # how often a waiter asks again for an advisory lock (never blocks a thread)
_CHUNK = 500  # ids per IN (...) list: well inside SQLite's and PostgreSQL's bound-parameter limits
FREEZE_ROOMS = 2_000  # a load of this many rooms or more is frozen out of the garbage collector (see ``_load``)

_DEVICE_FIELDS = tuple(f.name for f in fields(Device))
_DASHBOARD_FIELDS = tuple(f.name for f in fields(DashboardRow))
_PROFILE_FIELDS = tuple(f.name for f in fields(RoomProfile))
# Device and Dashboard payloads are packed (schema version 3): a JSON array of the record's fields in their
# declared order, trailing nulls dropped, decoded positionally. The records may gain fields at the end only
# (older packed rows still decode); tests hold them to the layout of ``schema.V3_*_FIELDS``.


# One encoder for every row: ``json.dumps`` with options builds a new one per call (a third of a big write).
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _record(obj: object, names: tuple[str, ...]) -> dict[str, Any]:
    """A record as a JSON object without its None fields (most are None; the file stays small)."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _known(data: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    # Fields absent from the JSON were None; fields this version does not know are ignored.
    return {name: data.get(name) for name in names}


def _pack(obj: object, names: tuple[str, ...]) -> list[Any]:
    """A record's fields in order as a JSON-ready list, trailing None fields dropped."""
    values = [getattr(obj, name) for name in names]
    while values and values[-1] is None:
        values.pop()
    return [list(v) if isinstance(v, tuple) else v for v in values]


def _pack_devices(devices: tuple[Device, ...]) -> str:
    return _dumps([_pack(d, _DEVICE_FIELDS) for d in devices])


def _pack_dashboard(row: DashboardRow) -> str:
    return _dumps(_pack(row, _DASHBOARD_FIELDS))


def _decode_all(texts: list[str]) -> list[Any]:
    """Many JSON texts in one parse: a 20,000-room load makes one call instead of 40,000."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def _unpack_devices(items: list[Any]) -> tuple[Device, ...]:
    if not items or isinstance(items[0], list):  # a row is packed or not as a whole
        return tuple(starmap(Device, items))
    # Objects: written by a process still running the code before version 3 (until it is restarted).
    return tuple(Device(**_known(item, _DEVICE_FIELDS)) for item in items)


def _unpack_dashboard(item: list[Any] | dict[str, Any]) -> DashboardRow:
    # An object: written by the code before version 3 (see ``_unpack_devices``).
    values = [item.get(name) for name in _DASHBOARD_FIELDS] if isinstance(item, dict) else item
    values[2] = tuple(values[2] or ())  # issues
    return DashboardRow(*values)


def unavailable_or_error(exc: sa.exc.SQLAlchemyError, where: str) -> StoreError:
    """A typed error for a database failure. Only the driver's first line is kept: SQLAlchemy's own text
    carries the statement's parameters, which may hold a token."""
    orig = getattr(exc, "orig", None)
    reason = (str(orig) if orig is not None else str(exc)).strip().splitlines()
    text = reason[0][:200] if reason else type(exc).__name__
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError) or getattr(
        exc, "connection_invalidated", False
    ):
        return StoreUnavailableError(f"The fleet store {where} is unavailable: {text}")
    return StoreError(f"The fleet store {where} failed: {text}")


class SqlStore:
    """A ``Store`` on one SQLAlchemy engine. Made by ``open_store``; not constructed directly."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        backend: Backend,
        display_url: str,
        leadership: Callable[[], Leadership],
        threads: int,
        fallback_reason: str | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.backend: Backend = backend
        self.display_url = display_url
        # Why a memory store is in use although another was configured (a read-only or full disk), else None.
        self.fallback_reason = fallback_reason
        self._engine = engine
        self._dialect: Literal["sqlite", "postgresql"] = (
            "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
        )
        self._limiter = anyio.CapacityLimiter(threads)
        self._make_leadership = leadership
        self._leadership: Leadership | None = None
        self._on_close = on_close
        self._closed = False

    # ---- the Store protocol ---------------------------------------------------------------------------

    async def load(self) -> Changes:
        return await self._run(self._load)

    async def changes(self, since: int) -> Changes:
        return await self._run(self._collect, since, True)

    async def write(self, batch: Batch) -> int:
        reserved = [k for k in batch.meta if k.startswith(t.META_PREFIX)]
        if reserved:
            raise ValueError(f"meta keys starting with {t.META_PREFIX!r} are the store's own: {reserved}")
        return await self._run(self._write_batch, batch)

    async def events(self, query: EventQuery) -> EventPage:
        return await self._run(self._query_events, query)

    async def prune_events(self, before: float) -> int:
        def prune() -> int:
            with self._writing(lock=False) as conn:
                return conn.execute(sa.delete(t.events).where(t.events.c.time < before)).rowcount

        return await self._run(prune)

    def leadership(self) -> Leadership:
        if self._leadership is None:
            self._leadership = self._make_leadership()
        return self._leadership

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._leadership is not None:
            await self._leadership.release()
        await anyio.to_thread.run_sync(self._engine.dispose)
        if self._on_close is not None:
            self._on_close()

    # ---- additions: readiness and the shared token (DESIGN §11) -----------------------------------------

    async def ping(self) -> None:
        """Raise ``StoreUnavailableError`` unless the database answers (a readiness check)."""

        def select_one() -> None:
            with self._engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))

        await self._run(select_one)

    async def get_token(self, fingerprint: str) -> TokenRecord | None:
        """The shared access token of the app ``fingerprint`` names, whatever its expiry (the caller judges)."""

        def read() -> TokenRecord | None:
            with self._reading() as conn:
                row = conn.execute(sa.select(t.tokens).where(t.tokens.c.fingerprint == fingerprint)).first()
            if row is None:
                return None
            return TokenRecord(row.value, row.expires_at, tuple(json.loads(row.scopes)), row.fingerprint)

        return await self._run(read)

    async def put_token_if(self, record: TokenRecord, expected: str | None) -> bool:
        """Store ``record`` only if the current token's value is ``expected`` (None: there is none).

        A compare-and-set: a replica that fetched a token while another already replaced it loses, and
        uses the stored one instead. Returns whether ``record`` was written.
        """

        def put() -> bool:
            with self._writing(lock=True) as conn:
                current = conn.execute(
                    sa.select(t.tokens.c.value).where(t.tokens.c.fingerprint == record.fingerprint)
                ).scalar_one_or_none()
                if current != expected:
                    return False
                values = {"value": record.value, "expires_at": record.expires_at, "scopes": _dumps(list(record.scopes))}
                if current is None:
                    conn.execute(sa.insert(t.tokens).values(fingerprint=record.fingerprint, **values))
                else:
                    conn.execute(
                        sa.update(t.tokens).where(t.tokens.c.fingerprint == record.fingerprint).values(**values)
                    )
                return True

        return await self._run(put)

    async def delete_token_if(self, fingerprint: str, value: str | None) -> bool:
        """Forget the shared token (a 401 anywhere), only if it still is ``value`` (None: whatever it is)."""

        def delete() -> bool:
            with self._writing(lock=False) as conn:
                stmt = sa.delete(t.tokens).where(t.tokens.c.fingerprint == fingerprint)
                if value is not None:
                    stmt = stmt.where(t.tokens.c.value == value)
                return bool(conn.execute(stmt).rowcount)

        return await self._run(delete)

    @asynccontextmanager
    async def advisory_lock(self, namespace: int, key: int, max_wait: float) -> AsyncIterator[bool]:
        """PostgreSQL: hold the transaction-level advisory lock (``namespace``, ``key``) for the block, on a pooled
        connection whose transaction spans it; the lock dies with that connection, so a crashed holder never
        blocks anyone. Yields False when ``max_wait`` passed without the lock. Waiters poll with
        ``pg_try_advisory_xact_lock`` between async sleeps: no thread sits blocked in the database, and a
        cancelled waiter leaves nothing behind. Raises ``StoreUnavailableError`` when the database cannot be
        reached."""
        if self._dialect != "postgresql":
            raise StoreError(f"advisory locks need PostgreSQL, not {self.backend}")

        def attempt() -> sa.Connection | None:
            conn = self._engine.connect()
            try:
                conn.begin()
                if conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(namespace, key))).scalar():
                    return conn
            except BaseException:
                conn.close()
                raise
            conn.close()  # rolls back: nothing held
            return None

        def release(conn: sa.Connection) -> None:
            try:
                conn.commit()
            except sa.exc.SQLAlchemyError:
                log.debug("Releasing an advisory lock failed (its connection is gone, and the lock with it)")
            finally:
                conn.close()

        deadline = anyio.current_time() + max_wait
        while True:
            # Shielded: a cancellation must not lose a connection that has just taken the lock.
            with anyio.CancelScope(shield=True):
                held = await self._run(attempt)
            if held is not None or anyio.current_time() >= deadline:
                break
            await anyio.sleep(min(LOCK_POLL_SECONDS, max(0.0, deadline - anyio.current_time())))
        if held is None:
            yield False
            return
        try:
            yield True
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(release, held)

    # ---- plumbing -------------------------------------------------------------------------------------

    async def _run(self, fn: Callable[..., R], *args: Any) -> R:
        if self._closed:
            raise StoreError(f"The fleet store {self.display_url} is closed")
        return await anyio.to_thread.run_sync(partial(self._guarded, fn, *args), limiter=self._limiter)

    def _guarded(self, fn: Callable[..., R], *args: Any) -> R:
        try:
            return fn(*args)
        except sa.exc.SQLAlchemyError as exc:
            raise unavailable_or_error(exc, self.display_url) from exc

    @contextmanager
    def _writing(self, *, lock: bool) -> Iterator[sa.Connection]:
        """A write transaction; ``lock`` takes the store-wide write lock that orders ``seq`` (SQLite always
        takes its database write lock at the start, with ``BEGIN IMMEDIATE``, instead of deadlocking later)."""
        with self._engine.connect() as conn:
            if self._dialect == "sqlite":
                conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            with conn.begin():
                if lock and self._dialect == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_LOCK_NAMESPACE, PG_WRITE_LOCK)))
                yield conn

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn:
            if self._dialect == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn

    def _insert(self, table: sa.Table) -> Any:
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    def _upsert(self, table: sa.Table) -> Any:
        stmt = self._insert(table)
        keys = [c.name for c in table.primary_key.columns]
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        )

    def _in(self, column: sa.ColumnElement[Any], values: Iterable[str]) -> sa.ColumnElement[bool]:
        """``column IN values`` for any number of values, as one bound parameter (no 32k-parameter limit)."""
        items = sorted(values)
        if len(items) <= _CHUNK:
            return column.in_(items)
        if self._dialect == "postgresql":
            return column == sa.any_(sa.cast(sa.literal(items, postgresql.ARRAY(sa.Text)), postgresql.ARRAY(sa.Text)))
        listed = sa.func.json_each(sa.literal(_dumps(items))).table_valued("value")
        return column.in_(sa.select(listed.c.value))

    # ---- reads ----------------------------------------------------------------------------------------

    @staticmethod
    def _seq(conn: sa.Connection) -> int:
        return int(conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == t.KEY_SEQ)).scalar_one())

    def _load(self) -> Changes:
        """Everything, with the cyclic garbage collector kept out of the way. A 20,000-room load makes ~400,000
        objects, none of them garbage: the collections their allocation triggers (each scanning the growing
        heap) took about half the load, and collecting later only moves that cost to the first answers. A large
        fleet's records live as long as the process, so they are frozen out of the collector (``gc.freeze``,
        as its documentation suggests for long-lived data); reference counting still frees every record the
        fleet replaces (records hold no cycles)."""
        paused = gc.isenabled()
        gc.disable()
        try:
            changes = self._collect(0, False)
            if len(changes.rooms) >= FREEZE_ROOMS:
                gc.freeze()
            return changes
        finally:
            if paused:
                gc.enable()

    def _collect(self, since: int, tombstones: bool) -> Changes:
        with self._reading() as conn:
            out = Changes(seq=self._seq(conn))
            if out.seq <= since:
                out.seq = since
                return out
            for row in conn.execute(sa.select(t.meta).where(t.meta.c.seq > since)):
                if not row.key.startswith(t.META_PREFIX):
                    out.meta[row.key] = row.value
                elif row.key == t.KEY_STRUCTURE:
                    out.structure = json.loads(row.value)
                elif row.key == t.KEY_LOCATIONS:
                    located = conn.execute(sa.select(t.locations).order_by(t.locations.c.pos))
                    out.locations = [RawLocation(r.id, r.name, r.type, r.parent_id) for r in located]
            c = t.rooms.c
            rooms_q = sa.select(
                c.id, c.room_id, c.name, c.status, c.location_id, c.room_type, c.capacity, c.listed_at, c.deleted
            ).where(c.seq > since)
            if not tombstones:
                rooms_q = rooms_q.where(c.deleted == sa.false())
            # Plain tuples, unpacked by position: a 20,000-room load is dominated by per-row overhead.
            for id_, room_id, name, status, location_id, room_type, capacity, listed_at, deleted in conn.execute(
                rooms_q
            ).all():
                if deleted:
                    out.rooms_deleted.append(id_)
                else:
                    room = Room(id_, room_id, name, status, location_id, room_type, capacity)
                    out.rooms[id_] = RoomRow(room, listed_at)
            d = t.devices.c
            device_rows = conn.execute(sa.select(d.room, d.payload, d.read_at, d.error).where(d.seq > since)).all()
            packed = iter(_decode_all([row[1] for row in device_rows if row[1] is not None]))
            for room_key, payload, read_at, error in device_rows:
                devices = None if payload is None else _unpack_devices(next(packed))
                out.devices[room_key] = DeviceReading(devices, read_at, error)
            b = t.dashboard.c
            dashboard_rows = conn.execute(sa.select(b.room, b.payload, b.read_at).where(b.seq > since)).all()
            packed = iter(_decode_all([row[1] for row in dashboard_rows if row[1] is not None]))
            for room_key, payload, read_at in dashboard_rows:
                dash = None if payload is None else _unpack_dashboard(next(packed))
                out.dashboard[room_key] = DashboardReading(dash, read_at)
            for r in self._readings(conn, t.profiles, since):
                profile = RoomProfile(**_known(json.loads(r.payload), _PROFILE_FIELDS))
                out.profiles[r.room] = ProfileReading(profile, r.read_at)
            for r in self._readings(conn, t.sensors, since):
                out.sensors[r.room] = SensorReading(json.loads(r.payload), r.read_at)
            for r in self._readings(conn, t.occupancy, since):
                out.occupancy[r.room] = OccupancyReading(bool(r.occupied), r.at)
        return out

    @staticmethod
    def _readings(conn: sa.Connection, table: sa.Table, since: int) -> Sequence[sa.Row[Any]]:
        return conn.execute(sa.select(table).where(table.c.seq > since)).all()

    def _query_events(self, q: EventQuery) -> EventPage:
        e = t.events
        where: list[sa.ColumnElement[bool]] = [e.c.time >= q.since]
        if q.until is not None:
            where.append(e.c.time <= q.until)
        if q.room_ids is not None:
            where.append(self._in(e.c.room_id, q.room_ids))
        if q.location_ids is not None:
            where.append(self._in(e.c.location_id, q.location_ids))
        if q.severity is not None:
            where.append(e.c.severity == q.severity)
        cond = sa.and_(*where)
        with self._reading() as conn:
            counts = {
                row.kind: int(row.n)
                for row in conn.execute(sa.select(e.c.kind, sa.func.count().label("n")).where(cond).group_by(e.c.kind))
            }
            page = conn.execute(
                sa.select(e)
                .where(cond)
                .order_by(e.c.time.desc(), e.c.seq.desc())
                .limit(max(0, q.limit))
                .offset(max(0, q.offset))
            )
            found = [
                StoredEvent(
                    r.seq, r.time, r.room_id, r.room_name, r.location_id, r.kind, r.severity, r.message, r.source
                )
                for r in page
            ]
        return EventPage(events=found, total=sum(counts.values()), counts_by_kind=counts)

    # ---- writes ---------------------------------------------------------------------------------------

    @staticmethod
    def _empty(batch: Batch) -> bool:
        return (
            batch.locations is None
            and batch.structure is None
            and not batch.rooms_upsert
            and not batch.rooms_delete
            and not batch.devices
            and not batch.dashboard
            and not batch.profiles
            and not batch.sensors
            and not batch.occupancy
            and not batch.events
            and not batch.meta
        )

    def _write_batch(self, batch: Batch) -> int:
        if self._empty(batch):
            with self._reading() as conn:
                return self._seq(conn)
        with self._writing(lock=True) as conn:
            seq = self._seq(conn) + 1
            conn.execute(sa.update(t.meta).where(t.meta.c.key == t.KEY_SEQ).values(value=str(seq), seq=seq))
            meta: dict[str, str] = dict(batch.meta)
            if batch.locations is not None:
                conn.execute(sa.delete(t.locations))
                rows = [
                    {"id": loc.id, "name": loc.name, "type": loc.type, "parent_id": loc.parent_id, "pos": i, "seq": seq}
                    for i, loc in enumerate({loc.id: loc for loc in batch.locations}.values())
                ]
                if rows:
                    conn.execute(sa.insert(t.locations), rows)
                meta[t.KEY_LOCATIONS] = str(len(rows))
            if batch.structure is not None:
                meta[t.KEY_STRUCTURE] = _dumps(list(batch.structure))
            if meta:
                self._many(conn, t.meta, [{"key": k, "value": v, "seq": seq} for k, v in meta.items()])
            rooms = {
                r.room.id: {
                    "id": r.room.id,
                    "room_id": r.room.room_id,
                    "name": r.room.name,
                    "status": r.room.status,
                    "location_id": r.room.location_id,
                    "room_type": r.room.room_type,
                    "capacity": r.room.capacity,
                    "listed_at": r.listed_at,
                    "seq": seq,
                    "deleted": False,
                }
                for r in batch.rooms_upsert
            }
            self._many(conn, t.rooms, list(rooms.values()))
            self._many(
                conn,
                t.devices,
                [
                    {
                        "room": room,
                        "payload": None if d.devices is None else _pack_devices(d.devices),
                        "read_at": d.read_at,
                        "error": d.error,
                        "seq": seq,
                    }
                    for room, d in batch.devices.items()
                ],
            )
            self._many(
                conn,
                t.dashboard,
                [
                    {
                        "room": room,
                        "payload": None if d.row is None else _pack_dashboard(d.row),
                        "read_at": d.read_at,
                        "seq": seq,
                    }
                    for room, d in batch.dashboard.items()
                ],
            )
            self._many(
                conn,
                t.profiles,
                [
                    {
                        "room": room,
                        "payload": _dumps(_record(p.profile, _PROFILE_FIELDS)),
                        "read_at": p.read_at,
                        "seq": seq,
                    }
                    for room, p in batch.profiles.items()
                ],
            )
            self._many(
                conn,
                t.sensors,
                [
                    {"room": room, "payload": _dumps(dict(s.values)), "read_at": s.read_at, "seq": seq}
                    for room, s in batch.sensors.items()
                ],
            )
            self._many(
                conn,
                t.occupancy,
                [{"room": room, "occupied": o.occupied, "at": o.at, "seq": seq} for room, o in batch.occupancy.items()],
            )
            if batch.rooms_delete:
                self._delete_rooms(conn, batch.rooms_delete, seq)
            if batch.events:
                stmt = self._insert(t.events).on_conflict_do_nothing(index_elements=["dedupe_key"])
                conn.execute(
                    stmt,
                    [
                        {
                            "time": ev.time,
                            "room_id": ev.room_id,
                            "room_name": ev.room_name,
                            "location_id": ev.location_id,
                            "kind": ev.kind,
                            "severity": ev.severity,
                            "message": ev.message,
                            "source": ev.source,
                            "dedupe_key": ev.dedupe_key,
                        }
                        for ev in batch.events
                    ],
                )
            return seq

    def _many(self, conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            conn.execute(self._upsert(table), list(rows))

    def _delete_rooms(self, conn: sa.Connection, ids: Sequence[str], seq: int) -> None:
        """Tombstone the rooms (so other processes see the deletion) and drop their readings."""
        unique = sorted(set(ids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            conn.execute(sa.update(t.rooms).where(t.rooms.c.id.in_(chunk)).values(deleted=True, seq=seq))
            for table in t.READINGS:
                conn.execute(sa.delete(table).where(table.c.room.in_(chunk)))
