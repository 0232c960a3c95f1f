"""Soak (opt-in): mixed tool calls against ONE server process over stdio for N seconds, sampling its RSS.

The server is the production command (``zoom-rooms-mcp serve`` over stdio, configured by ``ZOOM_*``
variables) talking to the simulator in a process of its own, so the RSS measured is the server's alone (in
demo mode the simulator, with its request log, would live inside it). Its caches expire during the run
(room status after 30 s, devices after 120 s), so the soak exercises refreshes and fan-outs, not only cache
hits. The simulator's limits are scaled ×10 so that even an hour-long soak stays inside Zoom's daily quota;
the server still paces at the real business-plan rates. Memory is called stable when the median RSS of the
last third of the samples is within ``max(GROWTH_MB, GROWTH_SHARE)`` of the first third's.
"""

from __future__ import annotations

import itertools
import statistics
import time
from pathlib import Path
from typing import Any

import anyio
import psutil
from mcp import Client

from bench.measure import BenchError, call, text_of
from bench.remote_sim import RemoteSimulator
from bench.startup import server_command, spawn

CALL_TIMEOUT = 120.0
MAX_CALLS = 1_000_000
ROOMS = 150
SIM_RATE_SCALE = 10.0
GROWTH_MB = 5.0
GROWTH_SHARE = 0.05
CITIES = ("Seattle", "Denver", "Munchen", "London", "San Jose", "Montreal")
PHRASES = ("seattle building 2 floor 3", "Bldg 2, 3rd floor, Denver", "SEA / B2 / L3", "Denvr", "munich campus")


async def run(*, seconds: float, workdir: Path) -> dict[str, Any]:
    command, label = server_command(demo=False)
    await anyio.Path(workdir).mkdir(parents=True, exist_ok=True)
    samples: list[tuple[float, float]] = []
    calls = errors = 0
    first_error: str | None = None
    with (
        RemoteSimulator(rooms=ROOMS, plan="business", rate_scale=SIM_RATE_SCALE) as sim,
        (workdir / "soak-stderr.log").open("w", encoding="utf-8") as errlog,
    ):
        async with spawn(command, workdir, errlog, _environment(sim, workdir)) as client:
            process = _server_process()
            plan = await _plan(client)
            for tool, args in plan:  # warm-up: one pass over every kind of call
                await _call(client, tool, args)
            start = time.monotonic()
            deadline = start + seconds
            interval = max(1.0, seconds / 60)

            async def sample() -> None:
                while time.monotonic() < deadline:
                    samples.append((time.monotonic() - start, process.memory_info().rss / 2**20))
                    await anyio.sleep(interval)

            async with anyio.create_task_group() as tg:
                tg.start_soon(sample)
                for tool, args in itertools.islice(itertools.cycle(plan), MAX_CALLS):
                    if time.monotonic() >= deadline:
                        break
                    error = await _call(client, tool, args)
                    calls += 1
                    if error is not None:
                        errors += 1
                        first_error = first_error or error
            samples.append((time.monotonic() - start, process.memory_info().rss / 2**20))
            elapsed = time.monotonic() - start
    setup = {
        "server_command": label,
        "seconds": seconds,
        "distinct_calls": len(plan),
        "rooms": ROOMS,
        "simulator": f"own process, business plan, limits ×{SIM_RATE_SCALE:g}",
    }
    return {"setup": setup} | _verdict(samples, calls, errors, first_error, elapsed)


def _environment(sim: RemoteSimulator, workdir: Path) -> dict[str, str]:
    """The server's configuration, as a user would set it (``http://`` is accepted for loopback)."""
    credentials = sim.credentials
    return {
        "ZOOM_ACCOUNT_ID": credentials.account_id,
        "ZOOM_CLIENT_ID": credentials.client_id,
        "ZOOM_CLIENT_SECRET": credentials.client_secret,
        "ZOOM_API_BASE_URL": f"{sim.base_url}/v2",
        "ZOOM_OAUTH_TOKEN_URL": f"{sim.base_url}/oauth/token",
        "ZOOM_API_PLAN": "business",
        "TOKEN_CACHE_DIR": str(workdir / "tokens"),
    }


def _server_process() -> psutil.Process:
    """The stdio server: our child process running zoom_rooms_mcp (the simulator's runs bench.remote_sim)."""
    for child in psutil.Process().children(recursive=True):
        if any("zoom_rooms_mcp" in part for part in child.cmdline()):
            return child
    raise BenchError("could not find the server process")


async def _plan(client: Client) -> list[tuple[str, dict[str, Any]]]:
    """A varied cycle of calls, with room names and ids taken from the account itself."""
    listing = await call(client, "get_zoom_rooms", {"limit": 40})
    rooms = listing["rooms"]
    plan: list[tuple[str, dict[str, Any]]] = [
        ("test_zoom_connection", {}),
        ("get_zoom_sites", {}),
        ("get_zoom_sites", {"query": "Seattle"}),
        ("get_zoom_rooms", {"status": "Offline"}),
        ("get_zoom_rooms", {"name_query": "a", "limit": 10}),
        ("get_fleet_health", {"location_query": "Denver"}),
        ("get_fleet_health", {"location_query": "London", "include_devices": False}),
    ]
    plan += [("get_zoom_rooms", {"location_query": city}) for city in CITIES]
    plan += [("resolve_location", {"query": phrase}) for phrase in PHRASES]
    for index, room in enumerate(rooms[:20]):
        # Alternate names and ids: both lookup paths.
        plan.append(("get_room_details", {"room": room["name"] if index % 2 else room["id"]}))
        if index % 4 == 0:
            plan.append(("get_room_issues", {"room": room["id"], "days": 7}))
    return plan


async def _call(client: Client, tool: str, args: dict[str, Any]) -> str | None:
    """One call; a tool error is counted, not fatal (the soak is about the process staying healthy)."""
    with anyio.fail_after(CALL_TIMEOUT):
        result = await client.call_tool(tool, args)
    return f"{tool}: {text_of(result)}" if result.is_error else None


def _verdict(
    samples: list[tuple[float, float]], calls: int, errors: int, first_error: str | None, elapsed: float
) -> dict[str, Any]:
    rss = [mb for _, mb in samples]
    third = max(1, len(rss) // 3)
    early, late = statistics.median(rss[:third]), statistics.median(rss[-third:])
    growth = late - early
    slope = _slope(samples) * 60 if len(samples) > 2 else 0.0
    return {
        "elapsed_s": round(elapsed, 1),
        "calls": calls,
        "calls_per_s": round(calls / elapsed, 1) if elapsed else None,
        "tool_errors": errors,
        "first_error": first_error,
        "rss_mb": {
            "start": round(rss[0], 1),
            "end": round(rss[-1], 1),
            "max": round(max(rss), 1),
            "first_third_median": round(early, 1),
            "last_third_median": round(late, 1),
        },
        "growth_mb": round(growth, 2),
        "slope_mb_per_min": round(slope, 3),
        "stable": growth <= max(GROWTH_MB, GROWTH_SHARE * early),
        "samples": [[round(t, 1), round(mb, 2)] for t, mb in samples],
    }


def _slope(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope (MB per second)."""
    times = [t for t, _ in samples]
    values = [mb for _, mb in samples]
    mean_t, mean_v = statistics.fmean(times), statistics.fmean(values)
    spread = sum((t - mean_t) ** 2 for t in times)
    return sum((t - mean_t) * (v - mean_v) for t, v in samples) / spread if spread else 0.0
