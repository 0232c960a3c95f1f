from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.simulator.simkit import Api, ManualClock, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import Simulator


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sim_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(sim_clock: ManualClock) -> Simulator:
    """The clock stands still, so rate limits are off here; test_sim_ratelimit.py covers them."""
    return Simulator(clock=sim_clock, enforce_rate_limits=False)


@pytest.fixture
async def api(sim: Simulator) -> AsyncIterator[Api]:
    async with in_process_client(sim) as client:
        yield Api(client, await fetch_token(client))
