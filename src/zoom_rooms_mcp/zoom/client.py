"""The Zoom REST client: one long-lived ``httpx2.AsyncClient``, typed errors, retries, pagination.

Rules (DESIGN §5):
* every request is paced under the account's per-category rate limit and bounded in concurrency;
* 401 / code 124 → the token is invalidated in memory and on disk, then the request is retried once;
* 429 per-second → retried after ``Retry-After`` seconds or a jittered backoff (bounded);
  429 daily → never retried, reported with its reset time;
* 5xx, timeouts, dropped connections and malformed 2xx bodies on GETs → bounded retries with backoff;
* other 4xx → typed errors whose messages we wrote (upstream text only ever appears sanitised).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import anyio
import httpx2
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from zoom_rooms_mcp.zoom.catalog import ENDPOINTS, Endpoint
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
from zoom_rooms_mcp.zoom.pacing import Pacer
from zoom_rooms_mcp.zoom.token import TokenManager

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


class _AuthRetry(Exception):
    """401 on a token we had: invalidate it and try once more with a fresh one."""


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
        backoff_initial: float = 0.25,
        backoff_max: float = 4.0,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.pacer = pacer
        self._max_attempts = max_attempts
        self._limiter = anyio.CapacityLimiter(max_concurrency)
        self._backoff = wait_exponential_jitter(multiplier=backoff_initial, jitter=backoff_initial, max=backoff_max)
        self._sleep = sleep
        self.requests_sent = 0

    async def get(self, key: str, *path_params: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET one endpoint of the catalogue; ``path_params`` fill its ``{...}`` placeholders in order."""
        endpoint = ENDPOINTS[key]
        url = self.base_url + _fill(endpoint.path, path_params)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._get_with_auth_retry(endpoint, url, query)
        except _Transient as exc:
            raise exc.final from None
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying either returns or raises

    async def pages(
        self,
        key: str,
        *path_params: str,
        items: str,
        params: Mapping[str, Any] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Yield every page of a list endpoint, following ``next_page_token`` to the end."""
        query = dict(params or {})
        query["page_size"] = page_size
        for _ in range(MAX_PAGES):
            body = await self.get(key, *path_params, params=query)
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
        self, key: str, *path_params: str, items: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a list endpoint. A page token that expires mid-listing (slow pacing through a very
        large fleet, a paused process) restarts the listing once from the first page."""
        for attempt in (1, 2):
            collected: list[dict[str, Any]] = []
            try:
                async for page in self.pages(key, *path_params, items=items, params=params):
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
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, MAX_RETRY_AFTER)
        return float(self._backoff(state))

    async def _get_with_auth_retry(self, endpoint: Endpoint, url: str, query: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._send(endpoint, url, query)
        except _AuthRetry:
            log.info("Zoom rejected the access token (401); fetching a new one and retrying once")
            return await self._send(endpoint, url, query, retried_auth=True)

    async def _send(
        self, endpoint: Endpoint, url: str, query: dict[str, Any], *, retried_auth: bool = False
    ) -> dict[str, Any]:
        token = (await self.tokens.get_token()).token
        async with self._limiter:
            # Pace after taking a concurrency slot: paced requests queued behind the limiter would
            # otherwise leave in a burst whenever slots free up.
            await self.pacer.acquire(endpoint.category)
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
        if status == 401:
            if retried_auth:
                raise ZoomAuthError(
                    "Zoom rejected a freshly issued access token (HTTP 401). The app may have been deactivated or "
                    "its credentials rotated: check the app in the Zoom Marketplace and run `zoom-rooms-mcp check`.",
                    status=401,
                    code=_code(data),
                )
            await self.tokens.invalidate(token)
            raise _AuthRetry
        if 200 <= status < 300:
            if not isinstance(data, dict):
                raise _Transient(
                    ZoomResponseError(f"Zoom answered {endpoint.path} with a body that is not a JSON object.")
                )
            return data
        if status == 429:
            raise _rate_limited(endpoint, response, data)
        if status >= 500:
            raise _Transient(ZoomServerError(f"Zoom answered HTTP {status} for {endpoint.path}.", status=status))
        raise _client_error(endpoint, status, data)


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


def _rate_limited(endpoint: Endpoint, response: httpx2.Response, data: Any) -> Exception:
    """A daily limit is final; a per-second one is worth retrying (``_Transient``)."""
    category = response.headers.get("X-RateLimit-Category") or endpoint.category.value
    kind = (response.headers.get("X-RateLimit-Type") or "").lower()
    retry_after_raw = response.headers.get("Retry-After")
    if kind.startswith("daily"):
        reset_at = _parse_reset(retry_after_raw)
        when = reset_at.strftime("%Y-%m-%d %H:%M UTC") if reset_at else "00:00 UTC"
        return ZoomRateLimitError(
            f"The Zoom account has used its daily quota for {category} requests; it resets at {when}. "
            "Retrying now cannot succeed; try again after the reset.",
            daily=True,
            category=category,
            reset_at=reset_at,
        )
    retry_after = _parse_seconds(retry_after_raw)
    final = ZoomRateLimitError(
        f"Zoom kept rate-limiting {category} requests (per-second limit, shared by every app on the account). "
        "Wait a few seconds and try again, or narrow the request.",
        daily=False,
        category=category,
        retry_after=retry_after,
    )
    return _Transient(final, retry_after)


def _parse_seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 3600 else None


def _parse_reset(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _client_error(endpoint: Endpoint, status: int, data: Any) -> ZoomError:
    code = _code(data)
    message = str(data.get("message", "")) if isinstance(data, dict) else ""
    if code in (4711, 4700) or (status in (400, 403) and "does not contain scope" in message):
        scopes = _scopes_from(message) or list(endpoint.granular_scopes)
        return ZoomScopeError(
            f"The Zoom app is missing a scope needed to read {endpoint.path}: {', '.join(scopes)}. "
            "Add it in the Zoom Marketplace (Manage → your Server-to-Server OAuth app → Scopes), activate the app, "
            "then retry (the server fetches a token with the new scopes).",
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
