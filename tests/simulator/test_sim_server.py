"""The simulator over a real loopback socket: start/stop, control routes, drop and timeout faults."""

from __future__ import annotations

import anyio
import httpx2
import pytest

from tests.simulator.simkit import BASIC, TOKEN_FORM, ManualClock
from zoom_rooms_mcp.simulator import Simulator, running_simulator, serve_simulator

pytestmark = pytest.mark.anyio


async def test_running_simulator_serves_zoom_and_control_routes(sim: Simulator) -> None:
    with running_simulator(sim) as base:
        assert base.startswith("http://127.0.0.1:")
        async with httpx2.AsyncClient(base_url=base, timeout=5) as client:
            token = (await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)).json()
            assert token["api_url"] == base
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            rooms = await client.get("/v2/rooms", params={"query_name": "Everest"}, headers=headers)
            assert rooms.status_code == 200
            assert rooms.json()["rooms"][0]["name"] == "Everest"
            created = await client.post(
                "/_simulator/faults", json={"kind": "status", "path": "/v2/rooms", "status": 500}
            )
            assert created.status_code == 201
            assert (await client.get("/v2/rooms", headers=headers)).status_code == 500
            stats = (await client.get("/_simulator/stats")).json()
            assert stats["by_endpoint"] == {"token": 1, "list_rooms": 2}


async def test_drop_and_timeout_over_a_socket(sim: Simulator) -> None:
    sim.faults.add("drop", "/v2/rooms")
    sim.faults.add("timeout", "/oauth/token", delay=30)
    with running_simulator(sim) as base:
        async with httpx2.AsyncClient(base_url=base, timeout=httpx2.Timeout(5, read=0.3)) as client:
            with pytest.raises(httpx2.RemoteProtocolError):
                await client.get("/v2/rooms")
            with pytest.raises(httpx2.ReadTimeout):
                await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)
            # The server is still healthy for the next caller.
            assert (await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)).status_code == 200
    assert sim.stats.in_flight == 0
    assert sim.stats.by_endpoint["token"] == 2


def test_only_loopback_addresses(sim: Simulator) -> None:
    for host in ("0.0.0.0", "192.0.2.10", "example.com"):
        with pytest.raises(ValueError, match="loopback"), running_simulator(sim, host=host):
            pass  # pragma: no cover


async def test_serve_simulator_reports_its_urls_and_stops_when_cancelled(sim_clock: ManualClock) -> None:
    sim = Simulator(rooms=40, clock=sim_clock)
    urls: list[str] = []
    ready = anyio.Event()

    def on_ready(token_url: str, api_base_url: str) -> None:
        urls.extend((token_url, api_base_url))
        ready.set()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: serve_simulator(sim, ready=on_ready))
            await ready.wait()
            token_url, api_base_url = urls
            assert token_url.endswith("/oauth/token")
            assert api_base_url.endswith("/v2")
            async with httpx2.AsyncClient(timeout=5) as client:
                token = (await client.post(token_url, auth=BASIC, data=TOKEN_FORM)).json()["access_token"]
                structure = await client.get(
                    f"{api_base_url}/rooms/locations/structure", headers={"Authorization": f"Bearer {token}"}
                )
                assert structure.json()["structures"][-1] == "floor"
            group.cancel_scope.cancel()
