"""The pacer's two lanes on a virtual clock: tool requests before sync requests, the sync's budget,
its backoff after a 429, Zoom's reported headroom, and the reserve of a daily cap."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import anyio
import anyio.lowlevel
import pytest

from tests.conftest import FakeClock
from zoom_rooms_mcp.zoom.catalog import PLANS, RATE_LIMITS, Category, Plan
from zoom_rooms_mcp.zoom.errors import ZoomRateLimitError
from zoom_rooms_mcp.zoom.pacing import SYNC_BACKOFF_MAX, SYNC_MARGIN, CategoryPacer, Pacer

pytestmark = pytest.mark.anyio


class VirtualClock:
    """Discrete-event time for several tasks: ``sleep`` parks a task until ``run`` moves time to its wake-up.
    Time only moves when every task is blocked, so what happens "at once" really happens at one instant."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        event = anyio.Event()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), event))
        await event.wait()

    async def run_until(self, deadline: float) -> None:
        while True:
            await anyio.wait_all_tasks_blocked()
            if not self._sleepers or self._sleepers[0][0] > deadline:
                self.now = max(self.now, deadline)
                return
            wake, _, event = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            event.set()


Log = list[tuple[float, str]]


async def _sync_worker(acquire: Callable[[], Awaitable[None]], clock: VirtualClock, log: Log) -> None:
    while True:
        await acquire()
        log.append((clock.now, "sync"))


def _max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_a_waiting_tool_request_always_leaves_before_sync_requests() -> None:
    clock = VirtualClock()
    pacer = CategoryPacer(60, clock=clock, sleep=clock.sleep, sync_share=0.5)
    log: Log = []

    async def tool_call() -> None:
        log.append((clock.now, "tool-waiting"))
        await pacer.acquire()
        log.append((clock.now, "tool"))

    start = clock.now
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(_sync_worker, pacer.acquire_sync, clock, log)
            await clock.run_until(start + 2)
            for _ in range(120):  # two seconds' worth of the whole limit, all at once
                tg.start_soon(tool_call)
            await clock.run_until(start + 6)
            tg.cancel_scope.cancel()
    kinds = [kind for _, kind in log]
    first_waiting = kinds.index("tool-waiting")
    last_tool = len(kinds) - 1 - kinds[::-1].index("tool")
    assert "sync" in kinds[:first_waiting]  # the sync was running before …
    assert "sync" not in kinds[first_waiting:last_tool]  # … and sent nothing while any tool request waited
    assert "sync" in kinds[last_tool:]  # … and resumed afterwards
    # Both lanes together never exceed the (margined) limit in any window.
    assert _max_in_window([t for t, kind in log if kind in ("tool", "sync")], 1.0) <= pacer.budget <= 60
    assert kinds.count("tool") == 120


@pytest.mark.parametrize("share", [0.5, 0.9])
@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("category", list(Category))
async def test_the_sync_lane_stays_within_its_share(plan: Plan, category: Category, share: float) -> None:
    rate = RATE_LIMITS[plan][category]
    clock = VirtualClock()
    pacer = Pacer(plan, clock=clock, sleep=clock.sleep, sync_share=share, wall_clock=clock)
    window = pacer.category(category).window
    log: Log = []
    duration = 30 * window
    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(_sync_worker, lambda: pacer.acquire(category, "sync"), clock, log)
            await clock.run_until(clock.now + duration)
            tg.cancel_scope.cancel()
    times = [t for t, _ in log]
    span = 10 * window
    assert _max_in_window(times, span) <= share * rate.per_second * span
    # … while using most of it (or of both lanes' budget, where that is smaller).
    per_second = min(share * SYNC_MARGIN * rate.per_second, pacer.category(category).budget / window)
    assert len(times) >= 0.9 * per_second * duration


async def test_measured_sync_departures_per_second_on_business_medium() -> None:
    clock = VirtualClock()
    pacer = CategoryPacer(60, clock=clock, sleep=clock.sleep, sync_share=0.5)
    log: Log = []
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(_sync_worker, pacer.acquire_sync, clock, log)
            await clock.run_until(clock.now + 10)
            tg.cancel_scope.cancel()
    busiest = _max_in_window([t for t, _ in log], 1.0)
    assert 28 <= busiest <= 30  # share 0.5 of 60 per second, just under it


