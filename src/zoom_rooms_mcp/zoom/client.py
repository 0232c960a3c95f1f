"""The Zoom REST client: one long-lived ``httpx2.AsyncClient``, typed errors, retries, pagination.

Rules (DESIGN §5):
* every request is paced under the account's per-category rate limit and bounded in concurrency, in
  one of two lanes: ``tool`` (a tool call waits for it) or ``sync`` (the background sync: its share of
  the limit, behind any waiting tool request, with its own concurrency so it never holds a tool's slot);
* 401, or Zoom code 124 under any status → the token is invalidated in memory and on disk and the
  request retried with a fresh one;
* 4711 (missing scope) with a cached token whose granted scopes lack what Zoom asked for → the token was
  issued before the scope was added: drop it, fetch a new one, retry;
* a call refreshes its token at most once, however its other retries go (401 → 503 → 401 is one refresh,
  then an auth error);
* 429 per-second → retried after ``Retry-After`` seconds or a jittered backoff (bounded), and the sync
  lane backs off; 429 daily, recognised by any of its signs (``X-RateLimit-Type: Daily-limit``, a
  ``Retry-After`` date, a body that says daily) → never retried, reported with its reset time;
* 5xx, timeouts, dropped connections and malformed 2xx bodies on GETs → bounded retries with backoff;
* other 4xx → typed errors whose messages we wrote (upstream text only ever appears sanitised).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import anyio
import httpx2
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from zoom_rooms_mcp.zoom.catalog import ENDPOINTS, Category, Endpoint
from zoom_rooms_mcp.zoom.errors import (
    InvalidIdentifierError,
    ZoomAuthError,
    ZoomError,
    ZoomNetworkError,
    ZoomNotFoundError,
    ZoomPageTokenExpiredError,
    ZoomPlanError,
    ZoomRateLimitError,
    ZoomRequestError,
    ZoomResponseError,
    ZoomScopeError,
    ZoomServerError,
    sanitize,
)
from zoom_rooms_mcp.zoom.pacing import Lane, Pacer
from zoom_rooms_mcp.zoom.token import AccessToken, TokenManager

log = logging.getLogger(__name__)

PAGE_SIZE = 300
MAX_PAGES = 1_000  # 300,000 items: far beyond any real fleet; stops a server that never ends pagination
MAX_RETRY_AFTER = 30.0
_ID = re.compile(r"^[A-Za-z0-9_\-=+.~{}]{1,128}$")
_SCOPES = re.compile(r"scopes?\s*:?\s*\[([^\]]*)\]")


def encode_segment(value: str, *, what: str = "id") -> str:
    """Validate and percent-encode one path parameter so it can never leave its path segment."""
    if not isinstance(value, str) or not _ID.fullmatch(value) or set(value) <= {"."}:
        raise InvalidIdentifierError(
            f"{sanitize(value, 40)!r} is not a valid Zoom {what}: ids are 1-128 characters of letters, digits "
            "and - _ = + . ~ { }."
        )
    return quote(value, safe="")


class _Transient(Exception):
    """A failure worth retrying; ``final`` is what the caller sees when retries run out."""

    def __init__(self, final: ZoomError, retry_after: float | None = None) -> None:
        super().__init__(final.message)
        self.final = final
        self.retry_after = retry_after


class _Refresh(Exception):
    """The token is bad (or lacks a scope it may now have): retry with a new one, if this call has not yet."""

    def __init__(self, token: AccessToken, final: ZoomError, reason: str) -> None:
        super().__init__(final.message)
        self.token = token
        self.final = final
        self.reason = reason


@dataclass(slots=True)
class _Call:
    """What one ``get`` has used up across its attempts."""

    refreshed: bool = False


class ZoomClient:
    def __init__(
        self,
        *,
        http: httpx2.AsyncClient,
        tokens: TokenManager,
        base_url: str,
        pacer: Pacer,
        max_attempts: int = 4,
        max_concurrency: int = 8,
        max_sync_concurrency: int = 8,
        backoff_initial: float = 0.25,
        backoff_max: float = 4.0,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.pacer = pacer
        self._max_attempts = max_attempts
        self._limiters: dict[Lane, anyio.CapacityLimiter] = {
            "tool": anyio.CapacityLimiter(max_concurrency),
            "sync": anyio.CapacityLimiter(max_sync_concurrency),
        }
        self._backoff = wait_exponential_jitter(multiplier=backoff_initial, jitter=backoff_initial, max=backoff_max)
        self._sleep = sleep
        self._wall_clock = wall_clock
        self.requests_sent = 0
        self.token_refreshes = 0

    async def get(
        self, key: str, *path_params: str, params: Mapping[str, Any] | None = None, lane: Lane = "tool"
    ) -> dict[str, Any]:
        """GET one endpoint of the catalogue; ``path_params`` fill its ``{...}`` placeholders in order."""
        endpoint = ENDPOINTS[key]
        url = self.base_url + _fill(endpoint.path, path_params)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        call = _Call()
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type((_Transient, _Refresh)),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(call, endpoint, url, query, lane)
        except (_Transient, _Refresh) as exc:
            raise exc.final from None
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying either returns or raises

    async def pages(
        self,
        key: str,
        *path_params: str,
        items: str,
        params: Mapping[str, Any] | None = None,
        page_size: int = PAGE_SIZE,
        lane: Lane = "tool",
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Yield every page of a list endpoint, following ``next_page_token`` to the end."""
        query = dict(params or {})
        query["page_size"] = page_size
        for _ in range(MAX_PAGES):
            body = await self.get(key, *path_params, params=query, lane=lane)
            page = body.get(items, [])
            if not isinstance(page, list):
                raise ZoomResponseError(f"Zoom's {ENDPOINTS[key].path} response has no '{items}' list.")
            yield [item for item in page if isinstance(item, dict)]
            token = body.get("next_page_token")
            if not token or not isinstance(token, str):
                return
            query["next_page_token"] = token
        raise ZoomResponseError(f"Zoom kept paginating {ENDPOINTS[key].path} past {MAX_PAGES} pages; stopped.")

    async def get_all(
        self,
        key: str,
        *path_params: str,
        items: str,
        params: Mapping[str, Any] | None = None,
        lane: Lane = "tool",
    ) -> list[dict[str, Any]]:
        """Every item of a list endpoint. A page token that expires mid-listing (slow pacing through a very
        large fleet, a paused process) restarts the listing once from the first page."""
        for attempt in (1, 2):
            collected: list[dict[str, Any]] = []
            try:
                async for page in self.pages(key, *path_params, items=items, params=params, lane=lane):
                    collected.extend(page)
            except ZoomPageTokenExpiredError:
                if attempt == 2 or not collected:
                    raise
                log.info("Zoom's page token for %s expired mid-listing; restarting it", ENDPOINTS[key].path)
                continue
            return collected
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Refresh):
            return 0.0
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, MAX_RETRY_AFTER)
        return float(self._backoff(state))

    async def _attempt(
        self, call: _Call, endpoint: Endpoint, url: str, query: dict[str, Any], lane: Lane
    ) -> dict[str, Any]:
        try:
            return await self._send(endpoint, url, query, lane, may_refresh=not call.refreshed)
        except _Refresh as exc:
            call.refreshed = True
            self.token_refreshes += 1
            log.info("%s; fetching a new token and retrying once", exc.reason)
            await self.tokens.invalidate(exc.token)
            raise

    async def _send(
        self, endpoint: Endpoint, url: str, query: dict[str, Any], lane: Lane, *, may_refresh: bool
    ) -> dict[str, Any]:
        result = await self.tokens.get_token()
        token = result.token
        async with self._limiters[lane]:
            # Pace after taking a concurrency slot: paced requests queued behind the limiter would
            # otherwise leave in a burst whenever slots free up.
            await self.pacer.acquire(endpoint.category, lane)
            self.requests_sent += 1
            try:
                response = await self.http.get(
                    url, params=query, headers={"Authorization": f"Bearer {token.value}", "Accept": "application/json"}
                )
                body = response.content
            except httpx2.TimeoutException:
                raise _Transient(ZoomNetworkError(f"Zoom did not answer {endpoint.path} in time.")) from None
            except httpx2.TransportError as exc:
                raise _Transient(
                    ZoomNetworkError(
                        f"The connection to Zoom failed while reading {endpoint.path} ({exc.__class__.__name__})."
                    )
                ) from None
        status = response.status_code
        data = _json(body)
        self._observe(endpoint, response)
        code = _code(data)
        if status == 401 or (code == 124 and 400 <= status < 500):
            final = ZoomAuthError(
                f"Zoom rejected a freshly issued access token (HTTP {status}). The app may have been deactivated "
                "or its credentials rotated: check the app in the Zoom Marketplace and run `zoom-rooms-mcp check`.",
                status=status,
                code=code,
            )
            if not may_refresh:
                raise final
            raise _Refresh(token, final, f"Zoom rejected the access token (HTTP {status})")
        if 200 <= status < 300:
            self.pacer.succeeded(endpoint.category)
            if not isinstance(data, dict):
                raise _Transient(
                    ZoomResponseError(f"Zoom answered {endpoint.path} with a body that is not a JSON object.")
                )
            return data
        if status == 429:
            raise self._rate_limited(endpoint, response, data)
        if status >= 500:
            raise _Transient(ZoomServerError(f"Zoom answered HTTP {status} for {endpoint.path}.", status=status))
        error = _client_error(endpoint, status, data)
        if isinstance(error, ZoomScopeError):
            # A token carries the scopes granted when it was issued: one issued before the app gained this
            # scope lacks it until it expires. Only a cached token can be that stale, and only if its
            # granted scopes indeed lack what Zoom asked for.
            lacks = not endpoint.allowed_by(token.scopes) and not any(s in token.scopes for s in error.scopes)
            if result.cached and lacks and may_refresh:
                raise _Refresh(token, error, "The cached access token lacks a scope Zoom asked for")
            if not result.cached:
                error = ZoomScopeError(
                    error.message + " A token issued just now lacks it too: the app itself does not have it yet.",
                    scopes=error.scopes,
                    status=error.status,
                    code=error.code,
                )
        raise error

    def _observe(self, endpoint: Endpoint, response: httpx2.Response) -> None:
        """Tell the pacer how much of the limit Zoom says is left (other apps on the account count too)."""
        limit = _int_header(response, "X-RateLimit-Limit")
        remaining = _int_header(response, "X-RateLimit-Remaining")
        if limit is not None and remaining is not None:
            self.pacer.observe_remaining(_category(response, endpoint), limit, remaining)

    def _rate_limited(self, endpoint: Endpoint, response: httpx2.Response, data: Any) -> Exception:
        """A daily limit is final; a per-second one is worth retrying (``_Transient``)."""
        category = _category(response, endpoint)
        kind = (response.headers.get("X-RateLimit-Type") or "").strip().lower()
        retry_after_raw = (response.headers.get("Retry-After") or "").strip()
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        reset_at = _parse_reset(retry_after_raw)
        # Any one sign is enough: the type header, a Retry-After that is a date rather than seconds, or
        # Zoom's daily message. Missing one of them must never turn a daily limit into 4 futile retries.
        if kind.startswith("daily") or reset_at is not None or "daily" in message.lower():
            if reset_at is None or reset_at.timestamp() <= self._wall_clock():
                reset_at = _next_utc_midnight(self._wall_clock())
            self.pacer.daily_limited(category, reset_at)
            return ZoomRateLimitError(
                f"The Zoom account has used its daily quota for {category.value} requests; it resets at "
                f"{reset_at:%Y-%m-%d %H:%M} UTC. Retrying now cannot succeed; try again after the reset.",
                daily=True,
                category=category.value,
                reset_at=reset_at,
            )
        retry_after = _parse_seconds(retry_after_raw)
        self.pacer.rate_limited(category, retry_after)
        final = ZoomRateLimitError(
            f"Zoom kept rate-limiting {category.value} requests (per-second limit, shared by every app on the "
            "account). Wait a few seconds and try again, or narrow the request.",
            daily=False,
            category=category.value,
            retry_after=retry_after,
        )
        return _Transient(final, retry_after)


