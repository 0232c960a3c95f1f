"""Shared helpers: sample statistics, settings for a simulator, and connecting the real server in-process."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.types import CallToolResult
from pydantic import SecretStr

from zoom_rooms_mcp.server import create_server
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.simulator import DEMO_API_BASE_URL, DEMO_TOKEN_URL, Fleet, SimCredentials, SimLocation
from zoom_rooms_mcp.zoom.catalog import Plan
from zoom_rooms_mcp.zoom.client import PAGE_SIZE

# In-process runs measure CPU, not pacing: scale the client's pacer far above the (disabled) simulator limits.
UNPACED = 1000.0


class BenchError(RuntimeError):
    """A measurement could not be taken (a tool failed, a process did not start)."""


def summary(samples: Sequence[float], digits: int = 2) -> dict[str, float | int]:
    """Median, p95, min and max of samples (milliseconds, or whatever unit they are in)."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    # Nearest-rank p95: with few samples it is the maximum, never an interpolated value nobody observed.
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), digits),
        "p95": round(p95, digits),
        "min": round(ordered[0], digits),
        "max": round(ordered[-1], digits),
    }


def ratio(numerator: float, denominator: float, digits: int = 2) -> float | None:
    return round(numerator / denominator, digits) if denominator > 0 else None


def pages(items: int) -> int:
    """Requests one complete listing of ``items`` takes (an empty listing is still one request)."""
    return max(1, math.ceil(items / PAGE_SIZE))


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Hide everything alive now (the simulator's fleet: ~300,000 objects at 20,000 rooms) from the GC.

    The fleet stands in for Zoom's side; left in the collected heap, full collections that scan it add pauses
    of 100+ ms to whatever the server is doing at the time. Objects the server creates are collected as usual.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.ms``."""

    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        self.ms = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.ms = (time.perf_counter() - self.start) * 1000


def settings_for(credentials: SimCredentials, plan: Plan, cache_dir: Path, *, base_url: str | None = None) -> Settings:
    """Settings for a simulator: in-process (``base_url`` None, pair with ``sim.transport()``) or on loopback."""
    token_url, api_url = (
        (f"{base_url}/oauth/token", f"{base_url}/v2") if base_url else (DEMO_TOKEN_URL, DEMO_API_BASE_URL)
    )
    return Settings(
        zoom_account_id=credentials.account_id,
        zoom_client_id=credentials.client_id,
        zoom_client_secret=SecretStr(credentials.client_secret),
        zoom_api_base_url=api_url,
        zoom_oauth_token_url=token_url,
        zoom_api_plan=plan,
        token_cache_dir=cache_dir,
        zoom_rooms_demo=False,
        _env_file=None,
    )


@asynccontextmanager
async def connect(
    settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None, rate_scale: float = 1.0
) -> AsyncIterator[Client]:
    """The real server (fresh lifespan: empty caches, no token in memory) behind the SDK's in-memory client."""
    server = create_server(settings, transport=transport, rate_scale=rate_scale)
    # cache=None: every call must reach the server, never the client's response cache.
    async with Client(server, cache=None) as client:
        yield client


async def call(client: Client, tool: str, args: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Call a tool that must succeed; its structured content."""
    result: CallToolResult = await client.call_tool(tool, args or {}, **kwargs)
    if result.is_error:
        raise BenchError(f"{tool} failed: {text_of(result)}")
    content = result.structured_content
    if not isinstance(content, dict):
        raise BenchError(f"{tool} returned no structured content")
    return content


def skip_output_validation(client: Client) -> None:
    """Stop this client re-validating structured results against the tool's outputSchema.

    The Python SDK client does that with jsonschema on every call, and for a page of rooms it costs more
    than the server's own work; comparisons between servers turn it off for both sides, (b) reports it.
    """

    async def accept(name: str, result: CallToolResult) -> None:
        return None

    client.session.validate_tool_result = accept  # type: ignore[method-assign]


def text_of(result: CallToolResult) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)[:300]


@dataclass(frozen=True, slots=True)
class Place:
    """A floor of the fleet, with the free-text phrases that should resolve to it and its city."""

    floor_id: str
    city: str
    floor_query: str  # "Portland Building 2 Floor 3"
    loose_query: str  # "portland bldg 2, 3rd floor": abbreviations and an ordinal
    room_name: str  # a room on that floor


def pick_place(fleet: Fleet, city: str | None = None) -> Place:
    """The busiest floor of ``city`` (default: of the busiest city), so that queries return real rooms."""
    locations = {loc.id: loc for loc in fleet.locations}

    def ancestor(location_id: str, level: str) -> SimLocation | None:
        current = locations.get(location_id)
        while current is not None and current.type != level:
            current = locations.get(current.parent_location_id)
        return current

    rooms_by_floor = Counter(room.location_id for room in fleet.rooms)
    if city is None:
        by_city = Counter(getattr(ancestor(r.location_id, "city"), "name", "") for r in fleet.rooms)
        city = by_city.most_common(1)[0][0]
    floor_id = next(
        lid for lid, _ in rooms_by_floor.most_common() if getattr(ancestor(lid, "city"), "name", None) == city
    )
    floor = locations[floor_id]
    building = ancestor(floor_id, "building")
    if building is None:
        raise BenchError(f"floor {floor.name} of {city} has no building")
    number = floor.name.removeprefix("Floor ").strip()
    designator = building.name.removeprefix("Building ").strip().lower()
    room = next(r for r in fleet.rooms if r.location_id == floor_id)
    return Place(
        floor_id=floor_id,
        city=city,
        floor_query=f"{city} {building.name} {floor.name}",
        loose_query=f"{city.lower()} bldg {designator}, {ordinal(int(number))} floor",
        room_name=room.name,
    )


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
