"""Forward-only migrations: an old store is upgraded in place, a newer one refused, replicas migrate once."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
import sqlalchemy as sa

from tests.pg import PgServer
from tests.store.conftest import ACCOUNT, Target
from zoom_rooms_mcp.store import StoreSchemaError, default_sqlite_path, open_store, schema
from zoom_rooms_mcp.store.api import Batch, EventQuery, TokenRecord

pytestmark = pytest.mark.anyio


def _create_v1_store(url: str) -> None:
    """A store as version 1 of the code left it: a frozen copy of the v1 DDL, with a room and an event."""
    md = sa.MetaData()
    sa.Table(
        "meta",
        md,
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    sa.Table(
        "locations",
        md,
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("parent_id", sa.String(200)),
        sa.Column("pos", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
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
        sa.Column("seq", sa.BigInteger, nullable=False, index=True),
        sa.Column("deleted", sa.Boolean, nullable=False),
    )
    readings: dict[str, list[sa.Column[Any]]] = {
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
    for name, columns in readings.items():
        sa.Table(
            name,
            md,
            sa.Column("room", sa.String(200), primary_key=True),
            *columns,
            sa.Column("seq", sa.BigInteger, nullable=False, index=True),
        )
    sa.Table(
        "events",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
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
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            conn.execute(
                md.tables["meta"].insert(),
                [
                    {"key": "store:schema_version", "value": "1", "seq": 0},
                    {"key": "store:account_id", "value": ACCOUNT, "seq": 0},
                    {"key": "store:seq", "value": "1", "seq": 1},
                ],
            )
            conn.execute(
                md.tables["rooms"]
                .insert()
                .values(
                    id="r1",
                    room_id="R1",
                    name="Old Room",
                    status="Offline",
                    location_id=None,
                    room_type=None,
                    capacity=None,
                    listed_at=5.0,
                    seq=1,
                    deleted=False,
                )
            )
            conn.execute(
                md.tables["events"]
                .insert()
                .values(
                    time=5.0,
                    room_id="r1",
                    room_name="Old Room",
                    location_id=None,
                    kind="offline",
                    severity="critical",
                    message="went offline",
                    source="sync",
                    dedupe_key="old-1",
                )
            )
    finally:
        engine.dispose()


def _shape(url: str) -> dict[str, list[str]]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            name: sorted(c["name"] for c in inspector.get_columns(name)) for name in sorted(inspector.get_table_names())
        }
    finally:
        engine.dispose()


def _url(target: Target) -> str:
    if target.backend == "sqlite":
        return f"sqlite:///{default_sqlite_path(ACCOUNT, target.data_dir)}"
    return target.setting.replace("postgresql://", "postgresql+psycopg://", 1)


async def test_an_old_store_is_upgraded_in_place(target: Target) -> None:
    if target.backend == "memory":
        pytest.skip("a memory store is always new")
    url = _url(target)
    await anyio.to_thread.run_sync(_create_v1_store, url)
    store = await target.open()
    try:
        loaded = await store.load()
        assert loaded.rooms["r1"].room.name == "Old Room"
        assert loaded.seq == 1
        assert (await store.events(EventQuery(since=0.0))).total == 1
        assert await store.put_token_if(TokenRecord("t", 1.0, (), "fp"), expected=None)  # the v2 table
        assert await store.write(Batch(meta={"k": "v"})) == 2
    finally:
        await store.close()
    upgraded = await anyio.to_thread.run_sync(_shape, url)
    assert upgraded == {
        name: sorted(c.name for c in table.columns) for name, table in sorted(schema.metadata.tables.items())
    }


async def test_a_newer_store_is_refused_untouched(target: Target) -> None:
    if target.backend == "memory":
        pytest.skip("a memory store is always new")
    store = await target.open()
    await store.write(Batch(meta={"k": "v"}))
    await store.close()

    def bump() -> None:
        engine = sa.create_engine(_url(target))
        with engine.begin() as conn:
            conn.execute(sa.update(schema.meta).where(schema.meta.c.key == schema.KEY_VERSION).values(value="7"))
        engine.dispose()

    await anyio.to_thread.run_sync(bump)
    with pytest.raises(StoreSchemaError, match="schema version 7, newer than this server's") as info:
        await target.open()
    assert "newer zoom-rooms-mcp" in str(info.value)

    def version() -> str:
        engine = sa.create_engine(_url(target))
        with engine.connect() as conn:
            found = conn.execute(
                sa.select(schema.meta.c.value).where(schema.meta.c.key == schema.KEY_VERSION)
            ).scalar_one()
        engine.dispose()
        return str(found)

    assert await anyio.to_thread.run_sync(version) == "7"


async def test_replicas_started_together_migrate_once(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    url = pg_server.database()
    runs: list[int] = []

    def counted(number: int) -> Any:
        original = schema.MIGRATIONS[number - 1]

        def run(conn: sa.Connection) -> None:
            runs.append(number)
            original(conn)

        return run

    monkeypatch.setattr(schema, "MIGRATIONS", tuple(counted(n) for n in range(1, schema.SCHEMA_VERSION + 1)))
    stores = []

    async def start() -> None:
        stores.append(await open_store(url, account_id=ACCOUNT))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(start)
    try:
        assert runs == list(range(1, schema.SCHEMA_VERSION + 1))
        assert len(stores) == 3
    finally:
        for store in stores:
            await store.close()
