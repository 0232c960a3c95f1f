"""The client's recovery rules (issue 10): daily 429 by any sign, one token refresh per call, code 124 under
any status, a stale token's missing scope, and what Zoom's rate-limit headers tell the pacer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from tests.conftest import FakeClock
from tests.zoom.fakes import ACCOUNT, API, FakeZoom, token_manager, zoom_json
from zoom_rooms_mcp.zoom.catalog import Category
from zoom_rooms_mcp.zoom.client import ZoomClient
from zoom_rooms_mcp.zoom.errors import ZoomAuthError, ZoomRateLimitError, ZoomScopeError
from zoom_rooms_mcp.zoom.pacing import Pacer

pytestmark = pytest.mark.anyio

ROOMS = "/v2/rooms"
DASHBOARD = "/v2/metrics/zoomrooms"
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. "
    "Refer to the response header for details on when you can make another request."
)
# FakeClock starts at 2027-01-15 08:00 UTC.
NEXT_MIDNIGHT = datetime(2027, 1, 16, tzinfo=UTC)


def make_client(zoom: FakeZoom, clock: FakeClock, cache_dir: Path | None = None) -> ZoomClient:
    http = httpx2.AsyncClient(transport=zoom.transport())
    return ZoomClient(
        http=http,
        tokens=token_manager(http, cache_dir, clock=clock),
        base_url=API,
        pacer=Pacer("business", clock=clock, sleep=clock.sleep, wall_clock=clock),
        sleep=clock.sleep,
        wall_clock=clock,
    )


@pytest.mark.parametrize(
    ("headers", "message", "reset"),
    [
        ({"X-RateLimit-Type": "Daily-limit"}, "slow down", NEXT_MIDNIGHT),
        ({"Retry-After": "2027-01-16T00:00:00Z"}, "Too many requests.", NEXT_MIDNIGHT),
        ({"Retry-After": "Sat, 16 Jan 2027 00:00:00 GMT"}, "Too many requests.", NEXT_MIDNIGHT),
        ({}, DAILY_MESSAGE, NEXT_MIDNIGHT),
        ({"X-RateLimit-Type": "QPS", "Retry-After": "2027-01-17T00:00:00Z"}, "", datetime(2027, 1, 17, tzinfo=UTC)),
    ],
    ids=["type-header-only", "iso-retry-after-only", "http-date-retry-after-only", "body-only", "date-wins"],
)
async def test_a_daily_429_is_recognised_by_any_sign_and_never_retried(
    clock: FakeClock, headers: dict[str, str], message: str, reset: datetime
) -> None:
    """Regression: without ``X-RateLimit-Type`` a daily 429 was retried 4 times as a per-second limit."""
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [zoom_json(429, {"code": 429, "message": message}, **headers)] * 5
    client = make_client(zoom, clock)
    with pytest.raises(ZoomRateLimitError) as info:
        await client.get("list_rooms")
    assert len(zoom.api_calls) == 1
    assert info.value.daily is True
    assert info.value.reset_at == reset
    assert f"{reset:%Y-%m-%d %H:%M} UTC" in info.value.message
    assert "per-second" not in info.value.message


async def test_a_daily_429_stops_the_sync_lane_until_the_reset(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script["/v2/metrics/zoomrooms/issues"] = [zoom_json(429, {"code": 429, "message": DAILY_MESSAGE})]
    client = make_client(zoom, clock)
    with pytest.raises(ZoomRateLimitError):
        await client.get("dashboard_top_issues")
    # Heavy and Resource-intensive share the paid plans' daily cap: the sync spends neither until 00:00 UTC.
    with pytest.raises(ZoomRateLimitError, match="kept for tool calls") as info:
        await client.get("dashboard_rooms", lane="sync")
    assert info.value.daily
    assert len(zoom.api_calls) == 1  # the sync request never left
    assert (await client.get("dashboard_rooms"))["ok"] is True  # a tool call still may (Zoom decides)


@pytest.mark.parametrize(
    "rejection",
    [
        zoom_json(401, {"code": 124, "message": "Invalid access token."}),
        zoom_json(400, {"code": 124, "message": "Access token is expired."}),
    ],
    ids=["401", "400"],
)
async def test_401_503_401_refreshes_once_then_fails(clock: FakeClock, rejection: httpx2.Response) -> None:
    """Regression: the 401 retry sat inside the 5xx loop, so each 401 of a 401 → 503 → 401 … series
    fetched another token."""
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [rejection, zoom_json(503, {}), rejection, zoom_json(503, {})]
    client = make_client(zoom, clock)
    with pytest.raises(ZoomAuthError, match="freshly issued"):
        await client.get("list_rooms")
    assert zoom.token_requests == 2  # the first token, and one refresh
    assert client.token_refreshes == 1
    assert len(zoom.api_calls) == 3


async def test_code_124_under_http_400_refreshes_the_token_and_retries(tmp_path: Path, clock: FakeClock) -> None:
    """Regression: Zoom documents 124 under 400 too; it was reported as a bad request."""
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [zoom_json(400, {"code": 124, "message": "Access token is expired."})]
    client = make_client(zoom, clock, tmp_path)
    assert (await client.get("list_rooms"))["ok"] is True
    assert zoom.token_requests == 2
    assert [c.headers["Authorization"] for c in zoom.api_calls] == ["Bearer tok-1", "Bearer tok-2"]
    cached = json.loads((tmp_path / f"zoom_token_{ACCOUNT}.json").read_text())
    assert cached["access_token"] == "tok-2"


def _missing_scope() -> httpx2.Response:
    return zoom_json(
        400,
        {
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:[dashboard:read:list_zoomrooms:admin].",
        },
    )


async def test_a_scope_added_after_the_token_was_issued_is_picked_up_at_once(tmp_path: Path, clock: FakeClock) -> None:
    """Regression: a token issued before the admin added a scope lacked it for up to an hour."""
    zoom = FakeZoom(scopes="room:read:admin")
    earlier = make_client(zoom, clock, tmp_path)
    await earlier.get("list_rooms")  # tok-1, without any dashboard scope, cached in memory and on disk
    zoom.scopes = "room:read:admin dashboard:read:list_zoomrooms:admin"  # the admin adds the scope
    zoom.api_script[DASHBOARD] = [_missing_scope()]  # Zoom judges tok-1 by its issue-time scopes
    client = make_client(zoom, clock, tmp_path)  # e.g. another process, reading tok-1 from the file
    assert (await client.get("dashboard_rooms"))["ok"] is True
    assert zoom.token_requests == 2
    assert zoom.api_calls[-1].headers["Authorization"] == "Bearer tok-2"
    cached = json.loads((tmp_path / f"zoom_token_{ACCOUNT}.json").read_text())
    assert cached["access_token"] == "tok-2"  # the stale token is gone from disk too
    assert "dashboard:read:list_zoomrooms:admin" in cached["scopes"]


async def test_a_scope_the_app_still_lacks_is_reported_after_one_refresh_without_promises(clock: FakeClock) -> None:
    zoom = FakeZoom(scopes="room:read:admin")
    client = make_client(zoom, clock)
    await client.get("list_rooms")
    zoom.api_script[DASHBOARD] = [_missing_scope(), _missing_scope(), _missing_scope()]
    with pytest.raises(ZoomScopeError) as info:
        await client.get("dashboard_rooms")
    assert zoom.token_requests == 2  # one refresh, not one per 4711
    assert len(zoom.api_calls) == 3
    assert info.value.scopes == ["dashboard:read:list_zoomrooms:admin"]
    assert "issued just now lacks it too" in info.value.message
    assert "fetches a token" not in info.value.message


async def test_a_cached_token_that_has_the_scope_is_not_refreshed_for_4711(clock: FakeClock) -> None:
    zoom = FakeZoom(scopes="room:read:admin dashboard:read:list_zoomrooms:admin")
    client = make_client(zoom, clock)
    await client.get("list_rooms")
    zoom.api_script[DASHBOARD] = [_missing_scope()]
    with pytest.raises(ZoomScopeError) as info:
        await client.get("dashboard_rooms")
    assert zoom.token_requests == 1  # a new token would carry the same scopes: no point
    assert "issued just now" not in info.value.message


async def test_rate_limit_headers_shrink_the_sync_share(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_default = lambda request: zoom_json(
        200, {"rooms": []}, **{"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "350"}
    )
    client = make_client(zoom, clock)
    medium = client.pacer.category(Category.MEDIUM)
    assert medium.current_sync_share() == pytest.approx(0.5)
    await client.get("list_rooms")
    assert medium.current_sync_share() == pytest.approx(0.25)  # 35 % left: half of the sync's share


async def test_a_per_second_429_backs_the_sync_lane_off_while_the_tool_call_retries(clock: FakeClock) -> None:
    zoom = FakeZoom()
    zoom.api_script[ROOMS] = [
        zoom_json(429, {"code": 429, "message": "slow down"}, **{"X-RateLimit-Type": "QPS", "Retry-After": "1"})
    ]
    client = make_client(zoom, clock)
    started = clock.now
    assert (await client.get("list_rooms"))["ok"] is True  # the tool call retried after Retry-After
    medium = client.pacer.category(Category.MEDIUM)
    assert medium.sync_backoff_until >= started + 1
    assert medium.sent_by_lane == {"tool": 2, "sync": 0}


async def test_sync_lane_requests_go_through_the_sync_lane(clock: FakeClock) -> None:
    zoom = FakeZoom()
    pages = iter([{"rooms": [{"id": "a"}], "next_page_token": "p2"}, {"rooms": [{"id": "b"}], "next_page_token": ""}])
    zoom.api_default = lambda request: zoom_json(200, next(pages))
    client = make_client(zoom, clock)
    assert await client.get_all("list_rooms", items="rooms", lane="sync") == [{"id": "a"}, {"id": "b"}]
    assert client.pacer.category(Category.MEDIUM).sent_by_lane == {"tool": 0, "sync": 2}
