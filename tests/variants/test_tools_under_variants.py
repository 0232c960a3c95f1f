"""Every MCP tool answers correctly whichever way Zoom resolves each UNCONFIRMED behaviour.

For each entry of the simulator's ``VARIANT_MATRIX`` (plus the defaults) a fresh server runs against a simulator
with that variant, through the SDK's in-memory client, and each check compares a tool's answer with the
simulator's ground truth (rooms per location, offline rooms, a room found by name). The tool calls of one variant
run once, in one event loop; each (variant, check) pair is then its own test, so a product bug shows up as the
exact case it breaks. Variants that need provoking are provoked: under ``code124_as_400`` every token is revoked
before each call, and under ``qps_retry_after`` the simulator enforces the unscaled limits while the server paces
for scaled ones, so 429s do happen.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.harness import RATE_SCALE, call, connector
from zoom_rooms_mcp.simulator import DEFAULT_VARIANTS, VARIANT_MATRIX, Simulator, Variants
from zoom_rooms_mcp.simulator.model import SimRoom

VARIANTS: dict[str, Variants] = {"default": DEFAULT_VARIANTS} | {v.name: v for v in VARIANT_MATRIX}
SEATTLE = ("United States", "Washington", "Seattle")
Check = Callable[[Client, Simulator], Awaitable[None]]
CHECKS: dict[str, Check] = {}


def check(function: Check) -> Check:
    CHECKS[function.__name__.removeprefix("check_")] = function
    return function


async def pages(
    client: Client, tool: str, args: dict[str, Any], key: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every row of a paged tool answer, and the first page's body."""
    first = body = await call(client, tool, args)
    rows = list(body[key])
    while body.get("next_cursor"):
        body = await call(client, tool, {**args, "cursor": body["next_cursor"]})
        rows.extend(body[key])
    return rows, first


def seattle(sim: Simulator) -> list[SimRoom]:
    city = sim.fleet.find_location(*SEATTLE)
    assert city
    return sim.fleet.rooms_under(city.id)


@check
async def check_connection(client: Client, sim: Simulator) -> None:
    assert (await call(client, "test_zoom_connection", {}))["status"] == "success"


@check
async def check_site_counts(client: Client, sim: Simulator) -> None:
    rows, _ = await pages(client, "get_zoom_sites", {"limit": 500}, "locations")
    assert {row["id"] for row in rows} == {loc.id for loc in sim.fleet.locations}
    for row in rows:
        under = sim.fleet.rooms_under(row["id"])
        rooms, offline = len(under), sum(r.status == "Offline" for r in under)
        assert row["room_count"] == rooms, f"{row['path']}: room_count {row['room_count']}, truth {rooms}"
        told = row.get("status_counts", {}).get("Offline", 0)
        assert told == offline, f"{row['path']}: Offline {told}, truth {offline}"


@check
async def check_sites_down_to_city(client: Client, sim: Simulator) -> None:
    rows, _ = await pages(client, "get_zoom_sites", {"level": "city", "limit": 500}, "locations")
    expected = {loc.id: loc.type for loc in sim.fleet.locations if loc.type in ("country", "states", "city")}
    missing = sorted({t for i, t in expected.items() if i not in {row["id"] for row in rows}})
    assert not missing, f"levels left out: {missing}"
    assert len(rows) == len(expected)
    counted, truth = sum(row["room_count"] for row in rows if row["type"] == "country"), len(sim.fleet.rooms)
    assert counted == truth, f"rooms over all countries {counted}, truth {truth}"


@check
async def check_resolve_city(client: Client, sim: Simulator) -> None:
    city = sim.fleet.find_location(*SEATTLE)
    assert city
    resolution = await call(client, "resolve_location", {"query": "Seattle"})
    assert resolution["status"] == "exact"
    assert [loc["id"] for loc in resolution["locations"]] == [city.id]


@check
async def check_rooms_in_city(client: Client, sim: Simulator) -> None:
    rows, first = await pages(client, "get_zoom_rooms", {"location_query": "Seattle", "limit": 500}, "rooms")
    expected = seattle(sim)
    assert first["total_count"] == len(expected), f"total_count {first['total_count']}, truth {len(expected)}"
    assert {row["id"] for row in rows} == {r.id for r in expected}


@check
async def check_all_rooms(client: Client, sim: Simulator) -> None:
    rows, first = await pages(client, "get_zoom_rooms", {"limit": 500}, "rooms")
    truth = len(sim.fleet.rooms)
    assert first["total_count"] == truth, f"total_count {first['total_count']}, truth {truth}"
    assert {row["id"] for row in rows} == {r.id for r in sim.fleet.rooms}


