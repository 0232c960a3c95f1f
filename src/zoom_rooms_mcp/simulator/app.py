"""The Zoom simulator: an ASGI app serving ``POST /oauth/token``, ``GET /v2/...`` and ``/_simulator/...``."""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from .api import ZoomApi
from .changes import FleetControl
from .control import control_routes
from .errors import unknown_endpoint
from .facts import Category, Plan
from .faults import FaultController
from .fleet import Fleet, generate_fleet
from .middleware import FaultMiddleware
from .oauth import SimCredentials, TokenStore, token_endpoint
from .pagination import PageTokens
from .ratelimit import RateLimiter
from .stats import Stats
from .transport import SimulatorTransport
from .variants import DEFAULT_VARIANTS, Variants
from .webhooks import WebhookSender

DEFAULT_CREDENTIALS = SimCredentials()
# Classic scopes that unlock every endpoint the server reads.
DEFAULT_SCOPES = ("room:read:admin", "dashboard_zr:read:admin", "dashboard_home:read:admin")
EVENT_LOG_SIZE = 10_000


async def _no_route(request: Request, exc: Exception) -> JSONResponse:
    error = unknown_endpoint()
    return JSONResponse(error.body(), status_code=getattr(exc, "status_code", error.status))


class Simulator:
    """A simulated Zoom account: one fleet, one S2S app (credentials + scopes), one plan.

    ``clock`` drives token expiry, page-token expiry, rate limits and webhook timestamps (inject a fake one in
    tests); ``rate_scale`` multiplies every rate limit; ``variants`` picks the answer to each behaviour of Zoom
    that is not confirmed (``variants.VARIANT_MATRIX``).

    Fleet changes go through ``control`` (``changes.FleetControl``; over HTTP under ``/_simulator/``). Each one
    is recorded in ``events`` and, with ``webhook_url`` and ``webhook_secret``, sent as a Zoom-signed webhook
    (``webhook_transport`` replaces the network, e.g. an ``httpx2.ASGITransport`` of the receiving app).
    ``chaos_interval`` (seconds) makes a random change now and then (``control.chaos_step``), deterministic from
    the fleet's seed. Deliveries and chaos run while ``running()`` is entered, or while the simulator is served
    (``serve_simulator`` / ``running_simulator``); a control call never waits for them.
    """

    def __init__(
        self,
        fleet: Fleet | None = None,
        *,
        rooms: int = 150,
        seed: int = 7,
        plan: Plan = "business",
        credentials: SimCredentials = DEFAULT_CREDENTIALS,
        scopes: Iterable[str] | None = None,
        clock: Callable[[], float] = time.time,
        rate_scale: float = 1.0,
        enforce_rate_limits: bool = True,
        variants: Variants = DEFAULT_VARIANTS,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        chaos_interval: float | None = None,
        webhook_transport: httpx2.AsyncBaseTransport | None = None,
        webhook_retries: int = 3,
        webhook_retry_delay: float = 0.5,
    ) -> None:
        if fleet is None:
            fleet = generate_fleet(rooms, seed, now=datetime.fromtimestamp(clock(), UTC))
        self.variants = variants
        self.fleet = _same_room_ids(fleet) if variants.room_ids == "same" else fleet
        self.plan: Plan = plan
        self.credentials = credentials
        self.clock = clock
        self.tokens = TokenStore(clock, DEFAULT_SCOPES if scopes is None else scopes, variants.invalid_token_status)
        self.faults = FaultController()
        self.stats = Stats()
        self.limiter = RateLimiter(plan, clock, rate_scale, enforce_rate_limits, variants.qps_retry_after)
        self.events: deque[dict[str, Any]] = deque(maxlen=EVENT_LOG_SIZE)  # webhook bodies, oldest first
        self.webhooks: WebhookSender | None = None
        self.chaos_interval: float | None = None
        self._webhook_transport = webhook_transport
        self._webhook_retries = webhook_retries
        self._webhook_retry_delay = webhook_retry_delay
        self.configure(webhook_url=webhook_url, webhook_secret=webhook_secret, chaos_interval=chaos_interval)
        self.control = FleetControl(self.fleet, clock, variants, credentials.account_id, self._publish)
        api = ZoomApi(self.fleet, self.tokens, self.limiter, PageTokens(clock), plan, clock, variants)

        async def token(request: Request) -> JSONResponse:
            return await token_endpoint(request, self.tokens, credentials)

        self.app = Starlette(
            routes=[
                Route("/oauth/token", token, methods=["POST"]),
                Route("/v2/{path:path}", api.handle, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
                Mount("/_simulator", routes=control_routes(self)),
            ],
            middleware=[
                Middleware(
                    FaultMiddleware,
                    faults=self.faults,
                    stats=self.stats,
                    revoke=self.revoke_tokens,
                    daily_limit=self._daily_limit,
                    clock=clock,
                )
            ],
            exception_handlers={404: _no_route, 405: _no_route},
        )

    def configure(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        chaos_interval: float | None = None,
    ) -> None:
        """Turn on webhooks and/or chaos (before the background runs; ``None`` leaves a setting as it is)."""
        if (webhook_url is None) != (webhook_secret is None):
            raise ValueError("webhook_url and webhook_secret go together")
        if chaos_interval is not None and chaos_interval <= 0:
            raise ValueError("chaos_interval must be > 0 seconds")
        if webhook_url is not None and webhook_secret is not None:
            self.webhooks = WebhookSender(
                webhook_url,
                webhook_secret,
                clock=self.clock,
                stats=self.stats,
                transport=self._webhook_transport,
                retries=self._webhook_retries,
                retry_delay=self._webhook_retry_delay,
            )
        if chaos_interval is not None:
            self.chaos_interval = chaos_interval

    def _publish(self, body: dict[str, Any]) -> None:
        self.events.append(body)
        self.stats.events_published += 1
        if self.webhooks is not None:
            self.webhooks.submit(body)

    async def run_background(self) -> None:
        """Deliver webhooks and make chaos changes until cancelled (nothing to do without either)."""
        async with anyio.create_task_group() as group:
            if self.webhooks is not None:
                group.start_soon(self.webhooks.run)
            if self.chaos_interval is not None:
                group.start_soon(self._chaos, self.chaos_interval)

    async def _chaos(self, interval: float) -> None:
        while True:
            await anyio.sleep(interval)
            self.control.chaos_step()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Simulator]:
        """In-process use: run webhook deliveries and chaos in the current event loop for the block."""
        async with anyio.create_task_group() as group:
            group.start_soon(self.run_background)
            try:
                yield self
            finally:
                group.cancel_scope.cancel()

    @property
    def scopes(self) -> tuple[str, ...]:
        """The scopes granted to tokens issued from now on."""
        return self.tokens.scopes

    def _daily_limit(self, category: Category) -> int | None:
        quota = self.limiter.daily_limit(category)
        return quota[1] if quota else None

    def transport(self) -> httpx2.AsyncBaseTransport:
        return SimulatorTransport(self.app)

    def revoke_tokens(self) -> None:
        self.tokens.revoke_all()

    def set_scopes(self, scopes: Iterable[str], *, revoke: bool = True) -> None:
        """Change the app's scopes. A token keeps the scopes it was issued with, so by default every token is
        revoked too: clients get a 401, fetch a new token and then see the new scopes (4711 for missing ones)."""
        self.tokens.set_scopes(scopes)
        if revoke:
            self.revoke_tokens()

    def reset(self) -> None:
        """Clear stats, fault rules, latency and rate-limit counters (tokens and scopes are kept)."""
        self.stats.reset()
        self.faults.clear()
        self.limiter.reset()


def _same_room_ids(fleet: Fleet) -> Fleet:
    """A copy of ``fleet`` whose rooms' dashboard ``room_id`` equals their ``id`` (the "same ids" variant)."""
    replace = dataclasses.replace
    rooms = [
        replace(
            room,
            room_id=room.id,
            devices=[replace(device) for device in room.devices],
            issues=list(room.issues),
            issue_history=list(room.issue_history),
        )
        for room in fleet.rooms
    ]
    locations = [replace(location) for location in fleet.locations]
    return Fleet(seed=fleet.seed, structure=list(fleet.structure), locations=locations, rooms=rooms, now=fleet.now)
