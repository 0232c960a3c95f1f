"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest
from hypothesis import settings
from mcp import Client

from tests.harness import connector

# Generated inputs: a quick sample locally, the full depth in CI (at least 10,000 tool inputs in total across
# tests/faults/test_bad_input.py). HYPOTHESIS_PROFILE=ci runs CI's depth anywhere.
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=1_200, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """A clock tests move by hand: token expiry, refresh buffers and pacing without waiting."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """Stands in for anyio.sleep: records the wait and moves time forward instead of waiting."""
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def connect(tmp_path: Path) -> Callable[..., AbstractAsyncContextManager[Client]]:
    return connector(tmp_path / "tokens")
