"""``POST /zoom/webhook``: Zoom's signed deliveries, verified, stored and answered within Zoom's 3 seconds.

Order of checks, cheapest first, and nothing stored unless every one passes:

1. ``Content-Length`` over 1 MiB → 413 (nothing read); a malformed one → 400.
2. Content type not JSON → 415.
3. Signature headers missing, malformed, or timestamp more than 5 minutes off → 401 (body not read).
4. Body read while streaming, refused with 413 as soon as it passes 1 MiB (the rest is never read).
5. HMAC over the raw bytes → 401 when it does not match. Only now is the body parsed.
6. Not JSON → 400; a field we need is missing → 400.
7. ``endpoint.url_validation`` → 200 with ``{plainToken, encryptedToken}``.
8. Another account's event, or an event we do not use → 200, ignored.
9. Otherwise the sink stores it (a redelivery is a no-op) → 200; the sink's follow-up work that reads
   Zoom runs after the answer is sent. A sink failure or timeout → 503, so Zoom delivers it again.

One log line per delivery: the event name (after verification only), the outcome and the time taken;
never the secret, a signature or the body.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import anyio
from pydantic import SecretStr
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zoom_rooms_mcp.webhooks.events import (
    Ignored,
    UrlValidation,
    WebhookEvent,
    WebhookParseError,
    decode_json,
    parse,
)
from zoom_rooms_mcp.webhooks.signature import SignatureError, check_headers, url_validation_response, verify
from zoom_rooms_mcp.webhooks.sink import WebhookSink
from zoom_rooms_mcp.zoom.errors import sanitize

WEBHOOK_PATH = "/zoom/webhook"
MAX_BODY_BYTES = 1024 * 1024
ACCEPT_TIMEOUT = 2.0  # seconds for the sink to store an event: Zoom gives up after 3
AFTER_TIMEOUT = 120.0  # seconds for follow-up work (re-reading Zoom) before it is abandoned

log = logging.getLogger("zoom_rooms_mcp.webhooks")


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def _check_declared_length(request: Request) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return  # chunked: the cap applies while reading
    if not declared.strip().isdigit():
        raise _Refused(400, "bad content-length")
    if int(declared) > MAX_BODY_BYTES:
        raise _Refused(413, "body too large")


async def _read_capped(request: Request) -> bytes:
    """The raw body, refused (413) the moment it passes the cap, before the rest is read."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _Refused(413, "body too large")
            chunks.append(chunk)
    except ClientDisconnect:
        raise _Refused(400, "client disconnected") from None
    return b"".join(chunks)


def webhook_route(
    *,
    secret: SecretStr,
    sink: WebhookSink,
    account_id: str | None,
    clock: Callable[[], float] = time.time,
    path: str = WEBHOOK_PATH,
) -> Route:
    """The webhook endpoint as a Starlette route (``POST`` only; no bearer token: Zoom signs instead).

    ``account_id``: events for any other account are answered and ignored; None accepts any account.
    ``clock``: Unix seconds, for the 5-minute timestamp window (tests inject one).
    """
    if not secret.get_secret_value():
        raise ValueError("the webhook secret token is empty")

    async def follow_up(event: WebhookEvent) -> None:
        try:
            with anyio.move_on_after(AFTER_TIMEOUT) as scope:
                await sink.after(event)
        except Exception as exc:
            log.warning("webhook %s: follow-up failed (%s)", event.event, type(exc).__name__)
            return
        if scope.cancelled_caught:
            log.warning("webhook %s: follow-up timed out after %.0f s", event.event, AFTER_TIMEOUT)

    async def receive(request: Request) -> Response:
        started = time.perf_counter()
        name = "-"
        outcome = "refused"
        status = 200
        try:
            response, name, outcome = await handle(request)
            status = response.status_code
            return response
        except _Refused as refused:
            status, outcome = refused.status, refused.reason
            return JSONResponse({"error": refused.reason}, status_code=refused.status)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            level = logging.INFO if status < 400 else logging.WARNING
            log.log(level, "webhook %s: %s (%d, %.1f ms)", name, outcome, status, elapsed)

    async def handle(request: Request) -> tuple[Response, str, str]:
        now = clock()
        _check_declared_length(request)
        if not _json_media_type(request.headers.get("content-type")):
            raise _Refused(415, "content type must be application/json")
        try:
            check_headers(request.headers, now)
            raw = await _read_capped(request)
            verify(secret, request.headers, raw, now)
        except SignatureError as bad:
            raise _Refused(401, bad.reason) from None
        try:
            parsed = parse(decode_json(raw))
        except WebhookParseError as bad:
            raise _Refused(400, bad.reason) from None
        name = sanitize(parsed.event, 100)
        if isinstance(parsed, UrlValidation):
            return JSONResponse(url_validation_response(secret, parsed.plain_token)), name, "url validated"
        if account_id is not None and parsed.account_id != account_id:
            return JSONResponse({"status": "ignored"}), name, "ignored: another account"
        if isinstance(parsed, Ignored):
            return JSONResponse({"status": "ignored"}), name, "ignored: not used"
        try:
            with anyio.fail_after(ACCEPT_TIMEOUT):
                stored = await sink.accept(parsed)
        except TimeoutError:
            raise _Refused(503, "store timed out") from None
        except Exception as exc:
            log.warning("webhook %s: store failed (%s)", name, type(exc).__name__)
            raise _Refused(503, "store failed") from None
        if not stored:
            return JSONResponse({"status": "duplicate"}), name, "duplicate"
        return JSONResponse({"status": "stored"}, background=BackgroundTask(follow_up, parsed)), name, "stored"

    return Route(path, receive, methods=["POST"], name="zoom_webhook")
