"""(b) Warm per-call cost of the real server, in-process, zero latency, on a large fleet.

Each scenario gets a fresh server: its first call is cold (upstream requests counted against the minimum
the data needs), then a warm-up, then timed calls within the room-status TTL (30 s), which should need no
upstream request at all. A call's time through the SDK's in-memory client includes the client re-validating
the structured result against the tool's outputSchema (jsonschema); that part is timed separately, so the
server's share is reported too. The yardstick is a hello-world tool through the same client.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult

from bench import hello_server
from bench.measure import (
    UNPACED,
    BenchError,
    Place,
    Stopwatch,
    call,
    connect,
    frozen_heap,
    pages,
    pick_place,
    ratio,
    settings_for,
    summary,
    text_of,
)
from zoom_rooms_mcp.simulator import Fleet, Simulator

SERIES_BUDGET = 20.0  # seconds per timed series: well inside the 30 s room-status TTL
CALL_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Scenario:
    label: str
    tool: str
    args: dict[str, Any]
    minimum_requests: int  # upstream API requests (token excluded) the first call's data needs
    expected_total: int | None = None  # rooms the answer must count, when it is a room listing


def scenarios(fleet: Fleet, place: Place) -> list[Scenario]:
    tree = pages(len(fleet.locations)) + 1  # every location page + the structure
    city = _subtree(fleet, _city_id(fleet, place.city))
    floor_rooms = sum(1 for r in fleet.rooms if r.location_id == place.floor_id)
    city_rooms = sum(1 for r in fleet.rooms if r.location_id in city)
    whole = pages(len(fleet.rooms))
    return [
        Scenario("get_zoom_rooms (whole fleet)", "get_zoom_rooms", {}, tree + whole, len(fleet.rooms)),
        # A city: the cheaper of one request per location of the subtree and one full listing.
        Scenario(
            f"get_zoom_rooms (city: {place.city})",
            "get_zoom_rooms",
            {"location_query": place.city},
            tree + min(len(city), whole),
            city_rooms,
        ),
        Scenario(
            f"get_zoom_rooms (floor: {place.floor_query})",
            "get_zoom_rooms",
            {"location_query": place.floor_query},
            tree + 1,
            floor_rooms,
        ),
        Scenario(f"resolve_location ({place.loose_query!r})", "resolve_location", {"query": place.loose_query}, tree),
        # By name: one filtered listing finds it, then profile, devices and dashboard row.
        Scenario(f"get_room_details ({place.room_name!r})", "get_room_details", {"room": place.room_name}, tree + 4),
    ]


async def run(*, rooms: int, calls: int, warmup: int, workdir: Path) -> dict[str, Any]:
    sim = Simulator(rooms=rooms, seed=7, enforce_rate_limits=False)
    place = pick_place(sim.fleet)
    rows = []
    with frozen_heap():
        floor = await _hello_floor(calls, warmup)
        for index, scenario in enumerate(scenarios(sim.fleet, place)):
            settings = settings_for(sim.credentials, sim.plan, workdir / f"warm-{index}")
            async with connect(settings, transport=sim.transport(), rate_scale=UNPACED) as client:
                rows.append(await _measure(sim, client, scenario, calls, warmup, floor))
    return {
        "setup": {
            "rooms": len(sim.fleet.rooms),
            "locations": len(sim.fleet.locations),
            "transport": "in-process simulator (sim.transport()), zero latency, rate limits off",
            "timed_calls": calls,
            "warmup_calls": warmup,
        },
        "hello_floor_ms": floor,
        "scenarios": rows,
    }


async def _measure(
    sim: Simulator, client: Client, scenario: Scenario, calls: int, warmup: int, floor: dict[str, Any]
) -> dict[str, Any]:
    sim.stats.reset()
    with Stopwatch() as cold:
        first = await _call(client, scenario)
    cold_api = sim.stats.total_requests - sim.stats.token_requests
    content = first.structured_content or {}
    for _ in range(warmup):
        await _call(client, scenario)
    sim.stats.reset()
    e2e: list[float] = []
    validation: list[float] = []
    deadline = time.monotonic() + SERIES_BUDGET
    while len(e2e) < calls and time.monotonic() < deadline:
        with Stopwatch() as whole:
            result = await _call(client, scenario)
        # The client validated inside call_tool with its compiled validator; doing it again costs the same.
        with Stopwatch() as check:
            await client.session.validate_tool_result(scenario.tool, result)
        e2e.append(whole.ms)
        validation.append(check.ms)
    e2e_summary, validation_summary = summary(e2e), summary(validation)
    # The server's share: per-sample differences are noisy (GC, scheduling), the difference of medians is not.
    server_median = round(float(e2e_summary["median"]) - float(validation_summary["median"]), 2)
    total = content.get("total_count")
    return {
        "label": scenario.label,
        "tool": scenario.tool,
        "args": scenario.args,
        "cold_ms": round(cold.ms, 2),
        "cold_api_requests": cold_api,
        "minimum_api_requests": scenario.minimum_requests,
        "extra_api_requests": cold_api - scenario.minimum_requests,
        "warm_api_requests_per_call": round(sim.stats.total_requests / max(1, len(e2e)), 3),
        "e2e_ms": e2e_summary,
        "client_validation_median_ms": validation_summary["median"],
        "server_median_ms": server_median,
        "server_to_hello_ratio": ratio(server_median, float(floor["median"])),
        "result": _describe(scenario, content),
        "correct": scenario.expected_total is None or total == scenario.expected_total,
        "expected_total": scenario.expected_total,
    }


async def _call(client: Client, scenario: Scenario) -> CallToolResult:
    with anyio.fail_after(CALL_TIMEOUT):
        result = await client.call_tool(scenario.tool, scenario.args)
    if result.is_error:
        raise BenchError(f"{scenario.label} failed: {text_of(result)}")
    return result


async def _hello_floor(calls: int, warmup: int) -> dict[str, Any]:
    """The same client and SDK dispatch with a tool that does nothing: the floor no server can go below."""
    async with Client(hello_server.server, cache=None) as client:
        for _ in range(warmup):
            await call(client, "hello")
        samples = []
        for _ in range(calls):
            with Stopwatch() as sw:
                await call(client, "hello")
            samples.append(sw.ms)
    return summary(samples, digits=3)


def _describe(scenario: Scenario, content: dict[str, Any]) -> dict[str, Any]:
    """What the answer said, to check it is the right one (not just a fast one)."""
    resolution = content if scenario.tool == "resolve_location" else content.get("resolution")
    described: dict[str, Any] = {}
    if isinstance(resolution, dict):
        locations = resolution.get("locations") or [{}]
        described["resolution"] = resolution.get("status")
        described["resolved_to"] = locations[0].get("path")
    if "total_count" in content:
        described["total_count"] = content["total_count"]
        described["page"] = len(content.get("rooms", []))
    if scenario.tool == "get_room_details":
        described.update(
            {k: content.get(k) for k in ("name", "health", "location_path")}, devices=len(content.get("devices") or [])
        )
    return described


def _city_id(fleet: Fleet, city: str) -> str:
    return next(loc.id for loc in fleet.locations if loc.type == "city" and loc.name == city)


def _subtree(fleet: Fleet, root: str) -> set[str]:
    found = {root}
    for location in fleet.locations:  # parents come before children in the fleet's order
        if location.parent_location_id in found:
            found.add(location.id)
    return found
