"""(a) Concurrent cold ``get_zoom_rooms`` calls: the seed design versus this server, side by side.

Both run against one simulator on loopback (its own process) with the same injected latency, behind the same
SDK's in-memory client with output re-validation off. Each repetition starts cold: a new server (empty caches,
no token in memory) and a new, empty token cache directory; the two sides alternate which goes first, so that
machine noise falls on both.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from bench.measure import BenchError, Stopwatch, call, connect, ratio, settings_for, skip_output_validation, summary
from bench.remote_sim import RemoteSimulator
from bench.seed_baseline import SeedConfig, create_seed_server
from zoom_rooms_mcp.simulator import generate_fleet

CALL_TIMEOUT = 60.0
Connector = Callable[[Path], AbstractAsyncContextManager[Client]]


@dataclass(frozen=True, slots=True)
class Side:
    name: str
    connect: Connector
    args: dict[str, Any]


@dataclass(slots=True)
class Burst:
    """One round of concurrent calls and what the simulator saw meanwhile."""

    latencies_ms: list[float]
    wall_ms: float
    token_requests: int
    api_requests: int
    rooms_returned: list[int]
    failures: list[str]


async def run(*, rooms: int, latency: float, concurrency: int, repeats: int, workdir: Path) -> dict[str, Any]:
    total = len(generate_fleet(rooms, 7).rooms)
    with RemoteSimulator(rooms=rooms, seed=7) as sim:
        sides = (_server_side(sim), _seed_side(sim))
        cold: dict[str, list[Burst]] = {side.name: [] for side in sides}
        warm: dict[str, list[Burst]] = {side.name: [] for side in sides}
        alone: dict[str, list[Burst]] = {side.name: [] for side in sides}
        for rep in range(repeats):
            for side in sides if rep % 2 == 0 else sides[::-1]:
                async with side.connect(workdir / f"{side.name}-{rep}") as client:
                    cold[side.name].append(await _burst(sim, latency, client, side, concurrency))
                    # The same server again, within the server's 30 s room-status TTL and the token's life.
                    warm[side.name].append(await _burst(sim, latency, client, side, concurrency))
                # One cold call with nothing else going on: the critical path of round trips, undiluted.
                async with side.connect(workdir / f"{side.name}-{rep}-alone") as client:
                    alone[side.name].append(await _burst(sim, latency, client, side, 1))
        # Zoom revokes the token (app deactivated and re-activated, secret rotated): fresh processes find the
        # rejected token in their cache file. The server must drop it from disk too; the seed reloads it.
        sim.revoke_tokens()
        revoked: dict[str, Burst] = {}
        for side in sides:
            async with side.connect(workdir / f"{side.name}-{repeats - 1}") as client:
                revoked[side.name] = await _burst(sim, latency, client, side, concurrency)
    result: dict[str, Any] = {
        "setup": {
            "rooms": total,
            "injected_latency_ms": latency * 1000,
            "concurrency": concurrency,
            "repeats": repeats,
            "transport": "loopback HTTP to the simulator in its own process",
            "server_args": sides[0].args,
        },
        "cold": {name: _aggregate(bursts, total) for name, bursts in cold.items()},
        "warm": {name: _aggregate(bursts, total) for name, bursts in warm.items()},
        "cold_single_call": {name: _aggregate(bursts, total) for name, bursts in alone.items()},
        "after_revocation": {name: _aggregate([burst], total) for name, burst in revoked.items()},
    }
    for phase in ("cold", "warm", "cold_single_call"):
        server, seed = result[phase]["server"], result[phase]["seed"]
        result[phase]["ratio_server_to_seed"] = {
            "median_latency": ratio(server["latency_ms"]["median"], seed["latency_ms"]["median"]),
            "p95_latency": ratio(server["latency_ms"]["p95"], seed["latency_ms"]["p95"]),
            "upstream_requests": ratio(server["upstream_requests"], seed["upstream_requests"]),
        }
    return result


def _server_side(sim: RemoteSimulator) -> Side:
    @asynccontextmanager
    async def open_server(cache_dir: Path) -> AsyncIterator[Client]:
        async with connect(settings_for(sim.credentials, sim.plan, cache_dir, base_url=sim.base_url)) as client:
            skip_output_validation(client)
            yield client

    # limit=500: the whole 150-room fleet in one answer, to compare "list all rooms" with the seed.
    return Side("server", open_server, {"limit": 500})


def _seed_side(sim: RemoteSimulator) -> Side:
    @asynccontextmanager
    async def open_seed(cache_dir: Path) -> AsyncIterator[Client]:
        credentials = sim.credentials
        config = SeedConfig(
            account_id=credentials.account_id,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            token_url=f"{sim.base_url}/oauth/token",
            api_base_url=f"{sim.base_url}/v2",
            cache_dir=cache_dir,
        )
        async with Client(create_seed_server(config), cache=None) as client:
            skip_output_validation(client)
            yield client

    return Side("seed", open_seed, {})


async def _burst(sim: RemoteSimulator, latency: float, client: Client, side: Side, concurrency: int) -> Burst:
    sim.reset(latency)
    latencies: list[float] = []
    returned: list[int] = []
    failures: list[str] = []

    async def one() -> None:
        started = time.perf_counter()
        try:
            with anyio.fail_after(CALL_TIMEOUT):
                content = await call(client, "get_zoom_rooms", side.args)
            returned.append(len(content["rooms"]))
        except (BenchError, TimeoutError) as exc:
            failures.append(str(exc)[:200])
        latencies.append((time.perf_counter() - started) * 1000)

    with Stopwatch() as wall:
        async with anyio.create_task_group() as tg:
            for _ in range(concurrency):
                tg.start_soon(one)
    stats = sim.stats()
    return Burst(
        latencies_ms=latencies,
        wall_ms=wall.ms,
        token_requests=stats["token_requests"],
        api_requests=stats["total_requests"] - stats["token_requests"],
        rooms_returned=returned,
        failures=failures,
    )


def _aggregate(bursts: list[Burst], total: int) -> dict[str, Any]:
    """Per-call latencies pooled over repetitions; request counts per burst (an observed median, and the range)."""
    tokens = [b.token_requests for b in bursts]
    api = [b.api_requests for b in bursts]
    returned = [n for b in bursts for n in b.rooms_returned]
    failures = [f for b in bursts for f in b.failures]
    calls = sum(len(b.latencies_ms) for b in bursts)
    return {
        "latency_ms": summary([ms for b in bursts for ms in b.latencies_ms]),
        "burst_wall_ms": summary([b.wall_ms for b in bursts]),
        "token_requests": statistics.median_low(tokens),
        "token_requests_range": [min(tokens), max(tokens)],
        "api_requests": statistics.median_low(api),
        "upstream_requests": statistics.median_low([t + a for t, a in zip(tokens, api, strict=True)]),
        "rooms_returned": min(returned) if returned else 0,
        "rooms_total": total,
        "complete": bool(returned) and min(returned) == total,
        "calls": calls,
        "failed_calls": len(failures),
        "first_failure": failures[0] if failures else None,
    }
