"""Building the fleet engine (service + store + sync) on the simulator, without an MCP server around it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio

from tests.harness import RATE_SCALE, settings_for
from zoom_rooms_mcp.fleet.reader import ZoomReader
from zoom_rooms_mcp.fleet.service import FleetService, Targets
from zoom_rooms_mcp.fleet.sync import Cadence, SyncEngine
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.store import open_store
from zoom_rooms_mcp.store.api import Store
from zoom_rooms_mcp.zoom.stack import open_zoom_stack

# Fast timings for tests: the same rules as production, seconds instead of minutes.
FAST = Cadence(
    rooms=0.2,
    tree=0.5,
    min_device_cycle=1.0,
    min_dashboard_cycle=0.5,
    follow=0.05,
    leader_retry=0.1,
    leader_check=0.1,
    status=0.05,
    backoff_initial=0.05,
    backoff_max=0.2,
)


@dataclass
class Engine:
    fleet: FleetService
    store: Store
    sync: SyncEngine


@asynccontextmanager
async def engine(
    sim: Simulator,
    tmp_path: Path,
    *,
    store_url: str = "memory",
    cadence: Cadence = FAST,
    targets: Targets | None = None,
    clock: Callable[[], float] | None = None,
) -> AsyncIterator[Engine]:
    """A fleet service on ``sim`` with its store; the sync is built but not started (see ``syncing``)."""
    settings = settings_for(sim, tmp_path / "tokens")
    async with open_zoom_stack(settings, transport=sim.transport(), rate_scale=RATE_SCALE) as stack:
        store = await open_store(store_url, account_id=sim.credentials.account_id, data_dir=tmp_path)
        now = clock or time.time
        fleet = FleetService(ZoomReader(stack.client, now), store, targets=targets, clock=now)
        await fleet.load()
        sync = SyncEngine(fleet, store, share=0.5, cadence=cadence, clock=now)
        try:
            yield Engine(fleet, store, sync)
        finally:
            await sync.close()
            await store.close()


@asynccontextmanager
async def syncing(sync: SyncEngine) -> AsyncIterator[None]:
    async with anyio.create_task_group() as tg:
        tg.start_soon(sync.run)
        yield
        tg.cancel_scope.cancel()


async def until(fleet: FleetService, predicate: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait, bounded, for a condition the background sync brings about: re-checked at each fleet change."""
    with anyio.fail_after(seconds):
        while not predicate():
            await fleet.changed()
