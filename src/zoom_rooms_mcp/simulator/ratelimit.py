"""Zoom's per-account rate limits by plan and category (catalog ``RATE_LIMITS``), on the injected clock.

- Per-second limits use a sliding one-second window; Resource-intensive (10 or 20 per *minute*) a sliding
  sixty-second window. Only accepted requests count.
- Daily limits reset at 00:00 UTC: on the free plan per category; on paid plans Heavy and Resource-intensive
  share ``COMBINED_HEAVY_DAILY`` and Light/Medium have none.
- ``scale`` multiplies every limit (per-second and daily; at least 1), so tests and benchmarks can reach them.
- Per-second 429s carry ``Retry-After`` (whole seconds) only when ``qps_retry_after`` is set: Zoom's
  behaviour there is unconfirmed, so clients must cope with both.
- Accepted requests get ``X-RateLimit-Limit``/``X-RateLimit-Remaining``: the daily quota where the category has
  one, else the current window's (what Zoom means by them is unconfirmed; treat them as opaque counters).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .facts import COMBINED_HEAVY_DAILY, RATE_LIMITS, Category, Plan

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. "
    "Refer to the response header for details on when you can make another request."
)
_COMBINED = (Category.HEAVY, Category.RESOURCE_INTENSIVE)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A 429 to send: Zoom's body and headers."""

    body: dict[str, object]
    headers: dict[str, str]


def qps_rejection(category: Category | None, retry_after: float | None) -> Rejection:
    headers = {"X-RateLimit-Type": "QPS"}
    if category is not None:
        headers["X-RateLimit-Category"] = category.value
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return Rejection({"code": 429, "message": QPS_MESSAGE}, headers)


def next_midnight(now: float) -> str:
    day = datetime.fromtimestamp(now, UTC).date() + timedelta(days=1)
    return f"{day.isoformat()}T00:00:00Z"


def daily_rejection(category: Category | None, limit: int | None, now: float) -> Rejection:
    headers = {"X-RateLimit-Type": "Daily-limit", "X-RateLimit-Remaining": "0", "Retry-After": next_midnight(now)}
    if category is not None:
        headers["X-RateLimit-Category"] = category.value
    if limit is not None:
        headers["X-RateLimit-Limit"] = str(limit)
    return Rejection({"code": 429, "message": DAILY_MESSAGE}, headers)


@dataclass
class RateLimiter:
    plan: Plan
    clock: Callable[[], float]
    scale: float = 1.0
    enabled: bool = True
    qps_retry_after: bool = False
    _recent: dict[Category, deque[float]] = field(default_factory=dict, init=False)
    _daily: dict[str, int] = field(default_factory=dict, init=False)
    _day: int = field(default=-1, init=False)

    def reset(self) -> None:
        self._recent.clear()
        self._daily.clear()

    def window(self, category: Category) -> tuple[float, int]:
        """(window seconds, requests allowed in it)."""
        per_second = RATE_LIMITS[self.plan][category].per_second
        seconds = 1.0 if per_second >= 1 else 60.0
        return seconds, max(1, math.floor(per_second * seconds * self.scale))

    def daily_limit(self, category: Category) -> tuple[str, int] | None:
        """(counter name, limit) of the daily quota this category draws from, if any."""
        combined = COMBINED_HEAVY_DAILY[self.plan]
        if combined is not None and category in _COMBINED:
            return "heavy+resource-intensive", max(1, math.floor(combined * self.scale))
        daily = RATE_LIMITS[self.plan][category].daily
        return (category.value, max(1, math.floor(daily * self.scale))) if daily is not None else None

    def budget_headers(self, category: Category) -> dict[str, str]:
        """Limit and remaining budget after the request just admitted by ``check``."""
        if not self.enabled:
            return {}
        quota = self.daily_limit(category)
        if quota is not None:
            limit, used = quota[1], self._daily.get(quota[0], 0)
        else:
            limit, used = self.window(category)[1], len(self._recent.get(category, ()))
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, limit - used))}

    def check(self, category: Category) -> Rejection | None:
        """Count one request, or say why it must be refused (then it does not count)."""
        if not self.enabled:
            return None
        now = self.clock()
        day = math.floor(now // 86400)
        if day != self._day:
            self._day, self._daily = day, {}
        quota = self.daily_limit(category)
        if quota is not None and self._daily.get(quota[0], 0) >= quota[1]:
            return daily_rejection(category, quota[1], now)
        seconds, allowed = self.window(category)
        recent = self._recent.setdefault(category, deque())
        while recent and recent[0] <= now - seconds:
            recent.popleft()
        if len(recent) >= allowed:
            wait = recent[0] + seconds - now if self.qps_retry_after else None
            return qps_rejection(category, wait)
        recent.append(now)
        if quota is not None:
            self._daily[quota[0]] = self._daily.get(quota[0], 0) + 1
        return None
