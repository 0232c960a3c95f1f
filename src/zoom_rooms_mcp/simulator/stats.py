"""Request counters for tests and benchmarks (control routes under ``/_simulator/`` are not counted)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import anyio

LOG_SIZE = 10_000


class Stats:
    """Counters plus a bounded request log.

    ``wait_until`` lets an in-process test await a condition ("3 requests in flight") without sleeping; the
    event it uses belongs to one event loop, so over a real socket poll ``GET /_simulator/stats`` instead.
    """

    def __init__(self) -> None:
        self.total_requests = 0
        self.token_requests = 0
        self.by_endpoint: Counter[str] = Counter()  # catalog endpoint key, "token" or "unknown"
        self.by_status: Counter[int] = Counter()
        self.rate_limited = 0  # 429s sent, real or injected
        self.in_flight = 0
        self.peak_in_flight = 0
        self.log: deque[tuple[str, str, str]] = deque(maxlen=LOG_SIZE)  # (method, path, query string)
        self.events_published = 0  # fleet changes that produced a webhook event (sent or not)
        self.webhooks_queued = 0
        self.webhook_attempts = 0  # POSTs made, retries included
        self.webhooks_delivered = 0  # answered 2xx
        self.webhooks_failed = 0  # given up after the last retry
        self._changed: anyio.Event | None = None

    def reset(self) -> None:
        """Zero the counters; requests still being served stay in flight."""
        self.total_requests = self.token_requests = self.rate_limited = 0
        self.events_published = self.webhooks_queued = self.webhook_attempts = 0
        self.webhooks_delivered = self.webhooks_failed = 0
        self.by_endpoint.clear()
        self.by_status.clear()
        self.log.clear()
        self.peak_in_flight = self.in_flight
        self._notify()

    def started(self, key: str, method: str, path: str, query: str) -> None:
        self.total_requests += 1
        self.token_requests += key == "token"
        self.by_endpoint[key] += 1
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        self.log.append((method, path, query))
        self._notify()

    def finished(self, status: int) -> None:
        self.in_flight -= 1
        if status:
            self.by_status[status] += 1
        self.rate_limited += status == 429
        self._notify()

    def webhook_attempt(self) -> None:
        self.webhook_attempts += 1
        self._notify()

    def webhook_finished(self, *, delivered: bool) -> None:
        if delivered:
            self.webhooks_delivered += 1
        else:
            self.webhooks_failed += 1
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_until(self, condition: Callable[[Stats], bool]) -> None:
        """Return once ``condition(stats)`` holds; wrap in ``anyio.fail_after`` to bound the wait."""
        while not condition(self):
            if self._changed is None:
                self._changed = anyio.Event()
            await self._changed.wait()

    def snapshot(self) -> dict[str, Any]:
        return {
            "total_requests": self.total_requests,
            "token_requests": self.token_requests,
            "by_endpoint": dict(self.by_endpoint),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "rate_limited": self.rate_limited,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "events_published": self.events_published,
            "webhooks": {
                "queued": self.webhooks_queued,
                "attempts": self.webhook_attempts,
                "delivered": self.webhooks_delivered,
                "failed": self.webhooks_failed,
            },
            "log": [list(entry) for entry in self.log],
        }
