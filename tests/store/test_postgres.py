"""PostgreSQL specifics against a real server: masked URLs, the missing extra, losing the leader's
connection, a restarted database and an outage."""

from __future__ import annotations

import importlib.util
from typing import Any

import anyio
import pytest

from tests.pg import PgServer
from tests.store.conftest import ACCOUNT
from zoom_rooms_mcp.store import StoreConfigError, StoreUnavailableError, open_store
from zoom_rooms_mcp.store.api import Batch, EventQuery, NewEvent
from zoom_rooms_mcp.store.leadership import PG_LEADER_NAMESPACE

pytestmark = pytest.mark.anyio


async def test_the_password_is_masked(pg_server: PgServer) -> None:
    url = pg_server.database().replace("postgres@", "postgres:s3cr3t-pw@")  # trust auth ignores it
    store = await open_store(url, account_id=ACCOUNT)
    try:
        assert store.backend == "postgresql"
        assert "s3cr3t-pw" not in store.display_url
        assert "***" in store.display_url
    finally:
        await store.close()
    dead = f"postgresql://u:s3cr3t-pw@127.0.0.1:{pg_server.port}/no_such_db"
    with pytest.raises(StoreUnavailableError) as info:
        await open_store(dead, account_id=ACCOUNT)
    assert "s3cr3t-pw" not in str(info.value)


async def test_without_the_extra_the_setting_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "psycopg" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(StoreConfigError, match=r"pip install 'zoom-rooms-mcp\[postgres\]'"):
        await open_store("postgresql://u:p@db.example/fleet", account_id=ACCOUNT)


def _terminate_leader(server: PgServer) -> None:
    with server.admin() as admin:
        row = admin.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s AND granted",
            (PG_LEADER_NAMESPACE,),
        ).fetchone()
        assert row is not None
        admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))


async def test_losing_the_leader_connection_loses_leadership_at_once(pg_server: PgServer) -> None:
    url = pg_server.database()
    first = await open_store(url, account_id=ACCOUNT)
    second = await open_store(url, account_id=ACCOUNT)
    try:
        lead, other = first.leadership(), second.leadership()
        assert await lead.try_acquire()
        assert not await other.try_acquire()
        await anyio.to_thread.run_sync(_terminate_leader, pg_server)
        with anyio.fail_after(10):
            assert not await lead.check()
        assert not lead.is_leader
        assert await other.try_acquire()
        assert await other.check()
        assert not await lead.try_acquire()  # reconnects, finds the lock taken
        await first.write(Batch(meta={"still": "writes"}))  # the pool is unaffected
    finally:
        await second.close()
        await first.close()


def _alert(key: str) -> NewEvent:
    return NewEvent(1.0, "r1", "Room 1", None, "offline", "critical", "offline", "webhook", key)


@pytest.mark.slow
async def test_a_restarted_database_is_survived_and_an_outage_is_a_typed_error(pg_server: PgServer) -> None:
    url = pg_server.database()
    store = await open_store(url, account_id=ACCOUNT)
    reader = await open_store(url, account_id=ACCOUNT)
    try:
        lead = store.leadership()
        assert await lead.try_acquire()
        await store.write(Batch(events=[_alert("a")]))

        await anyio.to_thread.run_sync(pg_server.restart)
        assert await store.write(Batch(events=[_alert("b")])) > 0  # stale pooled connections replaced
        assert (await reader.events(EventQuery(since=0.0))).total == 2
        assert not await lead.check()  # the session holding the lock ended with the restart
        assert await lead.try_acquire()

        await anyio.to_thread.run_sync(pg_server.stop)
        try:
            with anyio.fail_after(30):
                with pytest.raises(StoreUnavailableError, match="unavailable"):
                    await store.write(Batch(events=[_alert("c")]))
                with pytest.raises(StoreUnavailableError):
                    await reader.ping()
                assert not await lead.check()
        finally:
            await anyio.to_thread.run_sync(pg_server.start)
        await store.write(Batch(events=[_alert("c")]))
        await reader.ping()
        assert (await reader.events(EventQuery(since=0.0))).total == 3
    finally:
        await reader.close()
        await store.close()
