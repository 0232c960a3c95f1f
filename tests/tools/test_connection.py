"""test_zoom_connection: token source, granted vs missing scopes per tool, failures as actionable errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.harness import call, call_error, simulator
from zoom_rooms_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

GRANULAR_ROOMS = [
    "zoom_rooms:read:list_rooms:admin",
    "zoom_rooms:read:room:admin",
    "zoom_rooms:read:list_devices:admin",
    "zoom_rooms:read:list_locations:admin",
    "zoom_rooms:read:location_hierarchy:admin",
]


async def test_success_with_every_scope(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim) as client:
        first = await call(client, "test_zoom_connection")
        second = await call(client, "test_zoom_connection")
        forced = await call(client, "test_zoom_connection", {"force_refresh": True})
    assert first["status"] == "success"
    assert first["account_id"] == sim.credentials.account_id
    assert first["client_id"] == sim.credentials.client_id
    assert first["token_cached"] is False
    assert second["token_cached"] is True
    assert forced["token_cached"] is False
    assert first["missing_scopes"] == []
    assert all(t["available"] and not t["degraded"] for t in first["tools"])
    assert "room:read:admin" in first["scopes"]
    assert 3000 < first["token_expires_in"] <= 3600
    assert sim.stats.token_requests == 2
    assert sim.credentials.client_secret not in str(first)


async def test_granular_app_without_dashboard_scopes(connect: Callable[..., Any]) -> None:
    limited = simulator(scopes=GRANULAR_ROOMS)
    async with connect(limited) as client:
        result = await call(client, "test_zoom_connection")
    assert set(result["scopes"]) == set(GRANULAR_ROOMS)
    assert "dashboard:read:issues_zoomroom:admin" in result["missing_scopes"]
    tools = {t["tool"]: t for t in result["tools"]}
    assert tools["get_zoom_rooms"]["available"] is True
    assert tools["get_fleet_health"] == {
        "tool": "get_fleet_health",
        "available": True,
        "degraded": True,
        "missing_scopes": ["dashboard:read:zoomroom:admin", "dashboard:read:list_zoomrooms:admin"],
    }
    assert tools["get_room_issues"]["available"] is False
    assert "get_room_issues" in result["message"]


async def test_a_missing_rooms_scope_is_reported_not_failed(connect: Callable[..., Any]) -> None:
    """Issue 10 item 6: the token works, these scopes are missing, these tools are affected."""
    no_rooms = simulator(scopes=[s for s in GRANULAR_ROOMS if s != "zoom_rooms:read:list_rooms:admin"])
    async with connect(no_rooms) as client:
        result = await call(client, "test_zoom_connection")
    assert result["status"] == "success"
    assert result["missing_scopes"][0] == "zoom_rooms:read:list_rooms:admin"
    tools = {t["tool"]: t for t in result["tools"]}
    assert tools["test_zoom_connection"]["available"] is True
    for name in ("get_zoom_sites", "get_zoom_rooms", "get_room_details", "get_fleet_health", "get_room_issues"):
        assert tools[name]["available"] is False, name
        assert "zoom_rooms:read:list_rooms:admin" in tools[name]["missing_scopes"]
    assert tools["resolve_location"]["available"] is True
    assert "the token works" in result["message"]
    assert "get_zoom_rooms" in result["message"]


async def test_without_the_locations_scope_room_tools_are_unavailable(connect: Callable[..., Any]) -> None:
    """Issue 10 item 7: get_room_details and get_room_issues read the tree, so they need list-locations."""
    no_locations = simulator(
        scopes=[s for s in GRANULAR_ROOMS if s != "zoom_rooms:read:list_locations:admin"] + ["dashboard:read:admin"]
    )
    async with connect(no_locations) as client:
        result = await call(client, "test_zoom_connection")
        details = await call_error(client, "get_room_details", {"room": "Everest"})
        issues = await call_error(client, "get_room_issues", {"room": "Everest"})
    tools = {t["tool"]: t for t in result["tools"]}
    assert tools["get_room_details"]["available"] is False
    assert tools["get_room_issues"]["available"] is False
    assert "zoom_rooms:read:list_locations:admin" in details
    assert "zoom_rooms:read:list_locations:admin" in issues


async def test_bad_secret_is_reported_without_the_secret(connect: Callable[..., Any], sim: Simulator) -> None:
    async with connect(sim, secret="a-wrong-secret") as client:
        text = await call_error(client, "test_zoom_connection")
    assert "ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET" in text
    assert "a-wrong-secret" not in text
    assert sim.credentials.client_secret not in text
    assert sim.stats.token_requests == 1  # a credential error is final: not retried
