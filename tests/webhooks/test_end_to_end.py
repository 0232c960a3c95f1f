"""The whole webhook path with real processes: the simulator signs and POSTs a zoomroom.alert to a real
``serve --transport http`` process, which stores it; an MCP client reads it back over HTTP, and a stdio
server on the same machine (the pairing for stdio users) sees it through the shared SQLite store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.cli.helpers import closed_port, http_server
from tests.harness import sim_env, stdio_server
from zoom_rooms_mcp.simulator import Simulator, running_simulator

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SECRET = "e2e-webhook-secret"
TOKEN = "e2e-bearer-token-0123456789"


async def alerts(client: Client) -> dict[str, Any]:
    result = await client.call_tool("get_room_alerts", {"since_minutes": 30})
    assert not result.is_error, result.content
    content = result.structured_content
    assert isinstance(content, dict)
    return content


async def wait_for_alert(client: Client, room_id: str, seconds: float = 10.0) -> dict[str, Any]:
    """Poll the other process's answer (there is no event to wait on across processes), bounded."""
    with anyio.fail_after(seconds):
        while True:
            for event in (await alerts(client))["events"]:
                if event["room_id"] == room_id and event["kind"] == "room_offline":
                    return dict(event)
            await anyio.sleep(0.1)


async def test_simulator_webhook_to_http_server_read_over_http_and_from_a_stdio_server(tmp_path: Path) -> None:
    sim = Simulator(rooms=60, seed=21)
    port = closed_port()
    hook = f"http://127.0.0.1:{port}/zoom/webhook"
    with running_simulator(sim, webhook_url=hook, webhook_secret=SECRET) as base:
        env = sim_env(
            tmp_path,
            base,
            ZOOM_WEBHOOK_SECRET_TOKEN=SECRET,
            ZOOM_ROOMS_MCP_HTTP_TOKEN=TOKEN,
            ZOOM_ROOMS_SYNC="on",
        )
        with http_server(env, tmp_path, port) as (url, proc, log):
            room = next(r for r in sim.fleet.rooms if r.status == "Available" and r.zoom_room_type == "ZoomRoom")
            http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
            async with http, Client(streamable_http_client(url, http_client=http)) as client:
                await alerts(client)  # the server is up and its store is open
                async with httpx2.AsyncClient(base_url=base) as control:
                    response = await control.put(f"/_simulator/rooms/{room.id}/status", json={"status": "Offline"})
                    assert response.status_code == 200
                event = await wait_for_alert(client, room.id)
                assert event["source"] == "webhook"
                assert event["severity"] == "critical"
                assert event["room_name"] == room.name
                assert event["location_path"]
            log.wait_for(lambda line: "webhook zoomroom.alert: stored" in line)
            assert sim.stats.webhooks_delivered >= 1
            assert sim.stats.webhooks_failed == 0

            # A stdio server (what an MCP client launches) on the same machine reads the same store.
            async with Client(stdio_server(sim, base, tmp_path)) as stdio:
                seen = await wait_for_alert(stdio, room.id)
                assert seen["source"] == "webhook"
            proc.terminate()
            assert proc.wait(timeout=20) == 0  # SIGTERM: a graceful stop
            text = "\n".join(log.rest())
            assert SECRET not in text
            assert TOKEN not in text
