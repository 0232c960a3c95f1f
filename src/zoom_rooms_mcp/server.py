"""The MCP server: factory and lifespan (one Zoom client stack, fleet store and background sync for the
server's life).
Instructions, prompts and the location-tree resource live in ``prompts``."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import httpx2
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr
from starlette.routing import BaseRoute

from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.fleet.reader import ZoomReader
from zoom_rooms_mcp.fleet.service import FleetService
from zoom_rooms_mcp.fleet.sync import Cadence, SyncEngine
from zoom_rooms_mcp.fleet.webhooks import FleetWebhookSink
from zoom_rooms_mcp.prompts import DEMO_NOTE, INSTRUCTIONS, register_guide
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.store import SqlStore, StoreUnavailableError, open_store
from zoom_rooms_mcp.store.token_cache import StoreTokenCache
from zoom_rooms_mcp.tools import register_all
from zoom_rooms_mcp.webhooks.events import WebhookEvent
from zoom_rooms_mcp.webhooks.route import webhook_route
from zoom_rooms_mcp.zoom.stack import open_zoom_stack
from zoom_rooms_mcp.zoom.token import Credentials, TokenCache

if TYPE_CHECKING:
    from zoom_rooms_mcp.simulator import Simulator

log = logging.getLogger(__name__)

SERVER_NAME = "zoom-rooms-mcp"
# PostgreSQL unreachable at start-up: retry this long (backoff up to STORE_RETRY_MAX), then refuse to start.
STORE_STARTUP_WAIT = 60.0
STORE_RETRY_MAX = 10.0


def create_server(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    rate_scale: float = 1.0,
    clock: Callable[[], float] = time.time,
    cadence: Cadence | None = None,
    live: list[AppContext] | None = None,
    simulator: Simulator | None = None,
) -> MCPServer:
    """Build the server. ``transport`` replaces the network (tests, benchmarks); demo mode uses the simulator.

    ``rate_scale`` multiplies the plan's rate limits in the pacer: for tests against a simulator whose
    limits are scaled the same way, never for a real account. ``clock`` is the wall clock every answer's
    dates and ages come from (tests move it by hand); ``cadence`` sets the background sync's timings.
    ``live`` receives the running lifespan's state, for routes the SDK gives no Context (webhooks).
    ``simulator`` is the simulated account demo mode serves (a new one by default).
    """
    demo = settings.zoom_rooms_demo
    running: list[AppContext] = live if live is not None else []

    @asynccontextmanager
    async def lifespan(server: MCPServer) -> AsyncIterator[AppContext]:
        effective, zoom_transport = demo_wiring(settings, simulator) if demo else (settings, transport)
        store_config = effective.store_config()
        store = await open_store_patiently(
            store_config.url.get_secret_value(), account_id=effective.zoom_account_id or "demo"
        )
        try:
            async with open_zoom_stack(
                effective,
                transport=zoom_transport,
                rate_scale=rate_scale,
                token_cache=shared_token_cache(store, effective),
            ) as stack:
                fleet = FleetService(ZoomReader(stack.client, clock), store, clock=clock)
                sync = SyncEngine(
                    fleet,
                    store,
                    share=effective.zoom_rooms_sync_share,
                    enabled=effective.zoom_rooms_sync,
                    cadence=cadence,
                    clock=clock,
                )
                try:
                    await fleet.load()
                    log.info(
                        "zoom-rooms-mcp %s ready (%s, plan %s, store %s, sync %s)",
                        __version__,
                        "demo" if demo else effective.zoom_api_base_url,
                        effective.zoom_api_plan,
                        store.display_url,
                        "on" if effective.zoom_rooms_sync else "off",
                    )
                    state = AppContext(
                        settings=effective,
                        tokens=stack.tokens,
                        client=stack.client,
                        service=fleet,
                        store=store,
                        sync=sync,
                        webhooks=FleetWebhookSink(fleet),
                        account_id=effective.zoom_account_id or "",
                        client_id=effective.zoom_client_id or "",
                        demo=demo,
                    )
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(sync.run)
                        running.append(state)
                        try:
                            yield state
                        finally:
                            running.remove(state)
                            tg.cancel_scope.cancel()
                finally:
                    with anyio.CancelScope(shield=True):
                        await sync.close()
        finally:
            with anyio.CancelScope(shield=True):
                await store.close()

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
    register_guide(server, running)
    return server


async def open_store_patiently(
    setting: str,
    *,
    account_id: str,
    wait: float = STORE_STARTUP_WAIT,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> SqlStore:
    """``open_store``, retried with backoff while PostgreSQL cannot be reached, for at most ``wait`` seconds.

    Replicas and their database often start together (compose, a Kubernetes roll-out), so a refused
    connection at start-up is waited out. After ``wait`` the server does not start: a replica without the
    shared store would sync alone and fetch its own token, spending the account's rate limit once more, so
    failing loudly (and letting the orchestrator restart it) is what the deployment wants (docs/deploy.md).
    """
    delay, waited = 0.5, 0.0
    while True:
        try:
            return await open_store(setting, account_id=account_id)
        except StoreUnavailableError as exc:
            if waited >= wait:
                log.error(
                    "Cannot start: %s (waited %.0f s). Start the database or fix ZOOM_ROOMS_STORE; exiting.",
                    exc,
                    waited,
                )
                raise
            log.warning("%s; retrying in %.1f s", exc, delay)
            await sleep(delay)
            waited += delay
            delay = min(delay * 2, STORE_RETRY_MAX)


def shared_token_cache(store: SqlStore, settings: Settings) -> TokenCache | None:
    """With PostgreSQL the token lives in the store (one token for every replica, no shared filesystem);
    otherwise the file cache in ``TOKEN_CACHE_DIR`` (None here: the stack builds it)."""
    if store.backend != "postgresql":
        return None
    credentials = Credentials(
        settings.zoom_oauth_token_url, settings.zoom_client_id or "", settings.zoom_client_secret or SecretStr("")
    )
    return StoreTokenCache(store, credentials, settings.zoom_account_id or "")


class LiveSink:
    """The webhook route's sink before and after the server runs: it forwards to the running lifespan's
    fleet, and refuses (the route answers 503, so Zoom delivers again) while none is running."""

    def __init__(self, live: list[AppContext]) -> None:
        self._live = live

    def _sink(self) -> FleetWebhookSink:
        if not self._live:
            raise RuntimeError("the server is not running")
        return self._live[-1].webhooks

    async def accept(self, event: WebhookEvent) -> bool:
        return await self._sink().accept(event)

    async def after(self, event: WebhookEvent) -> None:
        await self._sink().after(event)


def webhook_routes(settings: Settings, live: list[AppContext]) -> list[BaseRoute]:
    """``POST /zoom/webhook`` when ``ZOOM_WEBHOOK_SECRET_TOKEN`` is set (DESIGN §10), else nothing."""
    secret = settings.zoom_webhook_secret_token
    if secret is None:
        return []
    account_id = None if settings.zoom_rooms_demo else settings.zoom_account_id
    return [webhook_route(secret=secret, sink=LiveSink(live), account_id=account_id)]


def demo_wiring(settings: Settings, simulator: Simulator | None = None) -> tuple[Settings, httpx2.AsyncBaseTransport]:
    """Demo mode: the production code path against the in-process simulator, with its credentials."""
    from zoom_rooms_mcp.simulator import DEMO_API_BASE_URL, DEMO_TOKEN_URL, Simulator

    simulator = simulator or Simulator(plan="business")
    credentials = simulator.credentials
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
