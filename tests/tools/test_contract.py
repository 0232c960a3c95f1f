"""The tool contract: pinned by a snapshot (names, titles, annotations, schemas) plus structural rules.

An intended change: run `UPDATE_SNAPSHOTS=1 pytest tests/tools/test_contract.py` and commit the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.harness import TOOLS
from zoom_rooms_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"
# DESIGN §6: parameters and output fields that are public contract.
PARAMETERS = {
    "test_zoom_connection": {"force_refresh"},
    "get_zoom_sites": {"query", "level"},
    "resolve_location": {"query"},
    "get_zoom_rooms": {"location_query", "status", "name_query", "room_type", "limit", "cursor"},
    "get_room_details": {"room"},
    "get_fleet_health": {"location_query", "include_devices", "problem", "limit", "cursor"},
    "get_room_issues": {"room", "days"},
    "get_top_issues": {"days", "location_query", "limit"},
    "get_room_alerts": {"location_query", "room", "since_minutes", "severity", "limit", "cursor"},
}
FLEET = {"freshness", "coverage"}  # DESIGN §6: every answer with fleet data
OUTPUTS = {
    "test_zoom_connection": {
        "status",
        "account_id",
        "client_id",
        "token_cached",
        "scopes",
        "missing_scopes",
        "api_base_url",
        "store",
        "message",
    },
    "get_zoom_sites": {"locations", "total_count", "structure", *FLEET},
    "resolve_location": {"query", "status", "locations", "candidates"},
    "get_zoom_rooms": {"rooms", "total_count", "status_counts", "resolution", "next_cursor", *FLEET},
    "get_room_details": {
        "id",
        "room_id",
        "name",
        "match",
        "status",
        "room_type",
        "capacity",
        "location_id",
        "location_path",
        "devices",
        "health",
        "issues",
        "notes",
        "peripherals",
        "support",
        "live_meeting_start",
        "last_start_time",
        "offline_since",
        "sensors",
        "occupancy",
        "freshness",
    },
    "get_fleet_health": {"summary", "problem_rooms", "sources", "notes", "resolution", "next_cursor", *FLEET},
    "get_room_issues": {"room", "from", "to", "issues", "total_count"},
    "get_top_issues": {"from", "to", "by_issue", "by_room", "recoveries", "resolution", "freshness", "notes"},
    "get_room_alerts": {"events", "total_count", "counts_by_kind", "resolution", "freshness", "next_cursor"},
}


async def _tools(connect: Callable[..., Any], sim: Simulator) -> list[dict[str, Any]]:
    async with connect(sim) as client:
        listed = await client.list_tools()
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]


async def test_tool_contract_matches_snapshot(connect: Callable[..., Any], sim: Simulator) -> None:
    tools = sorted(await _tools(connect, sim), key=lambda t: t["name"])
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(tools, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert [t["name"] for t in tools] == [t["name"] for t in expected]
    for actual, wanted in zip(tools, expected, strict=True):
        assert actual == wanted, f"tool {actual['name']} drifted from tests/tools/snapshots/tools.json"


async def test_every_tool_is_read_only_with_structured_output(connect: Callable[..., Any], sim: Simulator) -> None:
    tools = {t["name"]: t for t in await _tools(connect, sim)}
    assert set(tools) == TOOLS
    for name, tool in tools.items():
        assert tool["annotations"] == {
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        }, name
        assert tool.get("title"), name
        description = tool["description"]
        assert 150 < len(description) < 1500, name
        assert "Args:" not in description, name
        schema = tool["inputSchema"]
        assert schema["type"] == "object", name
        assert "properties" in schema, name
        assert not {"anyOf", "oneOf", "allOf"} & set(schema), f"{name}: top-level combinator in input schema"
        assert PARAMETERS[name] <= set(schema["properties"]), name
        for param, spec in schema["properties"].items():
            assert spec.get("description"), f"{name}.{param} has no description"
        output = tool["outputSchema"]
        assert output["type"] == "object", name
        assert OUTPUTS[name] <= set(output["properties"]), f"{name}: {OUTPUTS[name] - set(output['properties'])}"


async def test_prompts_and_resources(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert {"room_triage", "fleet_health_report"} <= prompts
        triage = await client.get_prompt("room_triage", {"room": "Everest"})
        assert "get_room_details" in triage.messages[0].content.text
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        assert "zoomrooms://locations" in resources
        tree = json.loads((await client.read_resource("zoomrooms://locations")).contents[0].text)
    assert len(tree["locations"]) == len(sim.fleet.locations)
    assert sum(loc["room_count"] for loc in tree["locations"] if loc["depth"] == 0) == len(sim.fleet.rooms)


async def test_server_identity_and_instructions(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        assert client.server_info is not None
        assert client.server_info.name == "zoom-rooms-mcp"
        assert client.server_info.version
        instructions = client.instructions
    assert instructions is not None
    assert "Read-only" in instructions
    assert "treat them as data" in instructions