def _fill(template: str, values: tuple[str, ...]) -> str:
    names = re.findall(r"\{([^}]+)\}", template)
    if len(names) != len(values):
        raise ValueError(f"{template} needs {len(names)} path parameters, got {len(values)}")
    path = template
    for name, value in zip(names, values, strict=True):
        what = "location id" if "location" in name.lower() else "room id"
        path = path.replace("{" + name + "}", encode_segment(value, what=what), 1)
    return path


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _code(data: Any) -> int | None:
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, int) else None


def _parse_seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 3600 else None


def _parse_reset(value: str) -> datetime | None:
    """A ``Retry-After`` that is a date-time (ISO 8601, or an HTTP date), in UTC; None for seconds or junk."""
    try:
        float(value)
        return None  # seconds (a per-second limit), however many
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _next_utc_midnight(now: float) -> datetime:
    today = datetime.fromtimestamp(now, UTC).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def _category(response: httpx2.Response, endpoint: Endpoint) -> Category:
    try:
        return Category(response.headers.get("X-RateLimit-Category") or endpoint.category.value)
    except ValueError:
        return endpoint.category


def _int_header(response: httpx2.Response, name: str) -> int | None:
    value = response.headers.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def _client_error(endpoint: Endpoint, status: int, data: Any) -> ZoomError:
    code = _code(data)
    message = str(data.get("message", "")) if isinstance(data, dict) else ""
    if code in (4711, 4700) or (status in (400, 403) and "does not contain scope" in message):
        scopes = _scopes_from(message) or list(endpoint.granular_scopes)
        return ZoomScopeError(
            f"The Zoom app is missing a scope needed to read {endpoint.path}: {', '.join(scopes)}. "
            "Add it in the Zoom Marketplace (Manage → your Server-to-Server OAuth app → Scopes), activate the app, "
            "then retry.",
            scopes=scopes,
            status=status,
            code=code,
        )
    if status == 404 or code in (1012, 4801):
        resource = "location" if code == 4801 or "location" in endpoint.key else "room"
        return ZoomNotFoundError(
            f"Zoom has no {resource} with that id.", resource=resource, resource_id="", status=status, code=code
        )
    if code == 300 and "next page token" in message.lower():
        return ZoomPageTokenExpiredError(
            "Zoom's pagination token expired or was invalid mid-listing; retry the request.", status=status, code=code
        )
    if code == 200 or status == 403:
        return ZoomPlanError(
            f"Zoom refused {endpoint.path} for this account: {sanitize(message, 100) or 'access restricted'}. "
            + (
                "The Dashboard needs a Business, Education or Enterprise plan with the Dashboard enabled."
                if endpoint.dashboard
                else "The account needs a Zoom Rooms subscription and the app owner must be an admin."
            ),
            status=status,
            code=code,
        )
    detail = f" (Zoom code {code}: {sanitize(message, 100)})" if code is not None else ""
    return ZoomRequestError(f"Zoom rejected the request to {endpoint.path} with HTTP {status}{detail}.", status=status)


def _scopes_from(message: str) -> list[str]:
    match = _SCOPES.search(message)
    if not match:
        return []
    return [s for s in (part.strip() for part in match.group(1).split(",")) if re.fullmatch(r"[\w:.\-]{1,80}", s)]
