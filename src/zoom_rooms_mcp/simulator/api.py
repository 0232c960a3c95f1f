"""``/v2`` dispatcher: token → endpoint → scope → plan → rate limit → handler, with Zoom's error for each.

Simulator choices: an unknown path or a method other than GET is 404 code 2300 (after the token check);
dashboard endpoints on the free or pro plan are 400 code 200 "Only available for Paid account."; refused
requests (401/4711/plan) do not count against rate limits, while 404s for unknown rooms do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from .dashboard_api import HANDLERS as DASHBOARD_HANDLERS
from .errors import ZoomApiError, unknown_endpoint
from .facts import Plan, match_endpoint
from .model import Fleet
from .oauth import TokenStore
from .pagination import PageTokens
from .params import ApiCall, Handler
from .ratelimit import RateLimiter
from .rooms_api import HANDLERS as ROOM_HANDLERS
from .variants import Variants

HANDLERS: dict[str, Handler] = {**ROOM_HANDLERS, **DASHBOARD_HANDLERS}
_PAGING = frozenset({"page_size", "next_page_token", "page_number"})


def scope_error(granular: tuple[str, ...]) -> ZoomApiError:
    return ZoomApiError(400, 4711, f"Invalid access token, does not contain scopes:[{', '.join(granular)}].")


class ZoomApi:
    def __init__(
        self,
        fleet: Fleet,
        tokens: TokenStore,
        limiter: RateLimiter,
        pages: PageTokens,
        plan: Plan,
        clock: Callable[[], float],
        variants: Variants,
    ) -> None:
        self.variants = variants
        self.fleet = fleet
        self.tokens = tokens
        self.limiter = limiter
        self.pages = pages
        self.plan = plan
        self.clock = clock

    async def handle(self, request: Request) -> JSONResponse:
        headers: dict[str, str] = {}
        try:
            return JSONResponse(self._dispatch(request, headers), headers=headers)
        except ZoomApiError as error:
            return JSONResponse(error.body(), status_code=error.status, headers={**headers, **error.headers})

    def _dispatch(self, request: Request, headers: dict[str, str]) -> dict[str, object]:
        granted = self.tokens.lookup(request.headers.get("authorization", ""))
        # Match on the raw path so that an encoded "/" inside an id cannot reach another endpoint.
        raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
        found = match_endpoint(raw_path.decode("latin-1").removeprefix("/v2")) if request.method == "GET" else None
        if found is None:
            raise unknown_endpoint()
        endpoint, groups = found
        headers["X-RateLimit-Category"] = endpoint.category.value
        if not endpoint.allowed_by(frozenset(granted.scopes)):
            raise scope_error(endpoint.granular_scopes)
        if endpoint.dashboard and self.plan != "business":
            raise ZoomApiError(400, 200, "Only available for Paid account.")
        rejection = self.limiter.check(endpoint.category)
        if rejection is not None:
            raise ZoomApiError(429, 429, str(rejection.body["message"]), headers=rejection.headers)
        headers.update(self.limiter.budget_headers(endpoint.category))
        params = tuple(unquote(g) for g in groups)
        query = dict(request.query_params)
        filters = urlencode(sorted((k, v) for k, v in query.items() if k not in _PAGING))
        call = ApiCall(
            fleet=self.fleet,
            params=params,
            query=query,
            pages=self.pages,
            context=f"{endpoint.key}|{'/'.join(params)}|{filters}",
            now=datetime.fromtimestamp(self.clock(), UTC),
            variants=self.variants,
        )
        with self.fleet.lock:  # the control API may change the fleet from another thread
            return HANDLERS[endpoint.key](call)
