"""Replicas on PostgreSQL beside one process on SQLite, in one run: ``python -m bench.replicas [--calls N]``.

Prints one JSON object:

* ``server_time``: ``--calls`` concurrent ``get_zoom_rooms`` calls (stateless JSON-RPC ``tools/call`` POSTs,
  answered from the store once the sync is current) against one SQLite process, then spread over three
  PostgreSQL replicas. Server time is what each replica's access log says the request took; the client's wall
  time per call is given too. ``ratio`` = PostgreSQL median / SQLite median.
* ``failover_seconds``: ``kill -9`` of the leader until another replica reports ``store.sync.leader``.
* ``budget``: Zoom requests (counted at the simulator) in the same window after start-up, one replica against
  three: with one syncer and one token for the deployment they should be about equal.

Real processes throughout: a PostgreSQL server started in a temporary directory (tests/pg.py), the simulator in its
own process (bench/remote_sim.py), and ``zoom-rooms-mcp serve --transport http`` replicas (tests/replicas).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from tests.pg import PgServer, find_pg_bin
from tests.replicas.cluster import BEARER, Replica, eventually, replica_env, replicas, sync_report

from bench.measure import BenchError, ratio, summary
from bench.remote_sim import RemoteSimulator

ROOMS = 150
WINDOW = 30.0  # seconds of sync counted for the budget
SERVER_TIME = re.compile(r'"POST /mcp HTTP/1\.1" 200 ([\d.]+)ms')
QUERY = {"location_query": "Seattle"}


@contextmanager
def postgres() -> Iterator[PgServer]:
    bindir = find_pg_bin()
    if bindir is None:
        raise BenchError("PostgreSQL is not installed (initdb/pg_ctl); .ci/run installs Debian's postgresql")
    server = PgServer(bindir)
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


def server_times(group: list[Replica], since: list[int]) -> list[float]:
    """Durations of the ``POST /mcp`` requests each replica logged after offset ``since[i]`` of its log."""
    out: list[float] = []
    for replica, offset in zip(group, since, strict=True):
        out += [float(m.group(1)) for m in SERVER_TIME.finditer(replica.log()[offset:])]
    return out


async def current(group: list[Replica]) -> None:
    """Wait until every replica sees a complete, current fleet (so calls answer from the store)."""

    async def ready() -> bool | None:
        reports = [await sync_report(replica) for replica in group]
        return True if all(r["state"] == "current" for r in reports) else None

    await eventually(ready, within=300)


async def burst(group: list[Replica], calls: int) -> dict[str, Any]:
    """``calls`` concurrent tools/call POSTs, round-robin over ``group``; server and client time per call."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_zoom_rooms", "arguments": QUERY}}
    headers = {
        "Authorization": f"Bearer {BEARER}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    walls: list[float] = []
    limits = httpx2.Limits(max_connections=calls, max_keepalive_connections=calls)
    async with httpx2.AsyncClient(timeout=120, limits=limits) as http:

        async def one(index: int) -> None:
            started = time.perf_counter()
            response = await http.post(group[index % len(group)].url, json=body, headers=headers)
            walls.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or '"isError":true' in response.text:
                raise BenchError(f"tools/call failed: HTTP {response.status_code}")

        await one(0)  # warm: connections, imports, caches
        since = [len(replica.log()) for replica in group]
        walls.clear()
        async with anyio.create_task_group() as tg:
            for index in range(calls):
                tg.start_soon(one, index)

    # The access log line is written when the response ends: give the last lines a moment to reach the file.
    async def logged() -> list[float] | None:
        times = server_times(group, since)
        return times if len(times) >= calls else None

    times = await eventually(logged, within=10)
    return {"server_ms": summary(times), "client_ms": summary(walls), "replicas": len(group)}


async def failover(group: list[Replica]) -> float:
    """Seconds from ``kill -9`` of the leader until another replica reports that it leads."""

    async def leader(among: list[Replica]) -> Replica | None:
        for replica in among:
            if (await sync_report(replica))["leader"]:
                return replica
        return None

    old = await eventually(lambda: leader(group), within=60)
    old.proc.kill()
    killed = time.monotonic()
    await eventually(lambda: leader([r for r in group if r is not old]), within=60)
    return round(time.monotonic() - killed, 2)


def window_requests(sim: RemoteSimulator, count: int, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Zoom requests in the ``WINDOW`` seconds from the launch of ``count`` replicas on a fresh database (the
    first, full sync of the fleet falls inside it)."""
    sim.reset()
    launched = time.monotonic()
    with replicas(count, env, cwd):
        listening = time.monotonic() - launched
        time.sleep(max(0.0, WINDOW - (time.monotonic() - launched)))
        stats = sim.stats()
    return {
        "total_requests": int(stats["total_requests"]),
        "token_requests": int(stats["token_requests"]),
        "all_listening_after_s": round(listening, 1),
    }


def run(calls: int) -> dict[str, Any]:
    results: dict[str, Any] = {"rooms": ROOMS, "calls": calls}
    with tempfile.TemporaryDirectory(prefix="zrm-bench-replicas-") as tmp_name, postgres() as pg:
        tmp = Path(tmp_name)
        with RemoteSimulator(rooms=ROOMS) as sim:
            # 1. Rate-limit budget: one replica, then three, each on a fresh database, same window.
            budget: dict[str, Any] = {"window_seconds": WINDOW}
            for count in (1, 3):
                env = replica_env(tmp, sim.base_url, pg.database())
                budget[f"replicas_{count}"] = window_requests(sim, count, env, tmp)
            one, three = budget["replicas_1"]["total_requests"], budget["replicas_3"]["total_requests"]
            budget["ratio"] = ratio(three, one)
            results["budget"] = budget
            print(json.dumps({"budget": budget}), file=sys.stderr)

            # 2. Server time: one SQLite process, then three PostgreSQL replicas, same fleet, same calls.
            sqlite_env = replica_env(tmp, sim.base_url, f"sqlite:///{tmp / 'fleet.sqlite3'}")
            with replicas(1, sqlite_env, tmp) as group:
                anyio.run(current, group)
                sqlite = anyio.run(burst, group, calls)
            print(json.dumps({"sqlite": sqlite}), file=sys.stderr)
            env = replica_env(tmp, sim.base_url, pg.database())
            with replicas(3, env, tmp) as group:
                anyio.run(current, group)
                pg_three = anyio.run(burst, group, calls)
                # 3. Failover: kill -9 the leader of those three.
                results["failover_seconds"] = anyio.run(failover, group)
            results["server_time"] = {
                "sqlite_1_process": sqlite,
                "postgresql_3_replicas": pg_three,
                "ratio": ratio(pg_three["server_ms"]["median"], sqlite["server_ms"]["median"]),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=100, help="concurrent calls per burst")
    args = parser.parse_args()
    print(json.dumps(run(args.calls), indent=2))


if __name__ == "__main__":
    main()
