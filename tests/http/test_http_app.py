"""The streamable HTTP app in-process (real uvicorn on loopback): MCP with a bearer token, 401s, Host/Origin
checks, /healthz, access logs without secrets, and the bind rules."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.http.conftest import TOKEN, demo_settings, running_app
from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.http_transport import build_http_app, check_bind, security_settings
from zoom_rooms_mcp.settings import ConfigError

pytestmark = pytest.mark.anyio

LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_mcp_client_session_with_the_token(http_base: str) -> None:
    http = httpx2.AsyncClient(headers=auth(), timeout=30)
    async with http, Client(streamable_http_client(f"{http_base}/mcp", http_client=http)) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert tools >= {"test_zoom_connection", "get_zoom_rooms", "get_fleet_health", "get_room_issues"}
        result = await client.call_tool("get_zoom_rooms", {"location_query": "Seattle", "status": "Offline"})
        assert not result.is_error
        assert result.structured_content is not None
        rooms = result.structured_content["rooms"]
        assert rooms
        assert all(r["status"] == "Offline" and "Seattle" in r["location_path"] for r in rooms)
        connection = await client.call_tool("test_zoom_connection", {})
        assert connection.structured_content is not None
        assert connection.structured_content["demo"] is True


async def test_missing_token_gets_401_with_a_bearer_challenge(http_base: str) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        response = await http.post(f"{http_base}/mcp", json=LIST_TOOLS, headers=MCP_HEADERS)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="zoom-rooms-mcp"'
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
async def test_wrong_token_gets_401(http_base: str, header: str) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{http_base}/mcp", json=LIST_TOOLS, headers={**MCP_HEADERS, "Authorization": header}
        )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="zoom-rooms-mcp"')
    assert TOKEN not in response.text


def messages(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return " | ".join(messages(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


async def test_mcp_client_with_a_wrong_token_fails(http_base: str) -> None:
    http = httpx2.AsyncClient(headers=auth("nope"), timeout=10)
    with pytest.raises(BaseException) as raised:  # noqa: PT011 - the SDK wraps it in exception groups
        async with http, Client(streamable_http_client(f"{http_base}/mcp", http_client=http)) as client:
            await client.list_tools()
    assert "Server returned an error response" in messages(raised.value)  # the 401, as the SDK reports it


async def test_bearer_scheme_is_case_insensitive(http_base: str) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{http_base}/mcp", json=LIST_TOOLS, headers={**MCP_HEADERS, "Authorization": f"bearer {TOKEN}"}
        )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "evil.example"}, 421),
        ({"Host": "evil.example:8000"}, 421),
        ({"Origin": "http://evil.example"}, 403),
        ({"Host": "localhost"}, 200),
    ],
)
async def test_dns_rebinding_protection(http_base: str, headers: dict[str, str], status: int) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        response = await http.post(f"{http_base}/mcp", json=LIST_TOOLS, headers={**MCP_HEADERS, **auth(), **headers})
    assert response.status_code == status


async def test_healthz_needs_no_token(http_base: str) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        response = await http.get(f"{http_base}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "name": "zoom-rooms-mcp", "version": __version__}


async def test_access_log_has_no_secrets(http_base: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="zoom_rooms_mcp.http.access")
    async with httpx2.AsyncClient(timeout=10) as http:
        await http.post(
            f"{http_base}/mcp?access_token=leaked-{TOKEN}", json=LIST_TOOLS, headers={**MCP_HEADERS, **auth()}
        )
        await http.get(f"{http_base}/healthz?token=also-secret")
    lines = [r.getMessage() for r in caplog.records if r.name == "zoom_rooms_mcp.http.access"]
    assert any('"POST /mcp HTTP/1.1" 200' in line for line in lines)
    assert any('"GET /healthz HTTP/1.1" 200' in line for line in lines)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in text
    assert "also-secret" not in text
    assert "access_token" not in text


async def test_loopback_without_a_token_is_open(tmp_path: Path) -> None:
    app = build_http_app(demo_settings(tmp_path, token=None), host="127.0.0.1")
    with running_app(app) as base:
        async with Client(f"{base}/mcp") as client:
            assert (await client.list_tools()).tools


def test_non_loopback_bind_needs_a_token(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "::", "10.1.2.3", "mcp.example.com"):
        for token in (None, "   "):  # a blank token counts as none
            with pytest.raises(ConfigError, match="ZOOM_ROOMS_MCP_HTTP_TOKEN: required to listen on"):
                build_http_app(demo_settings(tmp_path, token=token), host=host)
    check_bind(demo_settings(tmp_path), "0.0.0.0")  # with a token: allowed
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_bind(demo_settings(tmp_path, token=None), host)


def test_allowed_hosts_for_each_kind_of_bind() -> None:
    loopback = security_settings("127.0.0.1")
    assert loopback.enable_dns_rebinding_protection
    assert set(loopback.allowed_hosts) == {"127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*"}
    assert "http://localhost:*" in loopback.allowed_origins

    wildcard = security_settings("0.0.0.0", ["mcp.example.com, Other.Example:8443", "fd00::1"])
    assert "0.0.0.0" not in wildcard.allowed_hosts
    assert {"mcp.example.com", "mcp.example.com:*", "other.example:8443", "[fd00::1]", "[fd00::1]:*"} <= set(
        wildcard.allowed_hosts
    )
    assert "other.example:8443:*" not in wildcard.allowed_hosts
    assert "https://mcp.example.com" in wildcard.allowed_origins

    concrete = security_settings("10.0.0.5")
    assert {"10.0.0.5", "10.0.0.5:*", "localhost:*"} <= set(concrete.allowed_hosts)
