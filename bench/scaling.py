"""(e) How location resolution and room listing grow with the fleet (in-process, zero latency).

Per fleet size: building the location tree and its resolver from Zoom's location items, resolving a
multi-part phrase and a typo, and ``get_zoom_rooms`` for one city (cold, then warm) and for the whole fleet
(warm, first page). The city is Seattle, an anchor site present at every size. Samples are taken round-robin
over the sizes, so that load on the shared machine falls on every size alike and the growth ratios hold.
Client-side output re-validation is off here: this measures the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mcp import Client

from bench.measure import (
    UNPACED,
    Place,
    Stopwatch,
    call,
    connect,
    frozen_heap,
    pages,
    pick_place,
    ratio,
    settings_for,
    skip_output_validation,
    summary,
)
from zoom_rooms_mcp.locations.model import LocationTree
from zoom_rooms_mcp.locations.resolver import LocationResolver
from zoom_rooms_mcp.simulator import Fleet, Simulator, generate_fleet

CITY = "Seattle"
TYPO = "Seatle"
CALLS_BUDGET = 20.0  # seconds for all warm calls: inside the 30 s room-status TTL of the listings they reuse
RESOLVES_PER_ROUND = 20
CALLS_PER_REPEAT = 10


@dataclass(slots=True)
class Size:
    """One fleet and the samples taken for it."""

    fleet: Fleet
    generation_ms: float
    place: Place
    items: list[dict[str, Any]]
    tree: LocationTree
    resolver: LocationResolver
    samples: dict[str, list[float]] = field(default_factory=dict)

    def sample(self, key: str, action: Callable[[], object]) -> None:
        with Stopwatch() as sw:
            action()
        self.samples.setdefault(key, []).append(sw.ms)


async def run(*, sizes: list[int], repeats: int, workdir: Path) -> dict[str, Any]:
    fleets = [_prepare(n) for n in sizes]
    with frozen_heap():
        for _ in range(repeats):
            for size in fleets:
                size.sample("tree_build_ms", partial(LocationTree.from_zoom, size.items, size.fleet.structure))
                size.sample("resolver_build_ms", partial(LocationResolver, size.tree))
                for _ in range(RESOLVES_PER_ROUND):
                    size.sample("resolve_multipart_ms", partial(size.resolver.resolve, size.place.loose_query))
                    size.sample("resolve_typo_ms", partial(size.resolver.resolve, TYPO))
        server_rows = await _server_calls(fleets, repeats * CALLS_PER_REPEAT, workdir)
    rows = [_row(size, server) for size, server in zip(fleets, server_rows, strict=True)]
    base = rows[0]
    for row in rows:
        row["growth_vs_smallest"] = {"rooms": ratio(row["rooms"], base["rooms"])} | {
            key: ratio(row[key]["median"], base[key]["median"]) for key in _TIMED
        }
    return {
        "setup": {
            "sizes": sizes,
            "city": CITY,
            "repeats": repeats,
            "transport": "in-process simulator, zero latency, rate limits off, client re-validation off",
        },
        "rows": rows,
    }


_TIMED = (
    "tree_build_ms",
    "resolver_build_ms",
    "resolve_multipart_ms",
    "resolve_typo_ms",
    "city_warm_ms",
    "fleet_warm_ms",
)


def _prepare(rooms: int) -> Size:
    with Stopwatch() as generation:
        fleet = generate_fleet(rooms, 7)
    items = [
        {"id": loc.id, "name": loc.name, "parent_location_id": loc.parent_location_id, "type": loc.type}
        for loc in fleet.locations
    ]
    tree = LocationTree.from_zoom(items, fleet.structure)
    return Size(fleet, generation.ms, pick_place(fleet, CITY), items, tree, LocationResolver(tree))


async def _server_calls(fleets: list[Size], calls: int, workdir: Path) -> list[dict[str, Any]]:
    """One server per size: a cold city query each, then warm city and whole-fleet calls, round-robin."""
    rows: list[dict[str, Any]] = []
    async with AsyncExitStack() as stack:
        clients: list[tuple[Size, Simulator, Client]] = []
        for size in fleets:
            sim = Simulator(fleet=size.fleet, enforce_rate_limits=False)
            settings = settings_for(sim.credentials, sim.plan, workdir / f"scaling-{len(size.fleet.rooms)}")
            client = await stack.enter_async_context(connect(settings, transport=sim.transport(), rate_scale=UNPACED))
            skip_output_validation(client)
            clients.append((size, sim, client))
        for size, sim, client in clients:
            with Stopwatch() as cold:
                first = await call(client, "get_zoom_rooms", {"location_query": CITY})
            city = size.tree.subtree_ids(loc.id for loc in size.tree if loc.type == "city" and loc.name == CITY)
            # The tree, then the cheaper of one request per location of the city and one full listing.
            minimum = pages(len(size.items)) + 1 + min(len(city), pages(len(size.fleet.rooms)))
            rows.append(
                {
                    "city_rooms": first["total_count"],
                    "city_cold_ms": round(cold.ms, 1),
                    "city_cold_api_requests": sim.stats.total_requests - sim.stats.token_requests,
                    "city_minimum_api_requests": minimum,
                }
            )
            await call(client, "get_zoom_rooms", {})  # lists (and caches) the whole fleet
        deadline = time.monotonic() + CALLS_BUDGET
        for _ in range(calls):
            if time.monotonic() >= deadline:
                break
            for size, _, client in clients:
                for key, args in (("city_warm_ms", {"location_query": CITY}), ("fleet_warm_ms", {})):
                    with Stopwatch() as sw:
                        await call(client, "get_zoom_rooms", args)
                    size.samples.setdefault(key, []).append(sw.ms)
    return rows


def _row(size: Size, server: dict[str, Any]) -> dict[str, Any]:
    resolve = size.resolver.resolve
    return {
        "rooms": len(size.fleet.rooms),
        "locations": len(size.items),
        "fleet_generation_ms": round(size.generation_ms, 1),  # the simulator's cost, not the server's
        **{key: summary(size.samples.get(key, []), digits=3) for key in _TIMED},
        "multipart_query": size.place.loose_query,
        "multipart_resolved": resolve(size.place.loose_query).status,
        "typo_query": TYPO,
        "typo_resolved": resolve(TYPO).status,
        **server,
    }
