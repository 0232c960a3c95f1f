"""(f) The fleet store and its background sync at 1,000 → 20,000 rooms (issue 9), and webhooks into SQLite (issue 11).

For each fleet size, against the simulator in its own process with Business limits enforced, time-scaled ×10
on both sides (the simulator's limits and the server's pacer: every rate and bound below is in those units):

1. **First full sync** in a real server process: ``python -m bench.fleet --serve`` is ``zoom-rooms-mcp serve``
   over stdio (same ``create_server``, same settings from ``ZOOM_*`` variables, a SQLite store in a temp dir)
   with the pacer's ``rate_scale`` as its only difference. The benchmark follows the store from its own process
   (as a second server would) until every room is listed, every active room's devices are read and the
   Dashboard list is read (the sync's own "current"), and samples the server's RSS on the way. The bound is
   the issue's: device requests ÷ (share × Medium limit); 429s are the simulator's count.
2. **Restart:** the production command (``python -m zoom_rooms_mcp``, real pacing) on the same store; the time
   from spawning it to its first complete whole-fleet ``get_fleet_health``, and whether it asked Zoom.
3. **Server time per page**, in process: ``create_server`` on the same store, reached through the SDK's
   in-memory ``Client``, with a Zoom that refuses every request (an answer must come from the store) and the
   server's clock set to just after the sync (so the store is current however long the run has taken).
   Server time = the server's ``call_tool`` (argument validation, the tool, the structured and JSON result),
   timed by wrapping it; the round trip through the client and a no-op tool's round trip are reported too.
   Also the in-process restart: lifespan (open and load the store) plus the first complete answer.
4. **Store file** size (database + WAL) after the sync.

Then, on the largest store, issue 11: sustained webhook ingest into SQLite (``bench.webhooks``' ``sqlite``
sink: ``FleetWebhookSink`` over a ``FleetService``) next to the in-memory sink, 200 concurrent deliveries, and
how soon a delivered alert is visible from another process: in the store and through ``get_room_alerts``.

``python -m bench.fleet --serve --rate-scale X`` is the server process of step 1 (not for users).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import httpx2
import psutil
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

from bench import webhooks
from bench.measure import BenchError, call, ratio, settings_for, skip_output_validation, summary
from bench.remote_sim import RemoteSimulator
from bench.startup import server_command, spawn
from zoom_rooms_mcp.fleet.state import FleetState
from zoom_rooms_mcp.server import create_server
from zoom_rooms_mcp.simulator import SimCredentials
from zoom_rooms_mcp.store import open_store
from zoom_rooms_mcp.store.api import EventQuery, Store
from zoom_rooms_mcp.zoom.catalog import RATE_LIMITS, Category, Plan
from zoom_rooms_mcp.zoom.pacing import SYNC_MARGIN

RATE_SCALE = 10.0
SHARE = 0.5  # ZOOM_ROOMS_SYNC_SHARE's default
PLAN: Plan = "business"
MEDIUM_LIMIT = RATE_LIMITS[PLAN][Category.MEDIUM].per_second
ACCOUNT = SimCredentials.account_id
POLL = 0.2  # seconds between looks at the store while the sync runs
LISTING_AGE_FOR_RESTART = 45.0  # restart only while the listing is this fresh (rooms target: 90 s)
RESTART_CALL_TIMEOUT = 30.0
ALERTS = 10  # alerts delivered for the visibility measurement (half read in the store, half by the tool)
VISIBLE_WITHIN = 5.0  # give up on an alert after this long
CITY = "Seattle"  # present at every fleet size (bench (e))
MB = 2**20
REPO = Path(__file__).resolve().parent.parent  # the server process of step 1 runs ``bench.fleet`` from here

TARGETS = {
    "sync_vs_bound": 1.2,
    "fleet_health_server_ms": 100.0,
    "zoom_rooms_server_ms": 20.0,
    "restart_answer_ms": 1000.0,
    "rss_mb": 250.0,
    "store_mb": 100.0,
    "webhook_events_per_s": 1000.0,
    "alert_visible_ms": 1000.0,
}


# --- the server process of step 1 ------------------------------------------------------------------


def serve(rate_scale: float) -> None:
    """``zoom-rooms-mcp serve`` over stdio, with the pacer scaled like the simulator's limits."""
    from zoom_rooms_mcp.cli.common import setup_logging
    from zoom_rooms_mcp.settings import load_settings

    setup_logging("WARNING")
    create_server(load_settings(demo=False), rate_scale=rate_scale).run("stdio")


