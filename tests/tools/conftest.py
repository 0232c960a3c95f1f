"""Fixtures of the tool tests."""

from __future__ import annotations

import pytest

from tests.harness import simulator
from zoom_rooms_mcp.simulator import Simulator


@pytest.fixture(scope="module")
def sim() -> Simulator:
    """The default demo-sized fleet, shared read-only by a module's tests (``connect`` resets its stats)."""
    return simulator()
