"""One declaration per tool: registration, the scope report and the docs' scope table derive from it, and
every tool hits only the endpoints it declares. Also the strictness and size rules registration applies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.harness import TOOLS, call, call_error, text_of
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.tools.registry import BY_NAME, drop_nulls, scope_report, scope_table
from zoom_rooms_mcp.tools.registry import TOOLS as SPECS
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
FIRST_SEVEN = TOOLS - {"get_top_issues", "get_room_alerts"}

# A typical call of each tool: together they touch every read path the tools have.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("test_zoom_connection", {}),
    ("get_zoom_sites", {"query": "Seattle", "level": "building"}),
    ("resolve_location", {"query": "Munchen"}),
    ("get_zoom_rooms", {"location_query": "Denver", "status": "offline"}),
    ("get_room_details", {"room": "Everest"}),
    ("get_fleet_health", {"location_query": "Munich campus"}),
    ("get_fleet_health", {}),
    ("get_room_issues", {"room": "Denali"}),
]


def test_every_declared_endpoint_is_in_the_catalog() -> None:
    assert {spec.name for spec in SPECS} == TOOLS
    for spec in SPECS:
        assert spec.endpoints <= set(ENDPOINTS), spec.name
        assert not set(spec.required) & set(spec.optional), spec.name


def test_docs_scope_table_is_the_generated_one() -> None:
    text = (ROOT / "docs" / "zoom-app-setup.md").read_text(encoding="utf-8")
    assert scope_table() in text, "regenerate the table in docs/zoom-app-setup.md from registry.scope_table()"


@pytest.mark.parametrize(("tool", "args"), CALLS, ids=[f"{t}-{i}" for i, (t, _) in enumerate(CALLS)])
async def test_tools_hit_only_declared_endpoints(
    connect: Callable[..., Any], sim: Simulator, tool: str, args: dict[str, Any]
) -> None:
    async with connect(sim) as client:
        await call(client, tool, args)
    hit = set(sim.stats.by_endpoint) - {"token"}
    assert hit, tool
    assert hit <= BY_NAME[tool].endpoints, f"{tool} hit undeclared {hit - BY_NAME[tool].endpoints}"


def test_scope_report_classic_and_granular() -> None:
    everything = scope_report({"room:read:admin", "dashboard_zr:read:admin", "dashboard_home:read:admin"})
    assert everything.missing_scopes == []
    assert all(t.available and not t.degraded for t in everything.tools)
    classic = scope_report({"room:read:admin"})
    assert set(classic.missing_scopes) == {"dashboard_zr:read:admin", "dashboard_home:read:admin"}
    assert [e.key for e in classic.blocking["get_room_issues"]] == ["dashboard_room_issues"]
    nothing = scope_report(set())
    assert {t.tool for t in nothing.tools if t.available} == {"test_zoom_connection"}


async def test_unknown_argument_is_named_with_the_valid_ones(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        text = await call_error(client, "get_zoom_rooms", {"location": "Seattle"})
        two = await call_error(client, "get_room_details", {"room": "Everest", "verbose": True, "x": 1})
    assert "unknown argument 'location'" in text
    assert "location_query, status, name_query, room_type, limit, cursor" in text
    assert "unknown arguments 'verbose', 'x'" in two


async def test_argument_errors_are_one_plain_sentence(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        text = await call_error(client, "get_zoom_rooms", {"limit": 900, "status": "Broken"})
        missing = await call_error(client, "get_room_details", {})
    for message in (text, missing):
        assert "pydantic" not in message
        assert "validation error" not in message
        assert "\n" not in message
    assert "`limit`: input should be less than or equal to 500" in text
    assert "`status`: input should be 'Available'" in text
    assert "`room` is required" in missing


async def test_status_is_matched_case_insensitively(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        lower = await call(client, "get_zoom_rooms", {"status": "offline"})
        spaced = await call(client, "get_zoom_rooms", {"status": "in meeting"})
    assert lower["total_count"] == sum(r.status == "Offline" for r in sim.fleet.rooms)
    assert spaced["total_count"] == sum(r.status == "InMeeting" for r in sim.fleet.rooms)


async def test_text_content_is_compact_json_of_the_structured_content(
    connect: Callable[..., Any], sim: Simulator
) -> None:
    async with connect(sim) as client:
        result = await client.call_tool("get_zoom_rooms", {"location_query": "Seattle"})
    text = text_of(result)
    assert "\n" not in text
    assert ", " not in text.split('"rooms"')[0]  # separators carry no padding
    assert json.loads(text) == drop_nulls(result.structured_content)


async def test_answer_and_tool_list_sizes(connect: Callable[..., Any], sim: Simulator) -> None:
    """Issue 13's targets: 50 rows ≤ 10,000 characters, tools/list ≤ 24,000 with no repeated definitions
    and dedented descriptions, the city-level site list ≤ 4,000 on the demo fleet."""
    async with connect(sim) as client:
        listed = await client.list_tools()
        page = await client.call_tool("get_zoom_rooms", {})
        cities = await client.call_tool("get_zoom_sites", {"level": "city"})
    tools = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed.tools]
    wire = json.dumps(tools, ensure_ascii=False, separators=(",", ":"))
    assert len(wire) <= 24_000, len(wire)
    # The first seven tools leave room within the same budget for the ones added later.
    first = json.dumps([t for t in tools if t["name"] in FIRST_SEVEN], ensure_ascii=False, separators=(",", ":"))
    assert len(first) <= 19_000, len(first)
    assert "$defs" not in wire
    assert "$ref" not in wire
    for tool in tools:
        assert not re.search(r"\n {2,}\S", tool["description"]), tool["name"]
    assert len(page.structured_content["rooms"]) == 50
    assert len(text_of(page)) <= 10_000, len(text_of(page))
    assert len(text_of(cities)) <= 4_000, len(text_of(cities))