# --- helpers ---------------------------------------------------------------------------------------


def child(marker: str) -> psutil.Process:
    """Our child process whose command line contains ``marker``."""
    for process in psutil.Process().children(recursive=True):
        try:
            if any(marker in part for part in process.cmdline()):
                return process
        except psutil.NoSuchProcess:
            continue
    raise BenchError(f"no child process running {marker}")


def environment(sim: RemoteSimulator, workdir: Path, store_url: str) -> dict[str, str]:
    """The server's configuration, as a user sets it (``http://`` is accepted for loopback)."""
    credentials = sim.credentials
    return {
        "ZOOM_ACCOUNT_ID": credentials.account_id,
        "ZOOM_CLIENT_ID": credentials.client_id,
        "ZOOM_CLIENT_SECRET": credentials.client_secret,
        "ZOOM_API_BASE_URL": f"{sim.base_url}/v2",
        "ZOOM_OAUTH_TOKEN_URL": f"{sim.base_url}/oauth/token",
        "ZOOM_API_PLAN": PLAN,
        "TOKEN_CACHE_DIR": str(workdir / "tokens"),
        "ZOOM_ROOMS_STORE": store_url,
        "ZOOM_ROOMS_SYNC": "true",
        "ZOOM_ROOMS_SYNC_SHARE": str(SHARE),
        "PYTHONPATH": str(REPO),
    }


def active_rooms(state: FleetState) -> int:
    return sum(1 for room in state.rooms.values() if room.status != "UnderConstruction")


def synced(state: FleetState, rooms: int) -> bool:
    """The sync's "current": every room listed, every active room's devices read, the Dashboard list read."""
    if state.rooms_read_at is None or state.dashboard_read_at is None or len(state.rooms) < rooms:
        return False
    return all(room_id in state.devices for room_id, r in state.rooms.items() if r.status != "UnderConstruction")


def _milestones(state: FleetState, rooms: int) -> dict[str, bool]:
    listed = state.rooms_read_at is not None and len(state.rooms) >= rooms
    active = [room_id for room_id, r in state.rooms.items() if r.status != "UnderConstruction"]
    return {
        "rooms_listed": listed,
        "first_devices": bool(state.devices),
        "devices_done": listed and all(room_id in state.devices for room_id in active),
        "dashboard_done": state.dashboard_read_at is not None,
    }


def _phase_rate(milestones: dict[str, float], device_requests: int) -> float | None:
    """Device requests per second between the first and the last device reading seen."""
    if "first_devices" not in milestones or "devices_done" not in milestones:
        return None
    span = milestones["devices_done"] - milestones["first_devices"]
    return round(device_requests / span, 1) if span > 0 else None


def store_size(path: Path) -> dict[str, float]:
    sizes = {
        suffix or "db": Path(f"{path}{suffix}").stat().st_size / MB
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    }
    return {key: round(value, 2) for key, value in {**sizes, "total": sum(sizes.values())}.items()}


def endpoint_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    old, new = before["by_endpoint"], after["by_endpoint"]
    return {key: new[key] - old.get(key, 0) for key in new if new[key] != old.get(key, 0)}


