"""Load: many concurrent tool calls and many server processes, against a simulator that enforces the
Business plan's real rate limits (so a 429 would show pacing failed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.cli.helpers import http_server
from tests.harness import call, sim_env, stdio_server, text_of
from zoom_rooms_mcp.simulator import Simulator, running_simulator

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CLIENT_MAX_CONCURRENCY = 8  # ZoomClient's default bound on requests in flight


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Simulator, str]]:
    sim = Simulator(rooms=400, seed=21, plan="business")  # real limits: rate_scale 1, enforced
    with running_simulator(sim) as base_url:
        yield sim, base_url


def mixed_calls(sim: Simulator, count: int) -> list[tuple[str, dict[str, Any]]]:
    """A realistic mix: listings by place and status, resolutions, and details of many different rooms."""
    places = ["Seattle", "Denver", "Munich campus", "London", "seattle building 2 floor 3", "San Jose"]
    statuses = [None, "Offline", "InMeeting"]
    calls: list[tuple[str, dict[str, Any]]] = []
    for i in range(count):
        match i % 4:
            case 0:
                args = {"location_query": places[i % len(places)], "status": statuses[i % len(statuses)]}
                calls.append(("get_zoom_rooms", {k: v for k, v in args.items() if v}))
            case 1:
                calls.append(("resolve_location", {"query": places[i % len(places)]}))
            case 2:
                calls.append(("get_room_details", {"room": sim.fleet.rooms[i % len(sim.fleet.rooms)].id}))
            case _:
                calls.append(("get_zoom_sites", {"query": places[i % len(places)], "limit": 20}))
    return calls


async def test_200_concurrent_calls_over_stdio(served: tuple[Simulator, str], tmp_path: Path) -> None:
    sim, base_url = served
    sim.reset()
    failures: list[str] = []
    with anyio.fail_after(180):
        async with Client(stdio_server(sim, base_url, tmp_path)) as client:

            async def one(tool: str, args: dict[str, Any]) -> None:
                result = await client.call_tool(tool, args)
                if result.is_error:
                    failures.append(f"{tool} {args}: {result.content}")

            async with anyio.create_task_group() as tg:
                for tool, args in mixed_calls(sim, 200):
                    tg.start_soon(one, tool, args)
            after = await call(client, "get_zoom_rooms", {"limit": 1})
    assert failures == []
    assert after["total_count"] == 400
    assert sim.stats.token_requests == 1
    assert sim.stats.rate_limited == 0  # the simulator enforces Business limits: pacing held
    assert sim.stats.peak_in_flight <= CLIENT_MAX_CONCURRENCY
    # Every room's devices once for the fleet-wide 'outdated' baseline (one read shared by all calls), plus
    # at most one more for each room whose details were asked while that read ran.
    details = {a["room"] for t, a in mixed_calls(sim, 200) if t == "get_room_details"}
    active = sum(r.status != "UnderConstruction" for r in sim.fleet.rooms)
    assert active <= sim.stats.by_endpoint["list_devices"] <= active + len(details)


async def test_eight_processes_started_at_once_make_one_token_request(
    served: tuple[Simulator, str], tmp_path: Path
) -> None:
    sim, base_url = served
    sim.reset()
    accounts: list[str] = []

    async def one_process() -> None:
        async with Client(stdio_server(sim, base_url, tmp_path)) as client:
            result = await call(client, "test_zoom_connection")
            accounts.append(result["account_id"])

    with anyio.fail_after(180):
        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(one_process)
    assert accounts == [sim.credentials.account_id] * 8
    assert sim.stats.token_requests == 1


async def test_200_concurrent_calls_over_streamable_http(served: tuple[Simulator, str], tmp_path: Path) -> None:
    sim, base_url = served
    sim.reset()
    token = "load-test-bearer-token-0123456789"
    calls = mixed_calls(sim, 200)
    failures: list[str] = []
    with http_server(sim_env(tmp_path, base_url, ZOOM_ROOMS_MCP_HTTP_TOKEN=token), tmp_path) as (url, _, _):

        async def client_batch(batch: list[tuple[str, dict[str, Any]]]) -> None:
            http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=120)
            async with http, Client(streamable_http_client(url, http_client=http)) as client:

                async def one(tool: str, args: dict[str, Any]) -> None:
                    result = await client.call_tool(tool, args)
                    if result.is_error:
                        failures.append(f"{tool} {args}: {text_of(result)}")

                async with anyio.create_task_group() as tg:
                    for tool, args in batch:
                        tg.start_soon(one, tool, args)

        with anyio.fail_after(180):
            async with anyio.create_task_group() as tg:
                for i in range(10):  # 10 clients, 20 concurrent calls each
                    tg.start_soon(client_batch, calls[i::10])
    assert failures == []
    assert sim.stats.token_requests == 1
    assert sim.stats.rate_limited == 0
    assert sim.stats.peak_in_flight <= CLIENT_MAX_CONCURRENCY
