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
    assert _max_in_window(admitted, window) <= limit
    # … while still using most of it: sustained throughput is at least 80% of the published rate.
    assert (len(admitted) - 1) / (admitted[-1] - admitted[0]) >= 0.8 * rate.per_second


async def test_pacer_has_a_pacer_per_category_scaled(clock: FakeClock) -> None:
    pacer = Pacer("business", scale=10, clock=clock, sleep=clock.sleep)
    assert pacer.rate(Category.MEDIUM) == pytest.approx(60 * 10 * 0.85)
    await pacer.acquire(Category.LIGHT)
    assert clock.sleeps == []
