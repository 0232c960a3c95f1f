"""(c) ``get_fleet_health`` fan-out at a real rate limit: the Pro plan's Medium category (20 requests/s).

The simulator (own process, loopback) enforces the limit at scale 1.0 and counts 429s; the server paces
its requests at 85 % of the limit. Elapsed time is compared with the bound the limit sets, and the device
phase's achieved rate is taken from the tool's MCP progress notifications.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import anyio

from bench.measure import Stopwatch, call, connect, ratio, settings_for
from bench.remote_sim import RemoteSimulator
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS, RATE_LIMITS, Category, Plan
from zoom_rooms_mcp.zoom.pacing import SAFETY_MARGIN

PLAN: Plan = "pro"
CALL_TIMEOUT = 120.0


async def run(*, rooms: int, repeats: int, workdir: Path) -> dict[str, Any]:
    limit = RATE_LIMITS[PLAN][Category.MEDIUM].per_second
    runs = []
    with RemoteSimulator(rooms=rooms, plan=PLAN) as sim:
        for rep in range(repeats):
            sim.reset()  # also empties the simulator's rate-limit windows
            runs.append(await _one(sim, workdir / f"fanout-{rep}", limit))
    return {
        "setup": {
            "rooms": rooms,
            "plan": PLAN,
            "medium_limit_per_s": limit,
            "client_pacing_per_s": round(limit * SAFETY_MARGIN, 2),
            "rate_scale": 1.0,
            "transport": "loopback HTTP to the simulator in its own process, limits enforced",
            "repeats": repeats,
        },
        "runs": runs,
        "median_elapsed_s": round(statistics.median(r["elapsed_s"] for r in runs), 2),
        "median_elapsed_to_bound": ratio(
            statistics.median(r["elapsed_s"] for r in runs), statistics.median(r["bound_s"] for r in runs)
        ),
        "total_429": sum(r["rate_limited_429"] for r in runs),
    }


async def _one(sim: RemoteSimulator, cache_dir: Path, limit: float) -> dict[str, Any]:
    progress: list[tuple[float, float]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((time.perf_counter(), done))

    settings = settings_for(sim.credentials, PLAN, cache_dir, base_url=sim.base_url)
    async with connect(settings, rate_scale=1.0) as client:
        with Stopwatch() as elapsed, anyio.fail_after(CALL_TIMEOUT):
            report = await call(
                client, "get_fleet_health", {"include_devices": True, "limit": 50}, progress_callback=on_progress
            )
    stats = sim.stats()
    by_endpoint: dict[str, int] = stats["by_endpoint"]
    devices = by_endpoint.get("list_devices", 0)
    medium = sum(n for key, n in by_endpoint.items() if key in ENDPOINTS and ENDPOINTS[key].category is Category.MEDIUM)
    (start, _), (end, done) = progress[0], progress[-1]
    device_phase = end - start
    return {
        "elapsed_s": round(elapsed.ms / 1000, 2),
        "device_requests": devices,
        "medium_requests": medium,
        "bound_s": round(devices / limit, 2),  # what the limit allows for the device requests alone
        "elapsed_to_bound": ratio(elapsed.ms / 1000, devices / limit),
        "device_phase_s": round(device_phase, 2),
        "achieved_device_rate_per_s": round(done / device_phase, 2) if device_phase > 0 else None,
        "rate_limited_429": stats["rate_limited"],
        "peak_in_flight": stats["peak_in_flight"],
        "upstream_requests": stats["total_requests"],
        "by_endpoint": by_endpoint,
        "summary": report["summary"],
        "sources": report["sources"],
        "notes": report["notes"],
    }
