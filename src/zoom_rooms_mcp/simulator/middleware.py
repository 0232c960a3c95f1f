"""ASGI layer in front of the Zoom routes: request counting, global latency and fault rules.

Control routes (``/_simulator/...``) pass straight through: they are neither counted nor faulted.
"""

from __future__ import annotations

import http
from collections.abc import Callable

import anyio
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .facts import Category, match_endpoint
from .faults import Fault, FaultController
from .ratelimit import Rejection, daily_rejection, qps_rejection
from .stats import Stats

CONTROL_PREFIX = "/_simulator/"
TOKEN_PATH = "/oauth/token"
# Set in the ASGI scope by ``Simulator.transport()``: timeouts and drops then raise instead of waiting.
IN_PROCESS = "zoom_simulator.in_process"


class TransportFault(Exception):
    """A ``timeout`` or ``drop`` fault served in-process; the transport turns it into an httpx2 error."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def endpoint_of(path: str) -> tuple[str, Category | None]:
    """(stats key, rate-limit category) of a request path."""
    if path == TOKEN_PATH:
        return "token", None
    found = match_endpoint(path.removeprefix("/v2")) if path.startswith("/v2/") else None
    return (found[0].key, found[0].category) if found else ("unknown", None)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


async def _wait_unless_gone(seconds: float, receive: Receive) -> bool:
    """Sleep, but stop early if the client hangs up; True if the client is still there."""
    gone = False
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            nonlocal gone
            while (await receive())["type"] != "http.disconnect":
                pass
            gone = True
            group.cancel_scope.cancel()

        group.start_soon(watch)
        await anyio.sleep(seconds)
        group.cancel_scope.cancel()
    return not gone


def _html_page(status: int) -> HTMLResponse:
    title = f"{status} {http.HTTPStatus(status).phrase}"
    heading = f"<center><h1>{title}</h1></center><hr><center>nginx</center>"
    return HTMLResponse(f"<html><head><title>{title}</title></head><body>{heading}</body></html>", status_code=status)


def _rejection(rejection: Rejection) -> JSONResponse:
    return JSONResponse(rejection.body, status_code=429, headers=rejection.headers)


class FaultMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultController,
        stats: Stats,
        revoke: Callable[[], object],
        daily_limit: Callable[[Category], int | None],
        clock: Callable[[], float],
    ) -> None:
        self.app = app
        self.faults = faults
        self.stats = stats
        self.revoke = revoke
        self.daily_limit = daily_limit
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        # Buffer the body so that waiting for a disconnect below cannot swallow it from the handler.
        body = await _read_body(receive)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 0

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        key, category = endpoint_of(path)
        self.stats.started(key, scope["method"], path, scope.get("query_string", b"").decode("latin-1"))
        try:
            await self._serve(scope, replay, receive, recording_send, category)
        finally:
            self.stats.finished(status)

    async def _serve(
        self, scope: Scope, replay: Receive, receive: Receive, send: Send, category: Category | None
    ) -> None:
        if self.faults.latency and not await _wait_unless_gone(self.faults.latency, receive):
            return
        fault = self.faults.take(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, replay, send)
            return
        in_process = bool(scope.get("extensions", {}).get(IN_PROCESS))
        kind = fault.kind
        if kind in ("timeout", "drop") and in_process:
            raise TransportFault(kind)
        if kind in ("slow", "timeout"):
            default = 1.0 if kind == "slow" else 30.0
            if await _wait_unless_gone(default if fault.delay is None else fault.delay, receive):
                await self.app(scope, replay, send)
        elif kind == "revoke":
            self.revoke()
            await self.app(scope, replay, send)
        elif kind == "drop":
            # Promise more bytes than are sent, then close: the client sees an incomplete message.
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"512")]})
            await send({"type": "http.response.body", "body": b'{"rooms": [', "more_body": True})
        elif kind == "malformed_json":
            await self._truncated(scope, replay, send)
        else:
            await self._injected(fault, category)(scope, replay, send)

    def _injected(self, fault: Fault, category: Category | None) -> Response:
        if fault.kind == "rate_limit_qps":
            return _rejection(qps_rejection(category, fault.retry_after))
        if fault.kind == "rate_limit_daily":
            limit = self.daily_limit(category) if category is not None else None
            return _rejection(daily_rejection(category, limit, self.clock()))
        if fault.kind == "html":
            return _html_page(fault.status or 502)
        status = fault.status or 500
        message = fault.message or f"{http.HTTPStatus(status).phrase}."
        return JSONResponse({"code": status if fault.code is None else fault.code, "message": message}, status)

    async def _truncated(self, scope: Scope, replay: Receive, send: Send) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, replay, capture)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        cut = body[: max(1, len(body) // 2)]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": cut})
