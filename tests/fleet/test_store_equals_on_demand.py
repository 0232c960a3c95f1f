"""An answer from the store (kept current by the background sync) equals the answer read from Zoom on demand,
on random fleets: the store changes where answers come from, never what they say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from pydantic import SecretStr

from tests.fleet.engine import FAST, until
from tests.harness import RATE_SCALE, call, settings_for, simulator
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.server import create_server

# What differs by design between the two: when Zoom was read, and the notes that say how.
VOLATILE = frozenset({"freshness", "data_as_of", "notes", "store", "message", "token_expires_in", "token_cached"})

QUESTIONS: list[tuple[str, dict[str, Any]]] = [
    ("get_fleet_health", {"limit": 500}),
    ("get_fleet_health", {"location_query": "Seattle", "problem": "outdated"}),
    ("get_zoom_rooms", {"location_query": "Denver", "limit": 500}),
    ("get_zoom_rooms", {"status": "offline", "limit": 500}),
    ("get_zoom_sites", {"level": "city"}),
]


def stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


async def answers(client: Client) -> list[Any]:
    return [stable(await call(client, tool, args)) for tool, args in QUESTIONS]


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rooms=st.integers(min_value=20, max_value=160), seed=st.integers(min_value=0, max_value=10_000))
def test_answers_from_the_store_equal_answers_read_on_demand(tmp_path: Path, rooms: int, seed: int) -> None:
    sim = simulator(rooms=rooms, seed=seed)

    async def main() -> tuple[list[Any], list[Any]]:
        base = settings_for(sim, tmp_path / "tokens")
        synced = base.model_copy(update={"zoom_rooms_sync": True, "zoom_rooms_store": SecretStr("memory")})
        live: list[AppContext] = []
        with_store = create_server(synced, transport=sim.transport(), rate_scale=RATE_SCALE, cadence=FAST, live=live)
        on_demand = create_server(base, transport=sim.transport(), rate_scale=RATE_SCALE)
        async with Client(with_store) as stored:
            service, sync = live[-1].service, live[-1].sync
            await until(service, lambda: sync.report()["state"] == "current")
            from_store = await answers(stored)
        async with Client(on_demand) as fresh:
            read_now = await answers(fresh)
        return from_store, read_now

    from_store, read_now = anyio.run(main)
    assert from_store == read_now
