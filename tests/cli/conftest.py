"""Fixtures for the CLI tests: one simulator on loopback per module, restored to its defaults between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zoom_rooms_mcp.simulator import DEFAULT_SCOPES, Simulator, running_simulator


@pytest.fixture(scope="module")
def simulator() -> Simulator:
    return Simulator(rooms=60, seed=7)


@pytest.fixture(scope="module")
def simulator_url(simulator: Simulator) -> Iterator[str]:
    with running_simulator(simulator) as base:
        yield base


@pytest.fixture
def sim(simulator: Simulator, simulator_url: str) -> Iterator[Simulator]:
    """The module's simulator, reset before the test and given its default scopes back afterwards."""
    simulator.reset()
    try:
        yield simulator
    finally:
        simulator.set_scopes(DEFAULT_SCOPES, revoke=False)
        simulator.reset()
