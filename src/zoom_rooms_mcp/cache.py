"""A small async TTL cache with per-key single flight.

Concurrent callers asking for the same key while it loads wait for that one load instead of each
going to Zoom; a failed load is not cached, so the next caller tries again. ``clear()`` starts a new
generation: a load that was already in flight still answers its own callers but is not stored, so no
data read before the clear can reappear after it. A key's lock lives only while someone holds or waits
for it, so keys that failed (or were evicted) leave nothing behind.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio

T = TypeVar("T")


@dataclass(slots=True)
class Entry(Generic[T]):
    value: T
    loaded_at: float


class TTLCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 4096) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[Hashable, Entry[Any]] = {}
        self._locks: dict[Hashable, anyio.Lock] = {}
        self._generation = 0

    def peek(self, key: Hashable, ttl: float) -> Entry[Any] | None:
        """The entry if it is younger than ``ttl``; never loads."""
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry.loaded_at < ttl:
            return entry
        return None

    async def get(self, key: Hashable, ttl: float, loader: Callable[[], Awaitable[T]]) -> Entry[T]:
        entry = self.peek(key, ttl)
        if entry is not None:
            return entry
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            try:
                entry = self.peek(key, ttl)  # loaded by whoever held the lock before us
                if entry is not None:
                    return entry
                generation = self._generation
                value = await loader()
                entry = Entry(value, self._clock())
                if generation == self._generation:
                    if len(self._entries) >= self._max_entries:
                        self._evict()
                    self._entries[key] = entry
                return entry
            finally:
                # Waiters are registered on the lock before anyone can see it free, so with none waiting
                # nobody else holds a reference: drop it (also after a failed load).
                if lock.statistics().tasks_waiting == 0 and self._locks.get(key) is lock:
                    del self._locks[key]

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
        # Callers after the clear must not queue behind a load whose result will be discarded.
        self._locks.clear()

    def _evict(self) -> None:
        oldest = sorted(self._entries.items(), key=lambda item: item[1].loaded_at)[: len(self._entries) // 4 + 1]
        for key, _ in oldest:
            self._entries.pop(key, None)
