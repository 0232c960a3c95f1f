"""The Zoom simulator: an ASGI app serving ``POST /oauth/token``, ``GET /v2/...`` and ``/_simulator/...``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import httpx2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from .api import ZoomApi
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

DEFAULT_CREDENTIALS = SimCredentials()
# Classic scopes that unlock every endpoint the server reads.
DEFAULT_SCOPES = ("room:read:admin", "dashboard_zr:read:admin", "dashboard_home:read:admin")


async def _no_route(request: Request, exc: Exception) -> JSONResponse:
    error = unknown_endpoint()
    return JSONResponse(error.body(), status_code=getattr(exc, "status_code", error.status))


class Simulator:
    """A simulated Zoom account: one fleet, one S2S app (credentials + scopes), one plan.

    ``clock`` drives token expiry, page-token expiry and rate limits (inject a fake one in tests);
    ``rate_scale`` multiplies every rate limit; ``qps_retry_after`` adds ``Retry-After`` to per-second 429s.
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
        qps_retry_after: bool = False,
    ) -> None:
        self.fleet = (
            fleet if fleet is not None else generate_fleet(rooms, seed, now=datetime.fromtimestamp(clock(), UTC))
        )
        self.plan: Plan = plan
        self.credentials = credentials
        self.clock = clock
        self.tokens = TokenStore(clock, DEFAULT_SCOPES if scopes is None else scopes)
        self.faults = FaultController()
        self.stats = Stats()
        self.limiter = RateLimiter(plan, clock, rate_scale, enforce_rate_limits, qps_retry_after)
        api = ZoomApi(self.fleet, self.tokens, self.limiter, PageTokens(clock), plan, clock)

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
