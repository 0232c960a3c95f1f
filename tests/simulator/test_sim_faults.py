"""Fault injection, stats and the HTTP control routes, in-process."""

from __future__ import annotations

import json

import anyio
import httpx2
import pytest

from tests.simulator.simkit import BASIC, TOKEN_FORM, Api, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.simulator.ratelimit import DAILY_MESSAGE, QPS_MESSAGE

pytestmark = pytest.mark.anyio


async def test_status_fault_is_one_shot_by_default(api: Api, sim: Simulator) -> None:
    rule = sim.faults.add("status", "/v2/rooms*", status=503)
    failed = await api.get("/rooms")
    assert (failed.status_code, failed.json()) == (503, {"code": 503, "message": "Service Unavailable."})
    assert (await api.get("/rooms")).status_code == 200
    assert sim.faults.rules == []
    assert rule.id == 1


async def test_status_fault_with_code_message_times_and_method(api: Api, sim: Simulator) -> None:
    sim.faults.add("status", "/v2/rooms", method="POST", status=500)
    rule = sim.faults.add(
        "status", "/v2/rooms", method="get", times=2, status=401, code=124, message="Invalid access token."
    )
    assert sim.faults.remaining(rule.id) == 2
    for _ in range(2):
        response = await api.get("/rooms")
        assert (response.status_code, response.json()) == (401, {"code": 124, "message": "Invalid access token."})
    assert (await api.get("/rooms")).status_code == 200
    assert [r.method for r in sim.faults.rules] == ["POST"]


async def test_persistent_fault_until_removed(api: Api, sim: Simulator) -> None:
    rule = sim.faults.add("status", "/v2/metrics/*", times=None, status=502)
    for _ in range(3):
        assert (await api.get("/metrics/zoomrooms")).status_code == 502
    assert (await api.get("/rooms")).status_code == 200  # glob does not match
    assert sim.faults.remaining(rule.id) is None
    assert sim.faults.remove(rule.id)
    assert not sim.faults.remove(rule.id)
    assert (await api.get("/metrics/zoomrooms")).status_code == 200


async def test_injected_rate_limits(api: Api, sim: Simulator) -> None:
    sim.faults.add("rate_limit_qps", "/v2/rooms")
    sim.faults.add("rate_limit_qps", "/v2/rooms", retry_after=2.5)
    sim.faults.add("rate_limit_daily", "/v2/metrics/zoomrooms/issues")
    plain, with_retry = await api.get("/rooms"), await api.get("/rooms")
    for response in (plain, with_retry):
        assert (response.status_code, response.json()) == (429, {"code": 429, "message": QPS_MESSAGE})
        assert response.headers["x-ratelimit-type"] == "QPS"
        assert response.headers["x-ratelimit-category"] == "Medium"
    assert "retry-after" not in plain.headers
    assert with_retry.headers["retry-after"] == "3"
    daily = await api.get("/metrics/zoomrooms/issues", **{"from": "2027-01-01", "to": "2027-01-15"})
    assert (daily.status_code, daily.json()) == (429, {"code": 429, "message": DAILY_MESSAGE})
    assert daily.headers["x-ratelimit-type"] == "Daily-limit"
    assert daily.headers["x-ratelimit-category"] == "Heavy"
    assert daily.headers["x-ratelimit-limit"] == "60000"
    assert daily.headers["x-ratelimit-remaining"] == "0"
    assert daily.headers["retry-after"] == "2027-01-16T00:00:00Z"
    assert sim.stats.rate_limited == 3


async def test_malformed_json_and_html(api: Api, sim: Simulator) -> None:
    whole = (await api.get("/rooms")).content
    sim.faults.add("malformed_json", "/v2/rooms")
    cut = await api.get("/rooms")
    assert cut.status_code == 200
    assert cut.headers["content-type"] == "application/json"
    assert whole.startswith(cut.content)
    assert 0 < len(cut.content) < len(whole)
    with pytest.raises(json.JSONDecodeError):
        cut.json()
    sim.faults.add("html", "/v2/*")
    page = await api.get("/rooms")
    assert page.status_code == 502
    assert page.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in page.text
    sim.faults.add("html", "/v2/*", status=504)
    assert (await api.get("/rooms")).status_code == 504


async def test_timeout_and_drop_raise_at_once_in_process(api: Api, sim: Simulator) -> None:
    sim.faults.add("timeout", "/v2/rooms", delay=30)
    sim.faults.add("drop", "/v2/rooms")
    with anyio.fail_after(5):
        with pytest.raises(httpx2.ReadTimeout):
            await api.get("/rooms")
        with pytest.raises(httpx2.RemoteProtocolError):
            await api.get("/rooms")
    assert (await api.get("/rooms")).status_code == 200
    assert sim.stats.in_flight == 0
    assert sim.stats.by_endpoint["list_rooms"] == 3


async def test_revoke_fault_revokes_at_that_moment(api: Api, sim: Simulator) -> None:
    sim.faults.add("revoke", "/v2/rooms/locations")
    assert (await api.get("/rooms")).status_code == 200
    revoked = await api.get("/rooms/locations")
    assert (revoked.status_code, revoked.json()["code"]) == (401, 124)
    assert (await api.get("/rooms")).status_code == 401
    fresh = Api(api.client, await fetch_token(api.client))
    assert (await fresh.get("/rooms/locations")).status_code == 200


