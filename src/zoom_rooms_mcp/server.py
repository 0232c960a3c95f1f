"""The MCP server: factory and lifespan (one HTTP client, token manager and cache for the server's life).
Instructions, prompts and the location-tree resource live in ``prompts``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.fleet import FleetService
from zoom_rooms_mcp.prompts import DEMO_NOTE, INSTRUCTIONS, register_guide
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.tools import register_all
from zoom_rooms_mcp.zoom.client import ZoomClient
from zoom_rooms_mcp.zoom.pacing import Pacer
from zoom_rooms_mcp.zoom.token import TokenManager

log = logging.getLogger(__name__)

SERVER_NAME = "zoom-rooms-mcp"
USER_AGENT = f"zoom-rooms-mcp/{__version__} (+https://pypi.org/project/zoom-rooms-mcp/)"
TIMEOUT = httpx2.Timeout(20.0, connect=5.0)


def create_server(
    settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None, rate_scale: float = 1.0
) -> MCPServer:
    """Build the server. ``transport`` replaces the network (tests, benchmarks); demo mode uses the simulator.

    ``rate_scale`` multiplies the plan's rate limits in the pacer: for tests against a simulator whose
    limits are scaled the same way, never for a real account.
    """
    demo = settings.zoom_rooms_demo
    live: list[AppContext] = []  # the running lifespan's state, for handlers the SDK gives no Context

    @asynccontextmanager
    async def lifespan(server: MCPServer) -> AsyncIterator[AppContext]:
        effective, zoom_transport = demo_wiring(settings) if demo else (settings, transport)
        async with httpx2.AsyncClient(
            transport=zoom_transport,
            timeout=TIMEOUT,
            limits=httpx2.Limits(max_connections=20, max_keepalive_connections=10),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        ) as http:
            tokens = TokenManager(
                http=http,
                token_url=effective.zoom_oauth_token_url,
                account_id=effective.zoom_account_id or "",
                client_id=effective.zoom_client_id or "",
                client_secret=effective.zoom_client_secret or SecretStr(""),
                # The simulator lives and dies with this process: caching its tokens on disk is pointless.
                cache_dir=None if demo else effective.token_cache_dir,
            )
            client = ZoomClient(
                http=http,
                tokens=tokens,
                base_url=effective.zoom_api_base_url,
                pacer=Pacer(effective.zoom_api_plan, scale=rate_scale),
            )
            log.info(
                "zoom-rooms-mcp %s ready (%s, plan %s)",
                __version__,
                "demo" if demo else effective.zoom_api_base_url,
                effective.zoom_api_plan,
            )
            state = AppContext(
                settings=effective,
                tokens=tokens,
                client=client,
                fleet=FleetService(client),
                account_id=effective.zoom_account_id or "",
                client_id=effective.zoom_client_id or "",
                demo=demo,
            )
            live.append(state)
            try:
                yield state
            finally:
                live.remove(state)

    server = MCPServer(
        SERVER_NAME,
        version=__version__,
        instructions=INSTRUCTIONS + (DEMO_NOTE if demo else ""),
        lifespan=lifespan,
        # The SDK configures the root logger when nothing else has; keep that quiet for library users
        # (the CLI installs its own stderr handler and level first).
        log_level="WARNING",
    )
    register_all(server)
    register_guide(server, live)
    return server


def demo_wiring(settings: Settings) -> tuple[Settings, httpx2.AsyncBaseTransport]:
    """Demo mode: the production code path against the in-process simulator, with its credentials."""
    from zoom_rooms_mcp.simulator import DEMO_API_BASE_URL, DEMO_TOKEN_URL, SimCredentials, Simulator

    credentials = SimCredentials()
    simulator = Simulator(plan="business", credentials=credentials)
    demo_settings = settings.model_copy(
        update={
            "zoom_account_id": credentials.account_id,
            "zoom_client_id": credentials.client_id,
            "zoom_client_secret": SecretStr(credentials.client_secret),
            "zoom_api_base_url": DEMO_API_BASE_URL,
            "zoom_oauth_token_url": DEMO_TOKEN_URL,
            "zoom_api_plan": "business",
        }
    )
    return demo_settings, simulator.transport()