def complete_answer(health: dict[str, Any], rooms: int, active: int) -> bool:
    coverage = health["coverage"]
    return bool(
        coverage["rooms"] == rooms
        and coverage["devices_checked"] == active
        and coverage["dashboard_checked"] == active
        and health["summary"]["by_health"].get("unknown", 0) == rooms - active
    )


@dataclass
class Timer:
    """Server time of each tool call: ``MCPServer.call_tool`` wrapped (validation, the tool, the result)."""

    last_ms: float = 0.0
    by_tool: dict[str, list[float]] = field(default_factory=dict)


def instrument(server: MCPServer) -> Timer:
    timer = Timer()
    original = server.call_tool

    async def timed(name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        start = time.perf_counter()
        try:
            return await original(name, arguments, context)
        finally:
            timer.last_ms = (time.perf_counter() - start) * 1000

    server.call_tool = timed  # type: ignore[method-assign]

    async def bench_noop() -> str:
        """Does nothing: the client's and the SDK's own cost of a call."""
        return "ok"

    server.add_tool(bench_noop)
    return timer


def shifted_clock(rooms_read_at: float) -> Callable[[], float]:
    """A wall clock that reads one second after the last listing at the moment it is made, then runs on."""
    shift = time.time() - (rooms_read_at + 1.0)
    return lambda: time.time() - shift


def reader_settings(store_url: str, workdir: Path) -> Any:
    """A server on the store that never syncs (another process's store is being measured)."""
    base = settings_for(SimCredentials(), PLAN, workdir / "tokens")
    return base.model_copy(update={"zoom_rooms_store": SecretStr(store_url), "zoom_rooms_sync": False})


# --- step 1: the first full sync in a real server process --------------------------------------------


@dataclass
class SyncRun:
    figures: dict[str, Any]
    rooms_read_at: float
    active: int


async def first_sync(rooms: int, sim: RemoteSimulator, env: dict[str, str], workdir: Path, url: str) -> SyncRun:
    command = [sys.executable, "-m", "bench.fleet", "--serve", "--rate-scale", str(RATE_SCALE)]
    sim.reset()
    bound_guess = rooms / (SHARE * MEDIUM_LIMIT * RATE_SCALE)
    with (workdir / "sync-stderr.log").open("w", encoding="utf-8") as errlog:
        async with spawn(command, workdir, errlog, env):
            started = time.perf_counter()
            server, simulator = child("bench.fleet"), child("bench.remote_sim")
            server_cpu, sim_cpu = sum(server.cpu_times()[:2]), sum(simulator.cpu_times()[:2])
            store = await open_store(url, account_id=ACCOUNT)
            try:
                state = FleetState()
                state.apply(await store.load())
                peak = 0
                milestones: dict[str, float] = {}
                with anyio.fail_after(bound_guess * 4 + 90):
                    while True:
                        peak = max(peak, server.memory_info().rss)
                        for name, reached in _milestones(state, rooms).items():
                            if reached and name not in milestones:
                                milestones[name] = round(time.perf_counter() - started, 1)
                        if synced(state, rooms):
                            break
                        await anyio.sleep(POLL)
                        state.apply(await store.changes(state.seq))
                elapsed = time.perf_counter() - started
                rss = server.memory_info().rss
                cpu = sum(server.cpu_times()[:2]) - server_cpu
                sim_used = sum(simulator.cpu_times()[:2]) - sim_cpu
                stats = sim.stats()
                # The restart (step 2) must find a listing within its 90 s target: wait for a recent one.
                with anyio.fail_after(120):
                    while state.rooms_read_at is None or time.time() - state.rooms_read_at > LISTING_AGE_FOR_RESTART:
                        await anyio.sleep(1.0)
                        state.apply(await store.changes(state.seq))
                rooms_read_at = state.rooms_read_at
                active = active_rooms(state)
            finally:
                await store.close()
    device_requests = stats["by_endpoint"].get("list_devices", 0)
    bound = device_requests / (SHARE * MEDIUM_LIMIT * RATE_SCALE)
    figures = {
        "elapsed_s": round(elapsed, 1),
        "bound_s": round(bound, 1),
        "vs_bound": ratio(elapsed, bound),
        "rate_limited_429": stats["rate_limited"],
        "requests": dict(sorted(stats["by_endpoint"].items())),
        "device_requests_per_s": round(device_requests / elapsed, 1),
        # When each part was first seen in the store (seconds from the server's start; POLL resolution).
        "milestones_s": milestones,
        "device_phase_per_s": _phase_rate(milestones, device_requests),
        "device_lane_per_s": round(SHARE * MEDIUM_LIMIT * RATE_SCALE * SYNC_MARGIN, 1),
        "server_rss_mb": round(rss / MB, 1),
        "server_peak_rss_mb": round(peak / MB, 1),
        "server_cpu_s": round(cpu, 1),
        "simulator_cpu_s": round(sim_used, 1),
    }
    return SyncRun(figures=figures, rooms_read_at=rooms_read_at, active=active)


# --- step 2: restart with the production command -------------------------------------------------------


async def restart(rooms: int, active: int, sim: RemoteSimulator, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    command, label = server_command(demo=False)
    before = sim.stats()
    with (workdir / "restart-stderr.log").open("w", encoding="utf-8") as errlog, anyio.fail_after(RESTART_CALL_TIMEOUT):
        started = time.perf_counter()
        async with spawn(command, workdir, errlog, env) as client:
            connected = time.perf_counter()
            skip_output_validation(client)
            health = await call(client, "get_fleet_health", {})
            answered = time.perf_counter()
            rss = child("zoom_rooms_mcp").memory_info().rss
    asked = endpoint_delta(before, sim.stats())
    return {
        "command": label,
        "spawn_to_initialized_ms": round((connected - started) * 1000),
        "first_call_ms": round((answered - connected) * 1000),
        "spawn_to_answer_ms": round((answered - started) * 1000),
        "complete": complete_answer(health, rooms, active),
        # The restarted server's own sync starts listing at once; the answer must not have needed devices.
        "device_or_dashboard_requests": sum(v for k, v in asked.items() if k in ("list_devices", "dashboard_rooms")),
        "rss_mb": round(rss / MB, 1),
    }


# --- step 3: server time per page, in process ----------------------------------------------------------


async def in_process(
    url: str, workdir: Path, rooms: int, active: int, rooms_read_at: float, *, calls: int, restarts: int
) -> dict[str, Any]:
    settings = reader_settings(url, workdir)
    clock = shifted_clock(rooms_read_at)
    zoom = webhooks.NoZoom()
    lifespan_ms: list[float] = []
    first_ms: list[float] = []
    first_server_ms: list[float] = []
    complete = True
    for _ in range(restarts):
        gc.collect()
        server = create_server(settings, transport=zoom, clock=clock)
        timer = instrument(server)
        started = time.perf_counter()
        async with Client(server, cache=None) as client:
            connected = time.perf_counter()
            skip_output_validation(client)
            health = await call(client, "get_fleet_health", {})
            answered = time.perf_counter()
        lifespan_ms.append((connected - started) * 1000)
        first_ms.append((answered - connected) * 1000)
        first_server_ms.append(timer.last_ms)
        complete = complete and complete_answer(health, rooms, active)

    gc.collect()
    server = create_server(settings, transport=zoom, clock=clock)
    timer = instrument(server)
    async with Client(server, cache=None) as client:
        skip_output_validation(client)
        health_cursor = (await call(client, "get_fleet_health", {}))["next_cursor"]
        rooms_cursor = (await call(client, "get_zoom_rooms", {}))["next_cursor"]
        plan: dict[str, tuple[str, dict[str, Any]]] = {
            "get_fleet_health whole fleet, page 1": ("get_fleet_health", {}),
            "get_fleet_health whole fleet, page 2": ("get_fleet_health", {"cursor": health_cursor}),
            f"get_fleet_health {CITY}": ("get_fleet_health", {"location_query": CITY}),
            "get_zoom_rooms whole fleet, page 1": ("get_zoom_rooms", {}),
            "get_zoom_rooms whole fleet, page 2": ("get_zoom_rooms", {"cursor": rooms_cursor}),
            f"get_zoom_rooms {CITY}": ("get_zoom_rooms", {"location_query": CITY}),
            "no-op tool": ("bench_noop", {}),
        }
        server_ms: dict[str, list[float]] = {label: [] for label in plan}
        round_trip_ms: dict[str, list[float]] = {label: [] for label in plan}
        for repetition in range(calls + 2):
            for label, (tool, args) in plan.items():  # round-robin: every call sees the same machine
                start = time.perf_counter()
                result = await client.call_tool(tool, args)
                elapsed = (time.perf_counter() - start) * 1000
                if result.is_error:
                    raise BenchError(f"{tool} failed")
                if repetition >= 2:  # two warm-up rounds
                    server_ms[label].append(timer.last_ms)
                    round_trip_ms[label].append(elapsed)
    noop = summary(round_trip_ms["no-op tool"])
    pages = {
        label: {
            "server_ms": summary(server_ms[label]),
            "round_trip_ms": summary(round_trip_ms[label]),
            "round_trip_minus_noop_ms": round(
                float(summary(round_trip_ms[label])["median"]) - float(noop["median"]), 2
            ),
        }
        for label in plan
    }
    return {
        "restart": {
            "lifespan_ms": summary(lifespan_ms),
            "first_call_ms": summary(first_ms),
            "first_call_server_ms": summary(first_server_ms),
            "total_ms": summary([a + b for a, b in zip(lifespan_ms, first_ms, strict=True)]),
            "complete": complete,
        },
        "pages": pages,
        "zoom_requests": zoom.attempts,
    }


# --- one fleet size --------------------------------------------------------------------------------------


async def one_size(rooms: int, workdir: Path, *, calls: int, restarts: int) -> tuple[dict[str, Any], Path, float]:
    await anyio.Path(workdir).mkdir(parents=True, exist_ok=True)
    path = workdir / "fleet.sqlite3"
    url = f"sqlite:///{path}"
    with RemoteSimulator(rooms=rooms, plan=PLAN, rate_scale=RATE_SCALE) as sim:
        env = environment(sim, workdir, url)
        sync = await first_sync(rooms, sim, env, workdir, url)
        size_after_sync = store_size(path)
        restarted = await restart(rooms, sync.active, sim, env, workdir)
    measured = await in_process(url, workdir, rooms, sync.active, sync.rooms_read_at, calls=calls, restarts=restarts)
    figures = {
        "rooms": rooms,
        "active_rooms": sync.active,
        "sync": sync.figures,
        "store_mb": size_after_sync,
        "restart_process": restarted,
        **measured,
    }
    return figures, path, sync.rooms_read_at


# --- issue 11: webhooks into SQLite ----------------------------------------------------------------------


async def alert_visibility(path: Path, workdir: Path, rooms_read_at: float) -> dict[str, Any]:
    """Alerts for real rooms, delivered one at a time to the ``sqlite`` sink in its own process on the fleet's
    store; how soon each is visible from this process, in the store itself or through ``get_room_alerts``."""
    url = f"sqlite:///{path}"
    clock = shifted_clock(rooms_read_at)  # the alerts' times, and the reading server's "now"
    answer_ms: list[float] = []
    in_store_ms: list[float] = []
    via_tool_ms: list[float] = []
    await anyio.Path(workdir).mkdir(parents=True, exist_ok=True)
    server = create_server(reader_settings(url, workdir), transport=webhooks.NoZoom(), clock=clock)
    store = await open_store(url, account_id=ACCOUNT)
    try:
        with webhooks.serving("sqlite", path.parent) as hook:
            async with httpx2.AsyncClient(timeout=10) as http, Client(server, cache=None) as client:
                skip_output_validation(client)
                listing = await call(client, "get_zoom_rooms", {"limit": ALERTS})
                for index, room_id in enumerate(r["id"] for r in listing["rooms"][:ALERTS]):
                    body, headers = webhooks.delivery(time.time(), room_id=room_id, alert_time=clock())
                    sent = time.perf_counter()
                    response = await http.post(hook, content=body, headers=headers)
                    answered = time.perf_counter()
                    if response.status_code != 200:
                        raise BenchError(f"alert delivery answered {response.status_code}")
                    answer_ms.append((answered - sent) * 1000)
                    if index % 2 == 0:
                        seen = await _until_visible(partial(_in_store, store, room_id, clock))
                        in_store_ms.append((seen - sent) * 1000)
                    else:
                        seen = await _until_visible(partial(_via_tool, client, room_id))
                        via_tool_ms.append((seen - sent) * 1000)
    finally:
        await store.close()
    return {
        "alerts": len(answer_ms),
        "answer_ms": summary(answer_ms),
        "visible_in_store_ms": summary(in_store_ms),
        "visible_via_get_room_alerts_ms": summary(via_tool_ms),
    }


async def _until_visible(check: Callable[[], Awaitable[bool]]) -> float:
    # Polling is the point: another process wrote it, and a reader learns of it only by looking.
    with anyio.fail_after(VISIBLE_WITHIN):
        while not await check():  # noqa: ASYNC110
            await anyio.sleep(0.005)
    return time.perf_counter()


async def _in_store(store: Store, room_id: str, clock: Callable[[], float]) -> bool:
    page = await store.events(EventQuery(since=clock() - 300, room_ids=frozenset({room_id}), limit=10))
    return any(event.source == "webhook" for event in page.events)


async def _via_tool(client: Client, room_id: str) -> bool:
    alerts = await call(client, "get_room_alerts", {"room": room_id, "since_minutes": 5})
    return any(event["source"] == "webhook" for event in alerts["events"])


async def webhook_figures(path: Path, workdir: Path, rooms_read_at: float, seconds: float) -> dict[str, Any]:
    sqlite = await webhooks.sustained("sqlite", workdir / "sqlite", seconds=seconds)
    memory = await webhooks.sustained("memory", workdir / "memory", seconds=seconds)
    return {
        "sustained": {"sqlite": sqlite, "memory": memory},
        "sqlite_vs_memory_http": ratio(sqlite["http_events_per_s"], memory["http_events_per_s"]),
        "burst_sqlite": await webhooks.burst("sqlite", workdir / "burst"),
        "visibility": await alert_visibility(path, workdir / "visibility", rooms_read_at),
    }


# --- the section -----------------------------------------------------------------------------------------


async def run(
    *, sizes: Sequence[int], calls: int, restarts: int, webhook_seconds: float, workdir: Path
) -> dict[str, Any]:
    by_size: dict[str, Any] = {}
    largest: tuple[Path, float] | None = None
    for rooms in sizes:
        figures, path, rooms_read_at = await one_size(rooms, workdir / f"rooms-{rooms}", calls=calls, restarts=restarts)
        by_size[str(rooms)] = figures
        largest = (path, rooms_read_at)
    assert largest is not None
    hooks = await webhook_figures(largest[0], workdir / "webhooks", largest[1], webhook_seconds)
    return {
        "setup": {
            "sizes": list(sizes),
            "plan": PLAN,
            "rate_scale": RATE_SCALE,
            "sync_share": SHARE,
            "medium_limit_per_s": MEDIUM_LIMIT * RATE_SCALE,
            "timed_calls": calls,
            "restarts": restarts,
            "simulator": f"own process, {PLAN} limits ×{RATE_SCALE:g}",
            "store": "SQLite file in a temp dir",
        },
        "sizes": by_size,
        "growth": growth(by_size),
        "webhooks": hooks,
        "verdicts": verdicts(by_size, hooks),
    }


def _median(d: dict[str, Any]) -> float:
    return float(d["median"])


def headline(figures: dict[str, Any]) -> dict[str, float | None]:
    """The issue's figures for one size (times in ms, sizes in MB)."""
    pages = figures["pages"]
    return {
        "sync_vs_bound": figures["sync"]["vs_bound"],
        "fleet_health_server_ms": max(
            _median(pages[k]["server_ms"]) for k in pages if k.startswith("get_fleet_health whole")
        ),
        "zoom_rooms_server_ms": max(
            _median(pages[k]["server_ms"]) for k in pages if k.startswith("get_zoom_rooms whole")
        ),
        "restart_answer_ms": _median(figures["restart"]["total_ms"]),
        "rss_mb": figures["sync"]["server_rss_mb"],
        "store_mb": figures["store_mb"]["total"],
    }


def growth(by_size: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Each headline figure at each size divided by its value at the smallest size."""
    sizes = list(by_size)
    base = headline(by_size[sizes[0]])
    out: dict[str, dict[str, float | None]] = {}
    for size in sizes:
        current = headline(by_size[size])
        out[size] = {key: ratio(value or 0.0, base[key] or 0.0) for key, value in current.items()}
    return out


def verdicts(by_size: dict[str, Any], hooks: dict[str, Any]) -> dict[str, Any]:
    """Each target against the largest size's figure."""
    largest = by_size[list(by_size)[-1]]
    figures: dict[str, float | None] = dict(headline(largest))
    figures["webhook_events_per_s"] = hooks["sustained"]["sqlite"]["http_events_per_s"]
    visibility = hooks["visibility"]
    figures["alert_visible_ms"] = max(
        float(visibility["visible_in_store_ms"].get("max", 0)),
        float(visibility["visible_via_get_room_alerts_ms"].get("max", 0)),
    )
    out: dict[str, Any] = {}
    for key, target in TARGETS.items():
        value = figures[key]
        higher_is_better = key == "webhook_events_per_s"
        met = value is not None and (value >= target if higher_is_better else value <= target)
        out[key] = {"value": value, "target": target, "met": met}
    out["sync_zero_429"] = {
        "value": largest["sync"]["rate_limited_429"],
        "target": 0,
        "met": largest["sync"]["rate_limited_429"] == 0,
    }
    return out


def render(data: dict[str, Any], table: Callable[[Sequence[str], Sequence[Sequence[object]]], list[str]]) -> list[str]:
    """The section as Markdown (``bench.report`` passes its ``table``)."""
    setup, by_size = data["setup"], data["sizes"]
    lines = [
        "## (f) The fleet store and its background sync; webhooks into SQLite",
        "",
        f"{setup['plan']} limits enforced by the simulator in its own process, time-scaled ×{setup['rate_scale']:g} on "
        f"both sides (Medium {setup['medium_limit_per_s']:g}/s, sync share {setup['sync_share']}); a SQLite store; "
        f"{setup['timed_calls']} timed calls per page kind, {setup['restarts']} in-process restarts.",
        "",
    ]
    rows = []
    for size, f in by_size.items():
        sync, pages = f["sync"], f["pages"]
        health = max(_median(pages[k]["server_ms"]) for k in pages if k.startswith("get_fleet_health whole"))
        rooms = max(_median(pages[k]["server_ms"]) for k in pages if k.startswith("get_zoom_rooms whole"))
        rows.append(
            [
                f"{int(size):,}",
                f"{sync['elapsed_s']} s / {sync['bound_s']} s = {sync['vs_bound']}×",
                sync["rate_limited_429"],
                f"{sync['device_phase_per_s']} of {sync['device_lane_per_s']}",
                health,
                rooms,
                f"{_median(f['restart']['lifespan_ms']):.0f} + {_median(f['restart']['first_call_ms']):.0f}",
                f"{f['restart_process']['spawn_to_answer_ms']} ({f['restart_process']['spawn_to_initialized_ms']} + "
                f"{f['restart_process']['first_call_ms']})",
                f"{sync['server_rss_mb']} (restarted: {f['restart_process']['rss_mb']})",
                f["store_mb"]["total"],
            ]
        )
    lines += table(
        [
            "rooms",
            "full sync / bound",
            "429s",
            "device req/s (phase / lane)",
            "get_fleet_health ms/page",
            "get_zoom_rooms ms/page",
            "restart in process: load + first answer ms",
            "restart, new process: spawn → answer ms",
            "server RSS MB",
            "store MB",
        ],
        rows,
    )
    lines += ["Server time per call (median / p95 ms; round trip through the in-memory client in brackets):", ""]
    labels = list(next(iter(by_size.values()))["pages"])
    lines += table(
        ["call", *[f"{int(size):,} rooms" for size in by_size]],
        [
            [
                label,
                *[
                    f"{f['pages'][label]['server_ms']['median']} / {f['pages'][label]['server_ms']['p95']} "
                    f"({f['pages'][label]['round_trip_ms']['median']})"
                    for f in by_size.values()
                ],
            ]
            for label in labels
        ],
    )
    lines += ["Growth from the smallest size (× its value):", ""]
    keys = list(next(iter(data["growth"].values())))
    lines += table(["rooms", *keys], [[f"{int(s):,}", *g.values()] for s, g in data["growth"].items()])
    hooks = data["webhooks"]
    sqlite, memory = hooks["sustained"]["sqlite"], hooks["sustained"]["memory"]
    burst, seen = hooks["burst_sqlite"], hooks["visibility"]
    lines += [
        f"**Webhooks into SQLite:** {sqlite['http_events_per_s']} events/s over HTTP ({sqlite['workers']} keep-alive "
        f"senders, {sqlite['seconds']} s) against {memory['http_events_per_s']} into memory "
        f"({hooks['sqlite_vs_memory_http']}×); in process {sqlite['in_process_events_per_s']} vs "
        f"{memory['in_process_events_per_s']}. 200 concurrent deliveries: {burst['answered_200']} answered, "
        f"median {burst['answer_ms']['median']} ms, max {burst['answer_ms']['max']} ms, {burst['over_3s']} over 3 s. "
        f"An alert for a real room (fleet of {int(list(by_size)[-1]):,}), from sending: answered "
        f"{seen['answer_ms']['median']} ms (max {seen['answer_ms']['max']}); visible from another process in the "
        f"store {seen['visible_in_store_ms']['median']} ms (max {seen['visible_in_store_ms']['max']}), through "
        f"get_room_alerts {seen['visible_via_get_room_alerts_ms']['median']} ms "
        f"(max {seen['visible_via_get_room_alerts_ms']['max']}).",
        "",
        "Targets (largest size):",
        "",
    ]
    lines += table(
        ["figure", "value", "target", "met"],
        [[key, v["value"], v["target"], "yes" if v["met"] else "**no**"] for key, v in data["verdicts"].items()],
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """``--serve``: the server process of step 1. Otherwise the section alone, as JSON (the full record and
    its Markdown come from ``python -m bench.run --only fleet``)."""
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rate-scale", type=float, default=RATE_SCALE, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1000,5000,20000", help="fleet sizes, comma-separated")
    parser.add_argument("--calls", type=int, default=15, help="timed calls per page kind")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.rate_scale)
        return 0
    sizes = [int(part) for part in args.sizes.split(",")]
    logging.basicConfig(level=logging.WARNING, force=True)  # as the server logs; the SDK's default is INFO
    with tempfile.TemporaryDirectory(prefix="zoom-rooms-fleet-") as tmp:
        result = anyio.run(
            lambda: run(sizes=sizes, calls=args.calls, restarts=3, webhook_seconds=5.0, workdir=Path(tmp))
        )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
