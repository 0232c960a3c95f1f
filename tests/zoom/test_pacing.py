"""The pacer keeps any rolling window at or under Zoom's per-category limit."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from zoom_rooms_mcp.zoom.catalog import PLANS, RATE_LIMITS, Category
from zoom_rooms_mcp.zoom.pacing import CategoryPacer, Pacer

pytestmark = pytest.mark.anyio


def _max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("category", list(Category))
async def test_admitted_requests_never_exceed_the_limit_in_any_window(plan, category, clock: FakeClock) -> None:
    rate = RATE_LIMITS[plan][category]
    window = 60.0 if rate.per_second < 1 else 1.0
    pacer = CategoryPacer(rate.per_second, window=window, clock=clock, sleep=clock.sleep)
    admitted = []
    for _ in range(200):
        await pacer.acquire()
        admitted.append(clock.now)
    limit = round(rate.per_second * window)
    assert _max_in_window(admitted, window) <= pacer.budget <= limit
    # … while still using most of it: sustained throughput reaches the departure budget (85% of the limit,
    # rounded down: 3 of Free's 4 Light requests per second, 51 of Business's 60 Medium).
    throughput = (len(admitted) - 1) / (admitted[-1] - admitted[0])
    assert throughput >= 0.95 * min(pacer.rate, pacer.budget / window)


async def test_late_wakeups_cannot_bunch_departures(clock: FakeClock) -> None:
    """Requests whose scheduled slot passed while they waited still leave within the window budget."""
    pacer = CategoryPacer(20, clock=clock, sleep=clock.sleep)
    for _ in range(40):
        pacer.reserve()  # 40 slots handed out while the event loop was busy …
    admitted = []
    for _ in range(40):
        await pacer.acquire()  # … so their holders all wake "late", at once
        admitted.append(clock.now)
    assert _max_in_window(admitted, 1.0) <= pacer.budget == 17


async def test_pacer_has_a_pacer_per_category_scaled(clock: FakeClock) -> None:
    pacer = Pacer("business", scale=10, clock=clock, sleep=clock.sleep)
    assert pacer.rate(Category.MEDIUM) == pytest.approx(60 * 10 * 0.85)
    await pacer.acquire(Category.LIGHT)
    assert clock.sleeps == []
