"""The store's tables (SQLAlchemy Core, portable between SQLite and PostgreSQL) and its migrations.

Every fleet row carries ``seq``, the value of the store-wide change counter of the write that last
touched it, so a reader in another process asks for rows with a newer ``seq`` (``Store.changes``).
Rooms are tombstoned (``deleted``) rather than removed so that deletions reach those readers too.

Migrations are a small explicit runner rather than Alembic: the schema is a handful of tables, the
migrations must run in-process at every open (memory included) inside the very transaction that holds
our own lock (SQLite's write lock, a PostgreSQL advisory lock), and they only ever go forward, so
Alembic's script directory, env.py and downgrade machinery would add a dependency and no safety. Each
migration is a function with its DDL frozen as of its version: changing the tables below means adding
a migration, never editing an old one.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa

# Reserved meta keys; ``Batch.meta`` may not use this prefix.
META_PREFIX = "store:"
KEY_VERSION = "store:schema_version"
KEY_ACCOUNT = "store:account_id"
KEY_SEQ = "store:seq"
KEY_LOCATIONS = "store:locations"  # its seq marks the last replacement of the location set
KEY_STRUCTURE = "store:structure"

# SQLite only makes an INTEGER PRIMARY KEY an alias of the rowid (autoincrementing); PostgreSQL wants 64 bits.
_EventSeq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, default=0),
)

locations = sa.Table(
    "locations",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("parent_id", sa.String(200)),
    sa.Column("pos", sa.Integer, nullable=False),  # the listing's order, kept for a faithful reload
    sa.Column("seq", sa.BigInteger, nullable=False),
)

rooms = sa.Table(
    "rooms",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("room_id", sa.String(200), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("location_id", sa.String(200)),
    sa.Column("room_type", sa.String(40)),
    sa.Column("capacity", sa.Integer),
    sa.Column("listed_at", sa.Float, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
)


def _reading(name: str, *columns: sa.Column[object]) -> sa.Table:
    """A per-room reading: one row per room id, the payload as compact JSON text."""
    return sa.Table(
        name,
        metadata,
        sa.Column("room", sa.String(200), primary_key=True),
        *columns,
        sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    )


devices = _reading(
    "devices",
    sa.Column("payload", sa.Text),  # NULL: the read failed, ``error`` says why
    sa.Column("read_at", sa.Float, nullable=False),
    sa.Column("error", sa.Text),
)
dashboard = _reading(
    "dashboard",
    sa.Column("payload", sa.Text),  # NULL: Zoom had no Dashboard row for the room
    sa.Column("read_at", sa.Float, nullable=False),
)
profiles = _reading(
    "profiles", sa.Column("payload", sa.Text, nullable=False), sa.Column("read_at", sa.Float, nullable=False)
)
sensors = _reading(
    "sensors", sa.Column("payload", sa.Text, nullable=False), sa.Column("read_at", sa.Float, nullable=False)
)
occupancy = _reading(
    "occupancy", sa.Column("occupied", sa.Boolean, nullable=False), sa.Column("at", sa.Float, nullable=False)
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", _EventSeq, primary_key=True, autoincrement=True),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("room_id", sa.String(200)),
    sa.Column("room_name", sa.Text, nullable=False),
    sa.Column("location_id", sa.String(200)),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("severity", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("dedupe_key", sa.String(400), nullable=False, unique=True),
    sa.Index("ix_events_time", "time"),
    sa.Index("ix_events_room_time", "room_id", "time"),
    sa.Index("ix_events_location_time", "location_id", "time"),
)

# The deployment's shared OAuth access token (PostgreSQL, DESIGN §11), keyed by the app's fingerprint.
tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),  # JSON list
)

READINGS: tuple[sa.Table, ...] = (devices, dashboard, profiles, sensors, occupancy)


# ---- migrations ---------------------------------------------------------------------------------------


def _v1(conn: sa.Connection) -> None:
    """The first schema: meta, locations, rooms, per-room readings and the event log (frozen)."""
    md = sa.MetaData()
    seq = sa.BigInteger
    sa.Table(
        "meta",
        md,
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("seq", seq, nullable=False, default=0),
    )
    sa.Table(
        "locations",
        md,
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("parent_id", sa.String(200)),
        sa.Column("pos", sa.Integer, nullable=False),
        sa.Column("seq", seq, nullable=False),
    )
    sa.Table(
        "rooms",
        md,
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("room_id", sa.String(200), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("location_id", sa.String(200)),
        sa.Column("room_type", sa.String(40)),
        sa.Column("capacity", sa.Integer),
        sa.Column("listed_at", sa.Float, nullable=False),
        sa.Column("seq", seq, nullable=False, index=True),
        sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    )
    payload_columns: dict[str, list[sa.Column[object]]] = {
        "devices": [
            sa.Column("payload", sa.Text),
            sa.Column("read_at", sa.Float, nullable=False),
            sa.Column("error", sa.Text),
        ],
        "dashboard": [sa.Column("payload", sa.Text), sa.Column("read_at", sa.Float, nullable=False)],
        "profiles": [sa.Column("payload", sa.Text, nullable=False), sa.Column("read_at", sa.Float, nullable=False)],
        "sensors": [sa.Column("payload", sa.Text, nullable=False), sa.Column("read_at", sa.Float, nullable=False)],
        "occupancy": [sa.Column("occupied", sa.Boolean, nullable=False), sa.Column("at", sa.Float, nullable=False)],
    }
    for name, columns in payload_columns.items():
        sa.Table(
            name,
            md,
            sa.Column("room", sa.String(200), primary_key=True),
            *columns,
            sa.Column("seq", seq, nullable=False, index=True),
        )
    sa.Table(
        "events",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("time", sa.Float, nullable=False),
        sa.Column("room_id", sa.String(200)),
        sa.Column("room_name", sa.Text, nullable=False),
        sa.Column("location_id", sa.String(200)),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("dedupe_key", sa.String(400), nullable=False, unique=True),
        sa.Index("ix_events_time", "time"),
        sa.Index("ix_events_room_time", "room_id", "time"),
        sa.Index("ix_events_location_time", "location_id", "time"),
    )
    md.create_all(conn)
    conn.execute(sa.text("INSERT INTO meta (key, value, seq) VALUES (:k, '0', 0)"), {"k": KEY_SEQ})


def _v2(conn: sa.Connection) -> None:
    """The shared OAuth token for PostgreSQL deployments (#12) (frozen)."""
    md = sa.MetaData()
    sa.Table(
        "tokens",
        md,
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
    )
    md.create_all(conn)


# The packed layouts version 3 introduced (``store.sql`` packs and unpacks by the records' field order, which
# must begin with these): a JSON array of the fields in this order, trailing nulls dropped.
V3_DEVICE_FIELDS = (
    "device_type",
    "status",
    "app_version",
    "device_system",
    "device_model",
    "device_manufacturer",
    "ip_address",
    "device_id",
)
V3_DASHBOARD_FIELDS = (
    "room_id",
    "health",
    "issues",
    "status",
    "camera",
    "microphone",
    "speaker",
    "last_start_time",
    "live_meeting_start",
)


def _v3(conn: sa.Connection) -> None:
    """Device and Dashboard payloads packed: arrays of the fields in order instead of objects (about half the
    size, and several times faster to load at start-up). Rewrites the existing rows in place (frozen)."""

    def trimmed(values: list[object]) -> list[object]:
        while values and values[-1] is None:
            values.pop()
        return values

    def text(value: object) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def devices(payload: str) -> str:
        return text([trimmed([d.get(name) for name in V3_DEVICE_FIELDS]) for d in json.loads(payload)])

    def dashboard(payload: str) -> str:
        data = json.loads(payload)
        values = [data.get(name) for name in V3_DASHBOARD_FIELDS]
        values[2] = values[2] or []  # issues: always present, so a row has at least three fields
        return text(trimmed(values))

    for name, convert in (("devices", devices), ("dashboard", dashboard)):
        table = sa.table(name, sa.column("room", sa.String), sa.column("payload", sa.Text))
        rows = conn.execute(sa.select(table.c.room, table.c.payload).where(table.c.payload.is_not(None))).all()
        update = sa.update(table).where(table.c.room == sa.bindparam("key")).values(payload=sa.bindparam("packed"))
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            conn.execute(update, [{"key": room, "packed": convert(payload)} for room, payload in chunk])


# MIGRATIONS[n - 1] takes a store from version n - 1 to n. Append only.
MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_v1, _v2, _v3)
SCHEMA_VERSION = len(MIGRATIONS)


def stored_version(conn: sa.Connection) -> int:
    """The schema version the store was written with; 0 for an empty database."""
    if not sa.inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == KEY_VERSION)).scalar_one_or_none()
    return int(value) if value is not None else 0


def stored_account(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("meta"):
        return None
    return conn.execute(sa.select(meta.c.value).where(meta.c.key == KEY_ACCOUNT)).scalar_one_or_none()


def migrate(conn: sa.Connection, account_id: str) -> int:
    """Bring the store up to ``SCHEMA_VERSION`` inside the caller's locked transaction; returns the old version.

    The caller has checked that the stored version is not newer than the code.
    """
    version = stored_version(conn)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[number - 1](conn)
        _set_meta(conn, KEY_VERSION, str(number))
    if stored_account(conn) is None:
        _set_meta(conn, KEY_ACCOUNT, account_id)
    return version


def _set_meta(conn: sa.Connection, key: str, value: str) -> None:
    updated = conn.execute(sa.update(meta).where(meta.c.key == key).values(value=value))
    if not updated.rowcount:
        conn.execute(sa.insert(meta).values(key=key, value=value, seq=0))
