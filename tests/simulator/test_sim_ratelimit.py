"""Per-category QPS and daily limits by plan, with Zoom's 429 bodies and headers (fake clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.simulator.simkit import Api, ManualClock, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import Simulator, Variants
from zoom_rooms_mcp.simulator.ratelimit import DAILY_MESSAGE, QPS_MESSAGE

pytestmark = pytest.mark.anyio

DATES = {"from": "2027-01-01", "to": "2027-01-15"}


@asynccontextmanager
async def make_api(clock: ManualClock, **options: Any) -> AsyncIterator[Api]:
    """A client of a fresh simulator on the test clock (rate limits on unless ``options`` say otherwise)."""
    sim = Simulator(clock=clock, **options)
    async with in_process_client(sim) as client:
        yield Api(client, await fetch_token(client))


async def burst(api: Api, path: str, count: int, **params: str) -> list[int]:
    return [(await api.get(path, **params)).status_code for _ in range(count)]


async def test_qps_limit_per_category_with_sliding_window(sim_clock: ManualClock) -> None:
    async with make_api(sim_clock, plan="business") as api:
        assert await burst(api, "/rooms", 60) == [200] * 60  # Medium: 60/s on Business
        refused = await api.get("/rooms")
        assert (refused.status_code, refused.json()) == (429, {"code": 429, "message": QPS_MESSAGE})
        assert refused.headers["x-ratelimit-category"] == "Medium"
        assert refused.headers["x-ratelimit-type"] == "QPS"
        assert "retry-after" not in refused.headers
        assert (await api.get("/rooms/locations/structure")).status_code == 200  # Light is counted apart
        sim_clock.advance(0.5)
        assert (await api.get("/rooms")).status_code == 429  # still inside the one-second window
        sim_clock.advance(0.5)
        assert await burst(api, "/rooms", 60) == [200] * 60


async def test_qps_retry_after_is_optional(sim_clock: ManualClock) -> None:
    async with make_api(sim_clock, plan="pro", variants=Variants(qps_retry_after=True)) as api:
        assert await burst(api, "/rooms", 20) == [200] * 20  # Medium: 20/s on Pro
        sim_clock.advance(0.25)
        refused = await api.get("/rooms")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"


async def test_resource_intensive_is_per_minute(sim_clock: ManualClock) -> None:
    async with make_api(sim_clock, plan="business", variants=Variants(qps_retry_after=True)) as api:
        assert await burst(api, "/metrics/zoomrooms", 20) == [200] * 20  # 20/minute on Business
        refused = await api.get("/metrics/zoomrooms")
        assert refused.status_code == 429
        assert refused.headers["x-ratelimit-category"] == "Resource-intensive"
        assert refused.headers["retry-after"] == "60"
        sim_clock.advance(59)
        assert (await api.get("/metrics/zoomrooms")).status_code == 429
        sim_clock.advance(1)
        assert (await api.get("/metrics/zoomrooms")).status_code == 200


async def test_rate_scale_multiplies_limits(sim_clock: ManualClock) -> None:
    async with make_api(sim_clock, plan="business", rate_scale=0.1) as api:
        assert await burst(api, "/rooms", 7) == [200] * 6 + [429]


async def test_free_plan_daily_limit_resets_at_midnight_utc(sim_clock: ManualClock) -> None:
    sim_clock.now = 1_800_057_600.0 - 10  # ten seconds before 2027-01-16T00:00:00Z
    async with make_api(sim_clock, plan="free", rate_scale=0.002) as api:  # Medium: 2,000/day → 4/day
        statuses = []
        for _ in range(5):
            statuses.append((await api.get("/rooms")).status_code)
            sim_clock.advance(1)
        assert statuses == [200, 200, 200, 200, 429]
        refused = await api.get("/rooms")
        assert refused.json() == {"code": 429, "message": DAILY_MESSAGE}
        assert refused.headers["x-ratelimit-type"] == "Daily-limit"
        assert refused.headers["x-ratelimit-category"] == "Medium"
        assert refused.headers["x-ratelimit-limit"] == "4"
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.headers["retry-after"] == "2027-01-16T00:00:00Z"
        assert (await api.get("/rooms/locations/structure")).status_code == 200  # Light has its own quota
        sim_clock.advance(5)
        assert (await api.get("/rooms")).status_code == 200


async def test_paid_plans_share_one_daily_quota_for_heavy_and_resource_intensive(sim_clock: ManualClock) -> None:
    async with make_api(sim_clock, plan="business", rate_scale=0.0001) as api:  # 60,000/day → 6/day
        for _ in range(3):
            assert (await api.get("/metrics/zoomrooms")).status_code == 200
            assert (await api.get("/metrics/zoomrooms/issues", **DATES)).status_code == 200
            sim_clock.advance(60)  # the scaled per-minute limit is 1
        refused = await api.get("/metrics/issues/zoomrooms", **DATES)
        assert refused.status_code == 429
        assert refused.headers["x-ratelimit-type"] == "Daily-limit"
        assert refused.headers["x-ratelimit-category"] == "Heavy"
        assert refused.headers["x-ratelimit-limit"] == "6"
        assert (await api.get("/metrics/zoomrooms")).headers["x-ratelimit-type"] == "Daily-limit"
        assert (await api.get("/rooms")).status_code == 200  # no daily limit for Medium on paid plans


async def test_limits_can_be_switched_off_and_reset(sim_clock: ManualClock) -> None:
    async with make_api(sim_clock, plan="free", enforce_rate_limits=False) as api:
        assert await burst(api, "/rooms", 30) == [200] * 30
    sim = Simulator(plan="free", clock=sim_clock)
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        assert await burst(api, "/rooms", 3) == [200, 200, 429]  # Medium: 2/s on Free
        assert sim.stats.rate_limited == 1
        sim.reset()
        assert await burst(api, "/rooms", 2) == [200, 200]


async def test_refused_requests_do_not_use_quota(sim_clock: ManualClock) -> None:
    async with make_api(sim_clock, plan="free") as api:
        unauthorised = Api(api.client, "nope")
        assert await burst(unauthorised, "/rooms", 5) == [401] * 5
        assert await burst(api, "/rooms", 3) == [200, 200, 429]
