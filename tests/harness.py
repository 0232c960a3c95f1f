"""Test harness: the real server driven through the SDK's in-memory Client; only the network is replaced
(by the simulator). Fixtures built on it live in tests/conftest.py."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextContent
from pydantic import SecretStr

from zoom_rooms_mcp.server import create_server
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.simulator import DEMO_API_BASE_URL, DEMO_TOKEN_URL, SimCredentials, Simulator
from zoom_rooms_mcp.zoom.catalog import Plan

# Simulator limits and client pacing are both scaled, so fan-outs stay paced (and 429-free) but fast.
RATE_SCALE = 20.0


def settings_for(sim: Simulator, cache_dir: Path, plan: Plan = "business", secret: str | None = None) -> Settings:
    credentials: SimCredentials = sim.credentials
    return Settings(
        zoom_account_id=credentials.account_id,
        zoom_client_id=credentials.client_id,
        zoom_client_secret=SecretStr(secret or credentials.client_secret),
        zoom_api_base_url=DEMO_API_BASE_URL,
        zoom_oauth_token_url=DEMO_TOKEN_URL,
        zoom_api_plan=plan,
        token_cache_dir=cache_dir,
        # Tools read on demand by default; the store and sync tests switch the sync on themselves.
        zoom_rooms_store=SecretStr("memory"),
        zoom_rooms_sync=False,
        _env_file=None,
    )


def simulator(
    rooms: int = 150,
    seed: int = 7,
    plan: Plan = "business",
    scopes: Iterable[str] | None = None,
    clock: Callable[[], float] = time.time,
) -> Simulator:
    return Simulator(rooms=rooms, seed=seed, plan=plan, scopes=scopes, rate_scale=RATE_SCALE, clock=clock)


def connector(cache_dir: Path) -> Callable[..., AbstractAsyncContextManager[Client]]:
    """``async with connect(sim, plan=..., secret=..., clock=...) as client``: a fresh server on ``sim``'s
    transport (``clock``: the server's wall clock, for answers about fixed dates)."""

    @asynccontextmanager
    async def _connect(
        sim: Simulator,
        plan: Plan | None = None,
        secret: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> AsyncIterator[Client]:
        sim.reset()
        settings = settings_for(sim, cache_dir, plan or sim.plan, secret)
        server = create_server(settings, transport=sim.transport(), rate_scale=RATE_SCALE, clock=clock)
        async with Client(server) as client:
            yield client

    return _connect


async def call(client: Client, tool: str, args: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Call a tool that must succeed and return its structured content."""
    result: CallToolResult = await client.call_tool(tool, args or {}, **kwargs)
    assert not result.is_error, result.content
    content = result.structured_content
    assert isinstance(content, dict)
    return content


async def call_error(client: Client, tool: str, args: dict[str, Any] | None = None) -> str:
    """Call a tool that must fail and return the error text the model sees."""
    result = await client.call_tool(tool, args or {})
    assert result.is_error, result.structured_content
    return text_of(result)


def text_of(result: CallToolResult) -> str:
    """The text the model reads from a result (errors carry it in their first content block)."""
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


TOOLS = frozenset(
    {
        "test_zoom_connection",
        "get_zoom_sites",
        "resolve_location",
        "get_zoom_rooms",
        "get_room_details",
        "get_fleet_health",
        "get_room_issues",
        "get_top_issues",
        "get_room_alerts",
    }
)


COMMAND = [sys.executable, "-m", "zoom_rooms_mcp"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """os.environ without any ZOOM_* setting, a private token cache and data dir (so the default SQLite store
    lands in the test's own directory), the background sync off unless asked for, no colours, wide output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOOM_") and k not in ("TOKEN_CACHE_DIR",)}
    env.pop("FORCE_COLOR", None)
    env.update(
        TOKEN_CACHE_DIR=str(tmp_path / "token-cache"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        ZOOM_ROOMS_SYNC="off",
        NO_COLOR="1",
        COLUMNS="200",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def sim_env(tmp_path: Path, base_url: str, credentials: SimCredentials | None = None, **extra: str) -> dict[str, str]:
    """Environment that points the server at a simulator running on loopback."""
    creds = credentials or SimCredentials()
    return clean_env(
        tmp_path,
        ZOOM_API_BASE_URL=f"{base_url}/v2",
        ZOOM_OAUTH_TOKEN_URL=f"{base_url}/oauth/token",
        ZOOM_ACCOUNT_ID=creds.account_id,
        ZOOM_CLIENT_ID=creds.client_id,
        ZOOM_CLIENT_SECRET=creds.client_secret,
        ZOOM_API_PLAN="business",
        **extra,
    )


def stdio_server(sim: Simulator, base_url: str, cache_dir: Path) -> StdioServerParameters:
    """The installed entry point as a stdio subprocess, configured for a simulator served on loopback."""
    env = sim_env(cache_dir, base_url, sim.credentials)
    return StdioServerParameters(command=COMMAND[0], args=[*COMMAND[1:], "serve"], env=env, cwd=cache_dir)
