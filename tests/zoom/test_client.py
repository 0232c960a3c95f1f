"""The Zoom client: retries, 401 recovery, rate limits, typed errors, pagination, path safety."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs

import anyio
import httpx2
import pytest

from tests.conftest import FakeClock
from tests.zoom.fakes import API, TOKEN_URL, FakeZoom, token_manager, zoom_json
from zoom_rooms_mcp.zoom.client import ZoomClient
from zoom_rooms_mcp.zoom.errors import (
    InvalidIdentifierError,
    ZoomAuthError,
    ZoomNetworkError,
    ZoomNotFoundError,
    ZoomPlanError,
    ZoomRateLimitError,
    ZoomRequestError,
    ZoomResponseError,
    ZoomScopeError,
    ZoomServerError,
)
from zoom_rooms_mcp.zoom.pacing import Pacer

pytestmark = pytest.mark.anyio

ROOMS = "/v2/rooms"


def make_client(zoom: FakeZoom, clock: FakeClock, cache_dir: Path | None = None) -> ZoomClient:
    http = httpx2.AsyncClient(transport=zoom.transport())
    tokens = token_manager(http, cache_dir, clock=clock)
    return ZoomClient(
        http=http,
        tokens=tokens,
        base_url=API,
        pacer=Pacer("pro", clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
    )


async def test_get_sends_bearer_token_and_returns_json(clock: FakeClock) -> None:
    zoom = FakeZoom()
    client = make_client(zoom, clock)
    body = await client.get("get_room", "room-1")
    assert body == {"ok": True, "path": "/v2/rooms/room-1"}
    assert zoom.api_calls[0].headers["Authorization"] == "Bearer tok-1"


async def test_pagination_reads_every_page_with_page_size_300(clock: FakeClock) -> None:
    zoom = FakeZoom()
    pages = {"": ("p2", 0), "p2": ("p3", 300), "p3": ("", 600)}

    def rooms(request: httpx2.Request) -> httpx2.Response:
        query = parse_qs(request.url.query.decode())
        assert query["page_size"] == ["300"]
        assert query["status"] == ["Offline"]  # the other filters ride along on every page
        next_token, start = pages[query.get("next_page_token", [""])[0]]
        items = [{"id": f"r{i}"} for i in range(start, start + (300 if next_token else 7))]
        return zoom_json(200, {"rooms": items, "next_page_token": next_token, "page_size": 300})

    zoom.api_default = rooms
    client = make_client(zoom, clock)
    items = await client.get_all("list_rooms", items="rooms", params={"status": "Offline"})
    assert len(items) == 607
    assert items[-1] == {"id": "r606"}
    assert len(zoom.api_calls) == 3


async def test_401_after_a_token_cached_on_disk_gets_exactly_one_new_token(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom()
    earlier_process = make_client(zoom, clock, tmp_path)
    await earlier_process.get("get_room", "r1")
    zoom.valid_tokens.clear()  # Zoom revokes tok-1 (app credentials rotated, say)
    client = make_client(zoom, clock, tmp_path)  # a new process: loads tok-1 from the file
    body = await client.get("get_room", "r1")
    assert body["ok"] is True
    assert zoom.token_requests == 2  # one per process: the retry fetched exactly one new token
    assert [c.headers["Authorization"] for c in zoom.api_calls[1:]] == ["Bearer tok-1", "Bearer tok-2"]
    # The stale token is gone from disk too, so a third process does not reload it.
    third = make_client(zoom, clock, tmp_path)
    await third.get("get_room", "r1")
    assert zoom.token_requests == 2
    assert zoom.api_calls[-1].headers["Authorization"] == "Bearer tok-2"


async def test_persistent_401_is_an_auth_error_after_one_retry(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [zoom_json(401, {"code": 124, "message": "Invalid access token."})] * 5
    client = make_client(zoom, clock)
    with pytest.raises(ZoomAuthError, match="freshly issued"):
        await client.get("list_rooms")
    assert len(zoom.api_calls) == 2
    assert zoom.token_requests == 2


async def test_qps_429_is_retried_after_retry_after(clock: FakeClock) -> None:
    zoom = FakeZoom()
    limited = zoom_json(
        429,
        {"code": 429, "message": "You have reached the maximum per-second rate limit for this API. Try again later."},
        **{"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS", "Retry-After": "2"},
    )
    zoom.api_script[ROOMS] = [limited]
    client = make_client(zoom, clock)
    clock.sleeps.clear()
    assert (await client.get("list_rooms"))["ok"] is True
    assert len(zoom.api_calls) == 2
    assert 2.0 in clock.sleeps


async def test_qps_429_without_headers_backs_off_with_jitter_and_gives_up(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [zoom_json(429, {"code": 429, "message": "slow down"})] * 10
    client = make_client(zoom, clock)
    with pytest.raises(ZoomRateLimitError) as info:
        await client.get("list_rooms")
    assert info.value.daily is False
    assert len(zoom.api_calls) == 4  # bounded
    backoffs = [s for s in clock.sleeps if s >= 0.1]
    assert len(backoffs) == 3
    assert all(0 < s <= 4.0 for s in backoffs)


async def test_daily_429_is_not_retried_and_reports_the_reset_time(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [
        zoom_json(
            429,
            {"code": 429, "message": "You have reached the maximum daily rate limit for this API."},
            **{
                "X-RateLimit-Category": "Heavy",
                "X-RateLimit-Type": "Daily-limit",
                "X-RateLimit-Limit": "30000",
                "X-RateLimit-Remaining": "0",
                "Retry-After": "2027-01-01T00:00:00Z",
            },
        )
    ]
    client = make_client(zoom, clock)
    with pytest.raises(ZoomRateLimitError) as info:
        await client.get("list_rooms")
    assert info.value.daily is True
    assert info.value.reset_at is not None
    assert "2027-01-01 00:00 UTC" in info.value.message
    assert len(zoom.api_calls) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_retried_a_bounded_number_of_times(clock: FakeClock, status: int) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [httpx2.Response(status, content=b"<html><h1>Bad gateway</h1></html>")] * 10
    client = make_client(zoom, clock)
    with pytest.raises(ZoomServerError) as info:
        await client.get("list_rooms")
    assert len(zoom.api_calls) == 4
    assert "<html>" not in info.value.message


async def test_5xx_once_then_success(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [zoom_json(503, {})]
    client = make_client(zoom, clock)
    assert (await client.get("list_rooms"))["ok"] is True
    assert len(zoom.api_calls) == 2


@pytest.mark.parametrize(
    "failure",
    [httpx2.ReadTimeout("slow"), httpx2.ConnectError("refused"), httpx2.RemoteProtocolError("dropped")],
    ids=["timeout", "refused", "dropped"],
)
async def test_network_failures_are_retried_then_reported(clock: FakeClock, failure: Exception) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [failure] * 10
    client = make_client(zoom, clock)
    with pytest.raises(ZoomNetworkError):
        await client.get("list_rooms")
    assert len(zoom.api_calls) == 4


@pytest.mark.parametrize(
    "body", [b"{truncated", b"<html>maintenance</html>", b"[1, 2]", b""], ids=["truncated", "html", "list", "empty"]
)
async def test_malformed_bodies_are_retried_then_reported(clock: FakeClock, body: bytes) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [httpx2.Response(200, content=body)] * 10
    client = make_client(zoom, clock)
    with pytest.raises(ZoomResponseError) as info:
        await client.get("list_rooms")
    assert len(zoom.api_calls) == 4
    assert "maintenance" not in info.value.message


async def test_missing_scope_4711_names_the_scopes(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script["/v2/metrics/zoomrooms"] = [
        zoom_json(
            400,
            {
                "code": 4711,
                "message": "Invalid access token, does not contain scopes:[dashboard:read:list_zoomrooms:admin].",
            },
        )
    ]
    client = make_client(zoom, clock)
    with pytest.raises(ZoomScopeError) as info:
        await client.get("dashboard_rooms")
    assert info.value.scopes == ["dashboard:read:list_zoomrooms:admin"]
    assert "dashboard:read:list_zoomrooms:admin" in info.value.message
    assert "Marketplace" in info.value.message
    assert len(zoom.api_calls) == 1


async def test_scope_error_without_a_parsable_list_falls_back_to_the_catalogue(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [zoom_json(400, {"code": 4711, "message": "<b>nope</b>"})]
    with pytest.raises(ZoomScopeError) as info:
        await make_client(zoom, clock).get("list_rooms")
    assert info.value.scopes == ["zoom_rooms:read:list_rooms:admin"]


@pytest.mark.parametrize(
    ("key", "path", "body", "resource"),
    [
        ("get_room", "/v2/rooms/abc", {"code": 1012, "message": "Room not found: abc."}, "room"),
        ("get_location", "/v2/rooms/locations/abc", {"code": 4801, "message": "Location not found: abc."}, "location"),
    ],
)
async def test_not_found_codes(clock: FakeClock, key: str, path: str, body: dict[str, object], resource: str) -> None:
    zoom = FakeZoom()
    zoom.api_script[path] = [zoom_json(404, body)]
    with pytest.raises(ZoomNotFoundError) as info:
        await make_client(zoom, clock).get(key, "abc")
    assert info.value.resource == resource
    assert len(zoom.api_calls) == 1


async def test_plan_and_request_errors(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script["/v2/metrics/zoomrooms"] = [
        zoom_json(400, {"code": 200, "message": "Only available for Paid account."})
    ]
    zoom.api_script[ROOMS] = [zoom_json(400, {"code": 300, "message": "The next page token is invalid or expired."})]
    client = make_client(zoom, clock)
    with pytest.raises(ZoomPlanError, match="Business"):
        await client.get("dashboard_rooms")
    with pytest.raises(ZoomRequestError, match="pagination token expired"):
        await client.get("list_rooms")


@pytest.mark.parametrize("bad", ["../users", "..", ".", "", "a/b", "a?b=c", "a#b", "x" * 129, "a\nb", "%2e%2e"])
async def test_unsafe_ids_never_reach_the_network(clock: FakeClock, bad: str) -> None:
    zoom = FakeZoom()
    with pytest.raises(InvalidIdentifierError):
        await make_client(zoom, clock).get("get_room", bad)
    assert zoom.api_calls == []


async def test_odd_but_valid_ids_are_encoded_within_their_segment(clock: FakeClock) -> None:
    zoom = FakeZoom()
    client = make_client(zoom, clock)
    await client.get("list_devices", "a+b=c~d..e")
    assert zoom.api_calls[0].url.raw_path.decode() == "/v2/rooms/a%2Bb%3Dc~d..e/devices"


async def test_requests_queued_for_a_connection_slot_do_not_burst_when_slots_free_up() -> None:
    """Regression: pacing happened before waiting for a concurrency slot, so requests admitted while
    slow responses held every slot left together when they completed (79 requests/s against 60)."""
    departures: list[float] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if str(request.url) == TOKEN_URL:
            return zoom_json(200, {"access_token": "tok", "expires_in": 3600, "scope": "room:read:admin"})
        departures.append(time.monotonic())
        if len(departures) <= 8:
            await anyio.sleep(0.5)  # the first requests are slow: every slot is held, later ones queue
        return zoom_json(200, {})

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    tokens = token_manager(http)
    pacer = Pacer("pro", scale=5)  # Medium: a limit of 100 requests/s; the pacer aims at 85
    client = ZoomClient(http=http, tokens=tokens, base_url=API, pacer=pacer, max_concurrency=8)
    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            for i in range(120):
                tg.start_soon(client.get, "get_room", f"room-{i}")
    window = [t for t in departures if t - departures[0] < 10]
    busiest = max(sum(1 for t in window if start <= t < start + 1.0) for start in window)
    assert busiest <= 100  # the (scaled) limit Zoom enforces
