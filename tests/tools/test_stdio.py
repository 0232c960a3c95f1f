"""The whole tool set over real stdio: the installed entry point as a subprocess, against a simulator
served on loopback (so the test process can see what reached "Zoom")."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.harness import call, call_error, simulator
from tests.tools.fleet_truth import rooms_under
from zoom_rooms_mcp.simulator import Simulator, running_simulator

pytestmark = pytest.mark.anyio

SEATTLE = "United States > Washington > Seattle"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Simulator, str]]:
    sim = simulator()
    with running_simulator(sim) as base_url:
        yield sim, base_url


def stdio_server(sim: Simulator, base_url: str, cache_dir: Path) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "TOKEN_CACHE_DIR"))}
    env |= {
        "ZOOM_ACCOUNT_ID": sim.credentials.account_id,
        "ZOOM_CLIENT_ID": sim.credentials.client_id,
        "ZOOM_CLIENT_SECRET": sim.credentials.client_secret,
        "ZOOM_API_BASE_URL": f"{base_url}/v2",
        "ZOOM_OAUTH_TOKEN_URL": f"{base_url}/oauth/token",
        "ZOOM_API_PLAN": "business",
        "TOKEN_CACHE_DIR": str(cache_dir),
    }
    return StdioServerParameters(command=sys.executable, args=["-m", "zoom_rooms_mcp", "serve"], env=env, cwd=cache_dir)


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
    assert names == {
        "test_zoom_connection",
        "get_zoom_sites",
        "resolve_location",
        "get_zoom_rooms",
        "get_room_details",
        "get_fleet_health",
        "get_room_issues",
    }
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
    assert (tmp_path / f"zoom_token_{sim.credentials.account_id}.json").exists()
