"""The deployment's one token through a real PostgreSQL store, in-process: several token managers, each on its own
store handle (as replicas are), against the simulator."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
import httpx2
import psycopg
import pytest
from pydantic import SecretStr

from tests.cli.helpers import closed_port, run_cli
from tests.harness import clean_env
from tests.pg import PgServer
from zoom_rooms_mcp.server import open_store_patiently
from zoom_rooms_mcp.simulator import DEMO_TOKEN_URL, SimCredentials, Simulator
from zoom_rooms_mcp.store import SqlStore, StoreUnavailableError, open_store
from zoom_rooms_mcp.store.token_cache import StoreTokenCache
from zoom_rooms_mcp.zoom.errors import ZoomAuthError
from zoom_rooms_mcp.zoom.token import Credentials, TokenManager

pytestmark = pytest.mark.anyio
CREDS = SimCredentials()


def manager(http: httpx2.AsyncClient, store: SqlStore, secret: str = CREDS.client_secret) -> TokenManager:
    credentials = Credentials(DEMO_TOKEN_URL, CREDS.client_id, SecretStr(secret))
    return TokenManager(
        http=http,
        token_url=DEMO_TOKEN_URL,
        account_id=CREDS.account_id,
        client_id=CREDS.client_id,
        client_secret=SecretStr(secret),
        cache_dir=None,
        cache=StoreTokenCache(store, credentials, CREDS.account_id),
    )


@pytest.fixture
def db_url(replicas_pg: PgServer) -> str:
    return replicas_pg.database()


@pytest.fixture
async def stores(db_url: str) -> AsyncIterator[list[SqlStore]]:
    url = db_url
    async with AsyncExitStack() as stack:
        opened = []
        for _ in range(3):
            store = await open_store(url, account_id=CREDS.account_id)
            stack.push_async_callback(store.close)
            opened.append(store)
        yield opened


def token_rows(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT fingerprint, value, expires_at, scopes FROM tokens").fetchall()


async def test_three_replicas_fetch_one_token(stores: list[SqlStore], db_url: str) -> None:
    sim = Simulator(rooms=5)
    async with httpx2.AsyncClient(transport=sim.transport()) as http:
        managers = [manager(http, store) for store in stores]
        values: list[str] = []

        async def ask(tokens: TokenManager) -> None:
            values.append((await tokens.get_token()).token.value)

        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                for _ in range(10):
                    for tokens in managers:
                        tg.start_soon(ask, tokens)
    assert sim.stats.token_requests == 1
    assert len(values) == 30
    assert len(set(values)) == 1
    # Stored under a fingerprint, with the token and never the secret or the client id.
    rows = token_rows(db_url)
    assert len(rows) == 1
    fingerprint, value, _, _ = rows[0]
    assert value == values[0]
    assert isinstance(fingerprint, str)
    assert len(fingerprint) == 64
    assert CREDS.client_secret not in repr(rows)
    assert CREDS.client_id not in repr(rows)


async def test_the_token_command_shows_and_clears_the_shared_token(
    stores: list[SqlStore], db_url: str, tmp_path: Path
) -> None:
    """`zoom-rooms-mcp token` with a PostgreSQL store looks in the database, never at a file, never prints it."""
    sim = Simulator(rooms=5)
    async with httpx2.AsyncClient(transport=sim.transport()) as http:
        value = (await manager(http, stores[0]).get_token()).token.value

    def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env=env, cwd=tmp_path)

    env = clean_env(
        tmp_path,
        ZOOM_ROOMS_STORE=db_url,
        ZOOM_ACCOUNT_ID=CREDS.account_id,
        ZOOM_CLIENT_ID=CREDS.client_id,
        ZOOM_CLIENT_SECRET=CREDS.client_secret,
        ZOOM_OAUTH_TOKEN_URL=DEMO_TOKEN_URL,
        ZOOM_API_BASE_URL=DEMO_TOKEN_URL.replace("/oauth/token", "/v2"),
    )
    shown = await anyio.to_thread.run_sync(lambda: cli("token", "--json", env=env))
    assert shown.returncode == 0, shown.stderr
    state = json.loads(shown.stdout)
    assert state["exists"] is True
    assert state["usable"] is True
    assert value not in shown.stdout + shown.stderr
    cleared = await anyio.to_thread.run_sync(lambda: cli("token", "--clear", env=env))
    assert cleared.returncode == 0, cleared.stderr
    assert "Deleted the shared token" in cleared.stdout
    assert token_rows(db_url) == []
    no_secret = {k: v for k, v in env.items() if k != "ZOOM_CLIENT_SECRET"}
    without_secret = await anyio.to_thread.run_sync(lambda: cli("token", env=no_secret))
    assert without_secret.returncode == 2
    assert "ZOOM_CLIENT_SECRET" in without_secret.stderr


async def test_a_401_on_one_replica_invalidates_the_token_everywhere(stores: list[SqlStore]) -> None:
    sim = Simulator(rooms=5)
    async with httpx2.AsyncClient(transport=sim.transport()) as http:
        a, b, c = (manager(http, store) for store in stores)
        old = (await a.get_token()).token
        assert (await b.get_token()).source == "store"
        await a.invalidate(old)  # Zoom rejected it on replica A
        new = (await c.get_token()).token  # C had no token in memory: it finds none stored, fetches one
        assert new.value != old.value
        assert sim.stats.token_requests == 2
        # B's own 401 on the old token must not throw away C's new one: B reads it from the store.
        await b.invalidate(old)
        result = await b.get_token()
        assert (result.source, result.token.value) == ("store", new.value)
        assert sim.stats.token_requests == 2


async def test_a_rotated_secret_never_reads_the_old_token(stores: list[SqlStore]) -> None:
    sim = Simulator(rooms=5)
    async with httpx2.AsyncClient(transport=sim.transport()) as http:
        await manager(http, stores[0]).get_token()
        rotated = manager(http, stores[1], secret="a-rotated-secret")
        # The simulator refuses the other secret: proof that the stored token was not handed out instead.
        with pytest.raises(ZoomAuthError, match="ZOOM_CLIENT_SECRET"):
            await rotated.get_token()


async def test_an_unreachable_store_means_a_token_of_its_own(
    stores: list[SqlStore], caplog: pytest.LogCaptureFixture
) -> None:
    sim = Simulator(rooms=5)
    store = stores[0]
    await store.close()  # every store call now fails as a dead database would
    async with httpx2.AsyncClient(transport=sim.transport()) as http:
        tokens = manager(http, store)
        with caplog.at_level(logging.WARNING):
            first = await tokens.get_token()
            second = await tokens.get_token()
    assert (first.source, second.source) == ("endpoint", "memory")
    assert any("out of reach" in r.getMessage() for r in caplog.records)


async def test_start_up_waits_for_postgresql_then_refuses_clearly(caplog: pytest.LogCaptureFixture) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    url = f"postgresql://u:s3cr3t-pw@127.0.0.1:{closed_port()}/fleet"
    with caplog.at_level(logging.WARNING), pytest.raises(StoreUnavailableError):
        await open_store_patiently(url, account_id="acct", wait=20, sleep=sleep)
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]  # backoff, capped, until the wait is used up
    final = caplog.records[-1].getMessage()
    assert final.startswith("Cannot start: The fleet store postgresql+psycopg://u:***@127.0.0.1")
    assert "ZOOM_ROOMS_STORE" in final
    assert "s3cr3t-pw" not in caplog.text