async def test_token_endpoint_faults(sim: Simulator) -> None:
    sim.faults.add("status", "/oauth/token", status=500)
    sim.faults.add("malformed_json", "/oauth/token")
    sim.faults.add("timeout", "/oauth/token")
    async with in_process_client(sim) as client:
        assert (await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)).status_code == 500
        cut = await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)
        assert cut.status_code == 200
        assert cut.text.startswith('{"access_token":"eyJ')
        with pytest.raises(json.JSONDecodeError):
            cut.json()
        with pytest.raises(httpx2.ReadTimeout):
            await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)
        assert (await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)).status_code == 200
    assert sim.stats.token_requests == 4


async def test_slow_requests_show_in_peak_concurrency(api: Api, sim: Simulator) -> None:
    sim.faults.add("slow", "/v2/rooms", times=None, delay=0.2)
    statuses: list[int] = []

    async def one() -> None:
        statuses.append((await api.get("/rooms")).status_code)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(one)
            await sim.stats.wait_until(lambda s: s.in_flight == 4)
            assert statuses == []  # all four are being held
    assert statuses == [200] * 4
    assert sim.stats.peak_in_flight == 4
    assert sim.stats.in_flight == 0


async def test_latency_delays_every_request(api: Api, sim: Simulator) -> None:
    sim.faults.latency = 0.2

    async def call() -> None:
        assert (await api.get("/rooms")).status_code == 200

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(call)
            await sim.stats.wait_until(lambda s: s.in_flight == 1)
            assert sim.stats.by_status[200] == 1  # only the token request has been answered
    assert sim.stats.by_status[200] == 2  # the token request and this one
    sim.faults.clear()
    assert sim.faults.latency == 0


async def test_stats_count_and_log_requests(api: Api, sim: Simulator) -> None:
    await api.get("/rooms", page_size=5)
    await api.get("/rooms/locations/structure")
    await api.get("/users")
    stats = sim.stats
    assert stats.total_requests == 4
    assert stats.token_requests == 1
    assert dict(stats.by_endpoint) == {"token": 1, "list_rooms": 1, "location_structure": 1, "unknown": 1}
    assert list(stats.log) == [
        ("POST", "/oauth/token", ""),
        ("GET", "/v2/rooms", "page_size=5"),
        ("GET", "/v2/rooms/locations/structure", ""),
        ("GET", "/v2/users", ""),
    ]
    assert all(path.startswith(("/v2/rooms", "/v2/metrics", "/oauth/token")) for _, path, _ in list(stats.log)[:3])
    assert stats.by_status == {200: 3, 404: 1}
    sim.reset()
    assert (stats.total_requests, stats.log, dict(stats.by_endpoint)) == (0, type(stats.log)(), {})


async def test_control_routes(api: Api, sim: Simulator) -> None:
    client = api.client
    created = await client.post(
        "/_simulator/faults", json={"kind": "status", "path": "/v2/rooms", "status": 503, "times": 2}
    )
    assert created.status_code == 201
    rule = created.json()
    assert rule["id"] >= 1
    assert rule["remaining"] == 2
    assert rule["kind"] == "status"
    assert (await api.get("/rooms")).status_code == 503
    listed = (await client.get("/_simulator/faults")).json()
    assert listed["latency"] == 0
    assert [r["remaining"] for r in listed["rules"]] == [1]
    assert (await client.delete("/_simulator/faults", params={"id": str(rule["id"])})).json()["rules"] == []
    assert (await client.delete("/_simulator/faults", params={"id": "999"})).status_code == 404
    assert (await client.post("/_simulator/faults", json={"latency": 0.0})).status_code == 200
    for bad in (
        {"kind": "explode"},
        {"kind": "status", "status": 200},
        {"kind": "status", "times": 0},
        {"latency": -1},
        [1],
    ):
        response = await client.post("/_simulator/faults", json=bad)
        assert response.status_code == 400, bad
        assert "error" in response.json()
    assert (await client.post("/_simulator/faults", content=b"{not json")).status_code == 400
    await client.post("/_simulator/faults", json={"kind": "status", "times": None})
    assert (await client.get("/_simulator/stats")).status_code == 200  # control routes are never faulted
    assert (await client.delete("/_simulator/faults")).json() == {"latency": 0.0, "rules": []}

    assert (await client.post("/_simulator/revoke")).json() == {"revoked": True}
    assert (await api.get("/rooms")).status_code == 401
    scopes = await client.put("/_simulator/scopes", json={"scopes": "zoom_rooms:read:list_rooms:admin room:read:admin"})
    assert scopes.json() == {"scopes": ["zoom_rooms:read:list_rooms:admin", "room:read:admin"]}
    assert (
        await client.put("/_simulator/scopes", json={"scopes": ["room:read:admin"], "revoke": False})
    ).status_code == 200
    assert (await client.get("/_simulator/scopes")).json() == {"scopes": ["room:read:admin"]}
    assert (await client.put("/_simulator/scopes", json={"nope": 1})).status_code == 400

    stats = (await client.get("/_simulator/stats")).json()
    assert stats["by_endpoint"]["list_rooms"] == 2
    assert stats["by_status"]["503"] == 1
    assert ["GET", "/v2/rooms", ""] in stats["log"]
    assert not any(path.startswith("/_simulator") for _, path, _ in stats["log"])
    assert (await client.post("/_simulator/reset")).json() == {"reset": True}
    assert (await client.get("/_simulator/stats")).json()["total_requests"] == 0
