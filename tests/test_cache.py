"""TTL cache: freshness, single flight, failures not cached."""

from __future__ import annotations

import anyio
import pytest

from tests.conftest import FakeClock
from zoom_rooms_mcp.cache import TTLCache

pytestmark = pytest.mark.anyio


async def test_single_flight_and_ttl(clock: FakeClock) -> None:
    cache = TTLCache(clock)
    calls = 0
    release = anyio.Event()

    async def load() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        return calls

    results: list[int] = []

    async def get() -> None:
        results.append((await cache.get("k", 30, load)).value)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(get)
            await anyio.wait_all_tasks_blocked()
            release.set()
    assert results == [1] * 20
    clock.advance(29)
    assert (await cache.get("k", 30, load)).value == 1
    clock.advance(2)
    assert (await cache.get("k", 30, load)).value == 2
    assert cache.peek("k", 30) is not None
    cache.clear()
    assert cache.peek("k", 30) is None


async def test_failures_are_not_cached(clock: FakeClock) -> None:
    cache = TTLCache(clock)

    async def boom() -> int:
        raise RuntimeError("upstream down")

    async def fine() -> int:
        return 7

    with pytest.raises(RuntimeError):
        await cache.get("k", 30, boom)
    assert (await cache.get("k", 30, fine)).value == 7


async def test_bounded_size(clock: FakeClock) -> None:
    cache = TTLCache(clock, max_entries=8)
    for i in range(50):
        clock.advance(1)

        async def load(i: int = i) -> int:
            return i

        await cache.get(i, 1000, load)
    assert len(cache._entries) <= 8
    assert cache.peek(49, 1000) is not None
