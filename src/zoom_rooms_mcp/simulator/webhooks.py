"""Delivering Zoom-signed webhooks in the background, as Zoom's Event Subscriptions do.

Each delivery is a ``POST`` of the event's JSON with ``x-zm-request-timestamp`` (epoch seconds, by the simulator's
clock) and ``x-zm-signature`` = ``v0=`` + hex HMAC-SHA256(secret, ``v0:{timestamp}:{raw body}``), signed afresh
on every attempt. A non-2xx answer or a network error is retried ``retries`` times, waiting ``retry_delay``,
then twice that, and so on; then the event is counted as failed. Events go out one at a time, in order.

``submit`` never blocks and may be called from any thread; ``run`` is the worker, started by whatever runs the
simulator (``Simulator.running()``, ``serve_simulator``, ``running_simulator``). Events submitted while no
worker runs wait in a bounded queue (the oldest are dropped beyond ``QUEUE_SIZE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import anyio
import httpx2

from .stats import Stats

QUEUE_SIZE = 10_000
logger = logging.getLogger(__name__)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(
        self,
        url: str,
        secret: str,
        *,
        clock: Callable[[], float],
        stats: Stats,
        transport: httpx2.AsyncBaseTransport | None = None,
        retries: int = 3,
        retry_delay: float = 0.5,
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self._secret = secret
        self._clock = clock
        self._stats = stats
        self._transport = transport
        self._retries = retries
        self._retry_delay = retry_delay
        self._timeout = timeout
        self._queue: deque[bytes] = deque(maxlen=QUEUE_SIZE)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def __repr__(self) -> str:  # never show the secret
        return f"WebhookSender(url={self.url!r})"

    def submit(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        with self._lock:
            self._queue.append(raw)
            self._stats.webhooks_queued += 1
            loop, wake = self._loop, self._wake
        if loop is None or wake is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            # RuntimeError: the worker's loop has just closed; the event waits for the next worker.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    def _next(self) -> bytes | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    async def run(self) -> None:
        """Deliver queued events until cancelled."""
        wake = asyncio.Event()
        with self._lock:
            self._loop, self._wake = asyncio.get_running_loop(), wake
        try:
            async with httpx2.AsyncClient(transport=self._transport, timeout=self._timeout) as client:
                while True:
                    raw = self._next()
                    if raw is None:
                        wake.clear()
                        raw = self._next()  # one more look: a submit may have landed before the clear
                        if raw is None:
                            await wake.wait()
                            continue
                    await self._deliver(client, raw)
        finally:
            with self._lock:
                self._loop = self._wake = None

    async def _deliver(self, client: httpx2.AsyncClient, raw: bytes) -> None:
        for attempt in range(self._retries + 1):
            if attempt:
                await anyio.sleep(self._retry_delay * 2 ** (attempt - 1))
            timestamp = int(self._clock())
            headers = {
                "content-type": "application/json; charset=utf-8",
                "user-agent": "Zoom Marketplace/1.1a",
                "x-zm-request-timestamp": str(timestamp),
                "x-zm-signature": signature(self._secret, timestamp, raw),
            }
            self._stats.webhook_attempt()
            try:
                response = await client.post(self.url, content=raw, headers=headers)
            except httpx2.HTTPError as error:
                logger.debug("webhook delivery to %s failed: %s", self.url, type(error).__name__)
                continue
            if 200 <= response.status_code < 300:
                self._stats.webhook_finished(delivered=True)
                return
            logger.debug("webhook delivery to %s answered %s", self.url, response.status_code)
        logger.warning("webhook to %s given up after %d attempts", self.url, self._retries + 1)
        self._stats.webhook_finished(delivered=False)