@check
async def check_offline_rooms(client: Client, sim: Simulator) -> None:
    rows, _ = await pages(client, "get_zoom_rooms", {"status": "Offline", "limit": 500}, "rooms")
    missing = {r.zoom_room_type for r in sim.fleet.rooms if r.status == "Offline"} - {row["room_type"] for row in rows}
    assert not missing, f"offline rooms of these types are missing: {sorted(missing)}"
    assert {row["id"] for row in rows} == {r.id for r in sim.fleet.rooms if r.status == "Offline"}


@check
async def check_room_by_name(client: Client, sim: Simulator) -> None:
    everest = sim.fleet.room_named("Everest")
    assert everest
    details = await call(client, "get_room_details", {"room": "Everest"})
    assert (details["id"], details["name"], details["status"]) == (everest.id, "Everest", everest.status)
    assert {d["device_type"] for d in details["devices"]} == {d.device_type for d in everest.devices}


@check
async def check_kiosk_by_name(client: Client, sim: Simulator) -> None:
    kiosk = next(r for r in sim.fleet.rooms if r.zoom_room_type == "Kiosk")
    details = await call(client, "get_room_details", {"room": kiosk.name})
    assert (details["id"], details["room_type"], details["status"]) == (kiosk.id, "Kiosk", kiosk.status)


@check
async def check_fleet_health_city(client: Client, sim: Simulator) -> None:
    args = {"location_query": "Seattle", "limit": 500}
    rows, first = await pages(client, "get_fleet_health", args, "problem_rooms")
    expected = seattle(sim)
    told = first["summary"]["total_rooms"]
    assert told == len(expected), f"total_rooms {told}, truth {len(expected)}"
    offline = {r.id for r in expected if r.status == "Offline"}
    flagged = {row["id"] for row in rows}
    assert offline <= flagged
    assert all(row["id"] in {r.id for r in expected} for row in rows)


@check
async def check_room_issues(client: Client, sim: Simulator) -> None:
    denali = sim.fleet.room_named("Denali")
    assert denali
    body = await call(client, "get_room_issues", {"room": "Denali", "days": 30})
    assert "Zoom room is offline" in {entry["issue"] for entry in body["issues"]}


async def run_checks(variant: Variants) -> dict[str, str | None]:
    """Outcome of every check under ``variant``: None when it passed, else what went wrong."""
    provoke_qps = variant.qps_retry_after
    sim = Simulator(rooms=150, seed=7, rate_scale=1.0 if provoke_qps else RATE_SCALE, variants=variant)
    # One room of each type that is not a full room goes offline, so that "offline rooms" covers every type.
    for room_type in ("Kiosk", "SchedulingDisplayOnly", "DigitalSignageOnly", "PersonalZoomRoom"):
        sim.control.set_room_status(next(r.id for r in sim.fleet.rooms if r.zoom_room_type == room_type), "Offline")
    outcomes: dict[str, str | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with connector(Path(tmp))(sim) as client:
            for name, function in CHECKS.items():
                if variant.invalid_token_status == 400:
                    sim.revoke_tokens()
                try:
                    with anyio.fail_after(60):
                        await function(client, sim)
                    outcomes[name] = None
                except (AssertionError, TimeoutError, StopIteration) as error:
                    outcomes[name] = f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"
    if variant.invalid_token_status == 400:
        assert sim.stats.by_status[400] > 0, "the variant was never exercised"
    if provoke_qps:
        assert sim.stats.rate_limited > 0, "no per-second 429 was provoked"
    return outcomes


_RESULTS: dict[str, dict[str, str | None]] = {}


def outcome(variant: str, name: str) -> str | None:
    if variant not in _RESULTS:
        _RESULTS[variant] = anyio.run(run_checks, VARIANTS[variant])
    return _RESULTS[variant][name]


# Product bugs these variants expose, for the product's owners to fix: (variant, check) -> what is wrong.
# Empty: the listing is read type by type (listing_omits_types) and site levels are ranked by the location
# model, so 'state' and 'states' are one level (structure_state).
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _cases() -> list[Any]:
    return [
        pytest.param(
            variant,
            name,
            id=f"{variant}-{name}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[variant, name])]
            if (variant, name) in KNOWN_BUGS
            else [],
        )
        for variant in VARIANTS
        for name in CHECKS
    ]


@pytest.mark.parametrize(("variant", "name"), _cases())
def test_tool_answer_under_variant(variant: str, name: str) -> None:
    problem = outcome(variant, name)
    assert problem is None, problem
