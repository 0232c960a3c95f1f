"""The whole tool set over real stdio: the installed entry point as a subprocess, against a simulator
served on loopback (so the test process can see what reached "Zoom")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp import Client

from tests.harness import TOOLS, call, call_error, simulator, stdio_server
from tests.tools.fleet_truth import rooms_under
from zoom_rooms_mcp.simulator import Simulator, running_simulator

pytestmark = pytest.mark.anyio

SEATTLE = "United States > Washington > Seattle"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Simulator, str]]:
    sim = simulator()
    with running_simulator(sim) as base_url:
        yield sim, base_url


@pytest.mark.slow
async def test_every_tool_over_stdio(served: tuple[Simulator, str], tmp_path: Path) -> None:
    sim, base_url = served
    sim.reset()
    everest = sim.fleet.room_named("Everest")
    assert everest is not None
    with anyio.fail_after(120):
        async with Client(stdio_server(sim, base_url, tmp_path)) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            connection = await call(client, "test_zoom_connection")
            sites = await call(client, "get_zoom_sites", {"limit": 500})
            resolved = await call(client, "resolve_location", {"query": "SEA / B2 / L3"})
            offline = await call(client, "get_zoom_rooms", {"location_query": "Seattle", "status": "Offline"})
            details = await call(client, "get_room_details", {"room": "Everest"})
            health = await call(client, "get_fleet_health", {"location_query": "Munich campus"})
            issues = await call(client, "get_room_issues", {"room": everest.id, "days": 30, "limit": 500})
            unknown = await call_error(client, "get_room_details", {"room": "../../users/me"})
    assert names == TOOLS
    assert connection["account_id"] == sim.credentials.account_id
    assert connection["missing_scopes"] == []
    assert sites["total_count"] == len(sim.fleet.locations)
    assert resolved["locations"][0]["path"] == SEATTLE + " > Lake Union Campus > Building 2 > Floor 3"
    assert {r["id"] for r in offline["rooms"]} == {
        r.id for r in rooms_under(sim.fleet, SEATTLE) if r.status == "Offline"
    }
    assert details["id"] == everest.id
    assert details["issues"]
    assert health["summary"]["total_rooms"] == len(rooms_under(sim.fleet, "Germany > Bayern > München > Munich Campus"))
    assert issues["total_count"] == len(everest.issue_history)
    assert "get_zoom_rooms" in unknown
    assert sim.stats.token_requests == 1  # one token for the whole session
    assert (tmp_path / "token-cache" / f"zoom_token_{sim.credentials.account_id}.json").exists()