async def test_a_429_backs_the_sync_lane_off_exponentially_while_tools_carry_on() -> None:
    clock = VirtualClock()
    pacer = CategoryPacer(20, clock=clock, sleep=clock.sleep, sync_share=0.5)
    log: Log = []
    start = clock.now
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_sync_worker, pacer.acquire_sync, clock, log)
            await clock.run_until(start + 1)
            limited_at = clock.now
            pacer.rate_limited()  # a 429 in this category
            await pacer.acquire()  # a tool request right after it is not held back
            assert clock.now == limited_at
            await clock.run_until(start + 1.5)
            pacer.rate_limited()  # another one: 2 s now
            second_at = clock.now
            await clock.run_until(start + 10)
            tg.cancel_scope.cancel()
    sync_times = [t for t, kind in log if kind == "sync"]
    assert not [t for t in sync_times if limited_at < t < second_at]
    assert min(t for t in sync_times if t > second_at) >= second_at + 2.0
    for _ in range(20):
        pacer.rate_limited()
    assert pacer.sync_backoff_until - clock.now <= SYNC_BACKOFF_MAX  # bounded
    pacer.succeeded()
    pacer.rate_limited(retry_after=None)
    assert pacer._backoff_streak == 1  # a success starts the backoff from the beginning again


async def test_low_remaining_headroom_pauses_the_sync_until_the_observation_ages() -> None:
    clock = VirtualClock()
    pacer = CategoryPacer(20, clock=clock, sleep=clock.sleep, sync_share=0.5)
    pacer.observe_remaining(limit=6000, remaining=600)  # 10 % left for the whole account
    assert pacer.current_sync_share() == 0
    log: Log = []
    start = clock.now
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_sync_worker, pacer.acquire_sync, clock, log)
            await clock.run_until(start + 70)
            tg.cancel_scope.cancel()
    assert log
    assert min(t for t, _ in log) >= start + 60


async def test_the_sync_lane_keeps_a_reserve_of_a_daily_cap(clock: FakeClock) -> None:
    pacer = Pacer("free", scale=0.01, clock=clock, sleep=clock.sleep, wall_clock=clock)  # Heavy: 10 a day
    for _ in range(8):
        await pacer.acquire(Category.HEAVY, "sync")
    with pytest.raises(ZoomRateLimitError) as info:
        await pacer.acquire(Category.HEAVY, "sync")  # 80 % spent: the rest is for tool calls
    assert info.value.daily
    assert info.value.reset_at == datetime(2027, 1, 16, tzinfo=UTC)
    await pacer.acquire(Category.HEAVY)  # tool calls may still use it
    await pacer.acquire(Category.MEDIUM, "sync")  # other categories have their own cap on the free plan
    clock.now = datetime(2027, 1, 16, 0, 0, 1, tzinfo=UTC).timestamp()
    await pacer.acquire(Category.HEAVY, "sync")  # a new UTC day


async def test_heavy_and_resource_intensive_share_one_daily_reserve_on_paid_plans(clock: FakeClock) -> None:
    pacer = Pacer("business", scale=0.0002, clock=clock, sleep=clock.sleep, wall_clock=clock)  # 12 a day
    for _ in range(5):
        await pacer.acquire(Category.HEAVY, "sync")
    for _ in range(4):
        await pacer.acquire(Category.HEAVY)
    with pytest.raises(ZoomRateLimitError):
        await pacer.acquire(Category.RESOURCE_INTENSIVE, "sync")  # 9 of 12 used, counted for both categories
    await pacer.acquire(Category.MEDIUM, "sync")  # Medium has no daily cap on paid plans


async def test_a_low_count_of_the_current_window_pauses_the_sync_for_one_window_only() -> None:
    """A limit the size of the category's window limit is that window's count: it recovers within it."""
    clock = VirtualClock()
    pacer = CategoryPacer(60, clock=clock, sleep=clock.sleep, sync_share=0.5)
    pacer.observe_remaining(limit=60, remaining=3)  # tool calls used this second's limit
    log: Log = []
    start = clock.now
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_sync_worker, pacer.acquire_sync, clock, log)
            await clock.run_until(start + 3)
            tg.cancel_scope.cancel()
    assert start + 1 <= min(t for t, _ in log) < start + 1.1
