"""Client-side pacing: stay under Zoom's per-second limits so fan-outs never trigger 429s.

Zoom counts requests per account and rate-limit category in a rolling window. Each category gets a
GCRA scheduler (a virtual-clock token bucket): a small burst, then evenly spaced requests at a
safety margin below the published rate, so that burst + rate × window stays within the limit; and a
rolling-window count of actual departures caps what a late-waking, bunched-up schedule could send.
Hand-written rather than ``aiolimiter`` because it needs an injectable clock for deterministic tests
and must work under anyio.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

import anyio

from zoom_rooms_mcp.zoom.catalog import RATE_LIMITS, Category, Plan, Rate

SAFETY_MARGIN = 0.85


class CategoryPacer:
    """Admits requests at ``rate`` per second after an initial burst."""

    def __init__(
        self,
        rate: float,
        *,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        limit_per_window = rate * window
        self.rate = rate * SAFETY_MARGIN
        self.interval = 1.0 / self.rate
        # burst + rate·window ≤ limit, less one request of headroom for jitter between admission and arrival.
        self.burst = max(1, math.floor(limit_per_window - self.rate * window) - 1)
        self.window = window
        # Hard cap per rolling window, checked when a request actually leaves (see acquire).
        self.budget = max(1, math.floor(limit_per_window * SAFETY_MARGIN))
        self._clock = clock
        self._sleep = sleep
        self._tat = 0.0  # theoretical arrival time of the next request
        self._sent: deque[float] = deque()

    def reserve(self) -> float:
        """Claim the next slot and return how long to wait for it (no await: atomic on the event loop)."""
        now = self._clock()
        tat = max(self._tat, now)
        self._tat = tat + self.interval
        return max(0.0, tat - now - (self.burst - 1) * self.interval)

    async def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await self._sleep(delay)
        # The schedule alone is not enough: on a busy event loop tasks wake late and several scheduled
        # requests would leave together. Count actual departures in the rolling window as well.
        while True:
            now = self._clock()
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            if len(self._sent) < self.budget:
                self._sent.append(now)
                return
            await self._sleep(self._sent[0] + self.window - now)


class Pacer:
    """One ``CategoryPacer`` per Zoom rate-limit category, sized for the account's plan."""

    def __init__(
        self,
        plan: Plan,
        *,
        scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.plan = plan
        self._pacers = {category: _pacer_for(rate, scale, clock, sleep) for category, rate in RATE_LIMITS[plan].items()}

    def rate(self, category: Category) -> float:
        return self._pacers[category].rate

    async def acquire(self, category: Category) -> None:
        await self._pacers[category].acquire()


def _pacer_for(
    rate: Rate, scale: float, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
) -> CategoryPacer:
    # Per-minute limits (Resource-intensive) are enforced over a 60-second window.
    window = 60.0 if rate.per_second < 1 else 1.0
    return CategoryPacer(rate.per_second * scale, window=window, clock=clock, sleep=sleep)
