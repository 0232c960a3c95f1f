"""Client-side pacing: stay under Zoom's per-category limits, with tool calls ahead of the background sync.

Zoom counts requests per account and rate-limit category in a rolling window. Each category gets a
GCRA scheduler (a virtual-clock token bucket): a small burst, then evenly spaced requests at a
safety margin below the published rate, so that burst + rate × window stays within the limit; and a
rolling-window count of actual departures caps what a late-waking, bunched-up schedule could send.
Hand-written rather than ``aiolimiter`` because it needs an injectable clock for deterministic tests
and must work under anyio.

Two lanes share each category (issue 9, ENGINE-NOTES "Budgets with priorities"):

* ``tool``: requests a tool call is waiting for, up to the full (margined) limit, as above.
* ``sync``: the background sync. It leaves only while no tool request is waiting in that category (a
  waiting tool request always goes first), spaced just under ``share`` × the limit, and counted in the
  same departure window, so both lanes together stay under the limit. It shrinks its share as Zoom's
  ``X-RateLimit-Remaining`` / ``X-RateLimit-Limit`` fall (other apps on the account use the same
  limits), backs off exponentially (bounded) after any 429 in the category while the tool lane carries
  on, and stops at 80 % of a daily cap counted since 00:00 UTC (free plan: every category; paid plans:
  Heavy and Resource-intensive together), keeping the rest for tool calls.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

import anyio

from zoom_rooms_mcp.zoom.catalog import COMBINED_HEAVY_DAILY, RATE_LIMITS, Category, Plan, Rate
from zoom_rooms_mcp.zoom.errors import ZoomRateLimitError

Lane = Literal["tool", "sync"]

SAFETY_MARGIN = 0.85
SYNC_MARGIN = 0.97  # the sync lane spaces its requests at 97 % of its share of the limit
DEFAULT_SYNC_SHARE = 0.5
SYNC_BACKOFF_INITIAL = 1.0
SYNC_BACKOFF_MAX = 60.0
DAILY_SYNC_CEILING = 0.8  # the sync lane never spends the last 20 % of a daily cap
# X-RateLimit-Remaining / X-RateLimit-Limit: at or above FULL the sync uses its whole share, at or below
# STOP none, linearly in between. What Zoom counts there is unconfirmed (REFERENCE §3: "opaque counters"):
# a limit near the category's per-window limit is read as that window's count, which recovers within a
# window; anything larger as a daily-scale count. An observation counts for one window or HEADROOM_TTL
# seconds respectively: the sync sends nothing while stopped, so only newer traffic (or time) can tell it
# the account has room again.
HEADROOM_FULL = 0.5
HEADROOM_STOP = 0.2
HEADROOM_TTL = 60.0

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class DailyBudget:
    """Requests sent since 00:00 UTC against one daily cap (shared by the categories it covers).

    It counts this process's requests only; Zoom's own count (other processes, other apps) shows in
    ``X-RateLimit-Remaining``, which the sync lane also heeds.
    """

    def __init__(self, cap: int, *, wall_clock: Clock = time.time) -> None:
        self.cap = cap
        self._wall = wall_clock
        self._day = -1
        self._used = 0
        self.exhausted_until: float | None = None  # a daily 429 said so (wall-clock seconds)

    @property
    def used(self) -> int:
        self._roll()
        return self._used

    def add(self) -> None:
        self._roll()
        self._used += 1

    def sync_may_spend(self) -> bool:
        self._roll()
        if self.exhausted_until is not None and self._wall() < self.exhausted_until:
            return False
        return self._used < math.floor(self.cap * DAILY_SYNC_CEILING)

    def next_reset(self) -> datetime:
        now = datetime.fromtimestamp(self._wall(), UTC)
        return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)

    def _roll(self) -> None:
        day = int(self._wall() // 86_400)
        if day != self._day:
            self._day, self._used = day, 0


class CategoryPacer:
    """Admits tool requests at ``rate`` per second after an initial burst, and sync requests behind them."""

    def __init__(
        self,
        rate: float,
        *,
        window: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = anyio.sleep,
        sync_share: float = DEFAULT_SYNC_SHARE,
        daily: DailyBudget | None = None,
        name: str = "",
    ) -> None:
        limit_per_window = rate * window
        self.limit_per_window = limit_per_window
        self.limit_rate = rate
        self.rate = rate * SAFETY_MARGIN
        self.interval = 1.0 / self.rate
        # burst + rate·window ≤ limit, less one request of headroom for jitter between admission and arrival.
        self.burst = max(1, math.floor(limit_per_window - self.rate * window) - 1)
        self.window = window
        # Hard cap per rolling window for both lanes together, checked when a request actually leaves.
        self.budget = max(1, math.floor(limit_per_window * SAFETY_MARGIN))
        self.sync_share = sync_share
        self.daily = daily
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self._tat = 0.0  # theoretical arrival time of the next tool request
        self._sent: deque[float] = deque()
        self._tools_waiting = 0
        self._tools_idle: anyio.Event | None = None  # created when a sync request has to wait for tools
        self._sync_next = 0.0  # earliest departure of the next sync request
        self._backoff_until = 0.0
        self._backoff_streak = 0
        self._headroom = 1.0
        self._headroom_at = -math.inf
        self._headroom_ttl = HEADROOM_TTL
        self.sent_by_lane: dict[Lane, int] = {"tool": 0, "sync": 0}

    # --- the tool lane ---------------------------------------------------------------------------

    def reserve(self) -> float:
        """Claim the next slot and return how long to wait for it (no await: atomic on the event loop)."""
        now = self._clock()
        tat = max(self._tat, now)
        self._tat = tat + self.interval
        return max(0.0, tat - now - (self.burst - 1) * self.interval)

    async def acquire(self) -> None:
        self._tools_waiting += 1
        try:
            delay = self.reserve()
            if delay > 0:
                await self._sleep(delay)
            # The schedule alone is not enough: on a busy event loop tasks wake late and several scheduled
            # requests would leave together. Count actual departures in the rolling window as well.
            while (wait := self._window_wait(self._clock())) > 0:
                await self._sleep(wait)
            self._depart("tool")
        finally:
            self._tools_waiting -= 1
            if self._tools_waiting == 0 and self._tools_idle is not None:
                self._tools_idle.set()
                self._tools_idle = None

    # --- the sync lane ---------------------------------------------------------------------------

    async def acquire_sync(self) -> None:
        """Wait for a sync slot. Raises ``ZoomRateLimitError`` (daily) when only the reserve of a daily cap
        is left, so the sync backs off until 00:00 UTC instead of spending what tool calls need."""
        while True:
            if self._tools_waiting:
                if self._tools_idle is None:
                    self._tools_idle = anyio.Event()
                await self._tools_idle.wait()
                continue
            if self.daily is not None and not self.daily.sync_may_spend():
                reset = self.daily.next_reset()
                raise ZoomRateLimitError(
                    f"The background sync has used its share of today's {self.name or 'daily'} quota; the rest "
                    f"is kept for tool calls until {reset:%Y-%m-%d %H:%M} UTC.",
                    daily=True,
                    category=self.name or None,
                    reset_at=reset,
                )
            now = self._clock()
            share = self.current_sync_share(now)
            if share <= 0:
                await self._sleep(max(self._headroom_at + self._headroom_ttl - now, 0.001))
                continue
            wait = max(self._backoff_until - now, self._sync_next - now, self._window_wait(now))
            if wait <= 0:
                # Its share of the limit itself (less a sliver for timing jitter): the tool lane's margin is
                # on the total, which the shared departure window keeps for both lanes.
                self._sync_next = now + 1.0 / (share * self.limit_rate * SYNC_MARGIN)
                self._depart("sync")
                return
            # Re-check after sleeping: a tool request may have arrived meanwhile and goes first.
            await self._sleep(wait)

    def current_sync_share(self, now: float | None = None) -> float:
        """The fraction of the limit the sync lane may use now, after Zoom's reported headroom."""
        now = self._clock() if now is None else now
        if now - self._headroom_at >= self._headroom_ttl:
            return self.sync_share
        return self.sync_share * self._headroom

    # --- what Zoom says --------------------------------------------------------------------------

    def observe_remaining(self, limit: int, remaining: int) -> None:
        """Zoom's ``X-RateLimit-Limit`` / ``X-RateLimit-Remaining`` on a response in this category."""
        if limit <= 0:
            return
        fraction = min(1.0, max(0.0, remaining / limit))
        self._headroom = min(1.0, max(0.0, (fraction - HEADROOM_STOP) / (HEADROOM_FULL - HEADROOM_STOP)))
        self._headroom_at = self._clock()
        self._headroom_ttl = self.window if limit <= 2 * self.limit_per_window else HEADROOM_TTL

    def rate_limited(self, retry_after: float | None = None) -> None:
        """A per-second 429 in this category: the sync lane backs off (1 s, 2 s, 4 s, … up to 60 s)."""
        self._backoff_streak += 1
        backoff = min(SYNC_BACKOFF_MAX, SYNC_BACKOFF_INITIAL * 2 ** (self._backoff_streak - 1))
        self._backoff_until = max(self._backoff_until, self._clock() + max(backoff, retry_after or 0.0))

    def succeeded(self) -> None:
        """A 2xx in this category: the next 429 starts the backoff from the beginning again."""
        self._backoff_streak = 0

    @property
    def sync_backoff_until(self) -> float:
        return self._backoff_until

    # --- shared ----------------------------------------------------------------------------------

    def _window_wait(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        if len(self._sent) < self.budget:
            return 0.0
        return self._sent[0] + self.window - now

    def _depart(self, lane: Lane) -> None:
        self._sent.append(self._clock())
        self.sent_by_lane[lane] += 1
        if self.daily is not None:
            self.daily.add()


class Pacer:
    """One ``CategoryPacer`` per Zoom rate-limit category, sized for the account's plan."""

    def __init__(
        self,
        plan: Plan,
        *,
        scale: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = anyio.sleep,
        sync_share: float = DEFAULT_SYNC_SHARE,
        wall_clock: Clock = time.time,
    ) -> None:
        self.plan = plan
        self._daily = _daily_budgets(plan, scale, wall_clock)
        self._pacers = {
            category: _pacer_for(category, rate, scale, clock, sleep, sync_share, self._daily.get(category))
            for category, rate in RATE_LIMITS[plan].items()
        }

    def rate(self, category: Category) -> float:
        return self._pacers[category].rate

    def category(self, category: Category) -> CategoryPacer:
        return self._pacers[category]

    async def acquire(self, category: Category, lane: Lane = "tool") -> None:
        pacer = self._pacers[category]
        if lane == "sync":
            await pacer.acquire_sync()
        else:
            await pacer.acquire()

    def observe_remaining(self, category: Category, limit: int, remaining: int) -> None:
        self._pacers[category].observe_remaining(limit, remaining)

    def rate_limited(self, category: Category, retry_after: float | None = None) -> None:
        self._pacers[category].rate_limited(retry_after)

    def daily_limited(self, category: Category, reset_at: datetime) -> None:
        """A daily 429: the sync lane of every category under that cap stops until the reset."""
        budget = self._daily.get(category)
        if budget is not None:
            budget.exhausted_until = reset_at.timestamp()
        else:
            self._pacers[category].rate_limited()

    def succeeded(self, category: Category) -> None:
        self._pacers[category].succeeded()


def _daily_budgets(plan: Plan, scale: float, wall_clock: Clock) -> dict[Category, DailyBudget]:
    def cap(value: int) -> int:
        return max(1, math.floor(value * scale))

    budgets: dict[Category, DailyBudget] = {}
    for category, rate in RATE_LIMITS[plan].items():
        if rate.daily is not None:
            budgets[category] = DailyBudget(cap(rate.daily), wall_clock=wall_clock)
    combined = COMBINED_HEAVY_DAILY[plan]
    if combined is not None:
        shared = DailyBudget(cap(combined), wall_clock=wall_clock)
        budgets[Category.HEAVY] = budgets[Category.RESOURCE_INTENSIVE] = shared
    return budgets


def _pacer_for(
    category: Category,
    rate: Rate,
    scale: float,
    clock: Clock,
    sleep: Sleep,
    sync_share: float,
    daily: DailyBudget | None,
) -> CategoryPacer:
    # Per-minute limits (Resource-intensive) are enforced over a 60-second window.
    window = 60.0 if rate.per_second < 1 else 1.0
    return CategoryPacer(
        rate.per_second * scale,
        window=window,
        clock=clock,
        sleep=sleep,
        sync_share=sync_share,
        daily=daily,
        name=category.value,
    )
