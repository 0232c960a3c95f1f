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


async def test_clear_discards_loads_already_in_flight(clock: FakeClock) -> None:
    """Regression: a load started before clear() stored its (old) result after it."""
    cache = TTLCache(clock)
    started, release = anyio.Event(), anyio.Event()

    async def slow_old_load() -> str:
        started.set()
        await release.wait()
        return "before-clear"

    results: list[str] = []

    async def first_caller() -> None:
        results.append((await cache.get("k", 30, slow_old_load)).value)

    async def fresh_load() -> str:
        return "after-clear"

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(first_caller)
            await started.wait()
            cache.clear()
            # A caller after the clear does not wait for the doomed load and gets new data.
            assert (await cache.get("k", 30, fresh_load)).value == "after-clear"
            release.set()
    assert results == ["before-clear"]  # the in-flight caller still gets its answer …
    entry = cache.peek("k", 30)
    assert entry is not None
    assert entry.value == "after-clear"  # … but it never replaced the newer data


async def test_locks_of_failed_and_finished_keys_are_removed(clock: FakeClock) -> None:
    cache = TTLCache(clock)

    async def boom() -> int:
        raise RuntimeError("upstream down")

    async def fine() -> int:
        return 1

    for i in range(100):
        with pytest.raises(RuntimeError):
            await cache.get(("room", i), 30, boom)
    await cache.get("ok", 30, fine)
    assert cache._locks == {}


async def test_a_lock_with_waiters_is_kept_until_the_last_one_is_done(clock: FakeClock) -> None:
    cache = TTLCache(clock)
    release = anyio.Event()
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            await release.wait()
            raise RuntimeError("first load fails")
        return calls

    outcomes: list[object] = []

    async def get() -> None:
        try:
            outcomes.append((await cache.get("k", 30, load)).value)
        except RuntimeError as exc:
            outcomes.append(str(exc))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(get)
            await anyio.wait_all_tasks_blocked()
            release.set()
    # One failure; the next waiter loads once (single flight survives the lock clean-up) and the rest reuse it.
    assert sorted(map(str, outcomes)) == ["2", "2", "2", "2", "first load fails"]
    assert calls == 2
    assert cache._locks == {}
