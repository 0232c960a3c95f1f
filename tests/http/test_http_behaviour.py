"""Issue 14's HTTP rows on real sockets: a busy port is one line and exit 2, GET /mcp answers 405 at once, one
access-log line per request and no per-request session noise; extra routes skip the bearer check but not the Host
checks; and the loopback decision follows what a name resolves to (issue 10, item 13)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.cli.helpers import http_server, run_cli
from tests.harness import clean_env
from tests.http.conftest import TOKEN, demo_settings, running_app
from zoom_rooms_mcp.http_transport import build_http_app, check_bind, resolves_to_loopback
from zoom_rooms_mcp.settings import ConfigError

LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_busy_port_is_one_line_and_exit_2(tmp_path: Path, busy_port: int) -> None:
    result = run_cli(
        "serve", "--transport", "http", "--port", str(busy_port), "--demo", env=clean_env(tmp_path), cwd=tmp_path
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    message = f"zoom-rooms-mcp: cannot listen on 127.0.0.1:{busy_port}: the address is already in use."
    assert [line for line in lines if "cannot listen" in line] == [lines[-1]]
    assert lines[-1].startswith(message)
    assert "--port" in lines[-1]
    assert "uvicorn" not in result.stderr
    assert "Traceback" not in result.stderr
    troubleshooting = (Path(__file__).resolve().parents[2] / "docs" / "troubleshooting.md").read_text("utf-8")
    assert lines[-1].replace(str(busy_port), "8000") in troubleshooting


def test_get_answers_at_once_and_the_log_has_one_line_per_request(tmp_path: Path) -> None:
    env = clean_env(tmp_path, ZOOM_ROOMS_DEMO="1", ZOOM_ROOMS_MCP_HTTP_TOKEN=TOKEN)
    with http_server(env, tmp_path) as (url, proc, log):
        auth = {"Authorization": f"Bearer {TOKEN}"}
        with httpx2.Client(timeout=10) as http:  # a hanging stream would hit this timeout
            get = http.get(url, headers={**auth, "Accept": "text/event-stream"})
            posts = [http.post(url, json=LIST_TOOLS, headers={**MCP_HEADERS, **auth}) for _ in range(3)]
            health = http.get(url.removesuffix("/mcp") + "/healthz")
        assert get.status_code == 405
        assert get.headers["allow"] == "POST"
        assert get.json()["error"] == "method_not_allowed"
        assert [p.status_code for p in posts] == [200, 200, 200]
        assert health.status_code == 200
        proc.terminate()
        assert proc.wait(timeout=20) == 0
        text = "\n".join(log.rest())
    access = [line for line in text.splitlines() if "zoom_rooms_mcp.http.access" in line]
    assert len(access) == 5  # GET, 3 POSTs, /healthz: one line each
    assert sum('"POST /mcp HTTP/1.1" 200' in line for line in access) == 3
    assert "Terminating session" not in text


@pytest.mark.anyio
async def test_extra_routes_skip_the_bearer_check_but_not_the_host_check(tmp_path: Path) -> None:
    async def webhook(request: Request) -> PlainTextResponse:
        return PlainTextResponse("received")

    route = Route("/zoom/webhook", webhook, methods=["POST"])
    app = build_http_app(demo_settings(tmp_path), host="127.0.0.1", extra_routes=[route])
    with running_app(app) as base:
        async with httpx2.AsyncClient(timeout=10) as http:
            hook = await http.post(f"{base}/zoom/webhook", content=b"{}")
            foreign = await http.post(f"{base}/zoom/webhook", content=b"{}", headers={"Host": "evil.example"})
            wrong_method = await http.get(f"{base}/zoom/webhook")
            mcp = await http.post(f"{base}/mcp", json=LIST_TOOLS, headers=MCP_HEADERS)
    assert (hook.status_code, hook.text) == (200, "received")  # no bearer token needed
    assert foreign.status_code == 421
    assert wrong_method.status_code == 405
    assert mcp.status_code == 401  # /mcp still needs the token


def test_loopback_is_decided_by_the_resolved_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def fake(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "rebound.localhost":  # a *.localhost name that points elsewhere
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("203.0.113.7", 0))]
        if host == "loop.internal":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    open_settings = demo_settings(tmp_path, token=None)
    with pytest.raises(ConfigError, match=r"ZOOM_ROOMS_MCP_HTTP_TOKEN: required to listen on 'rebound\.localhost'"):
        check_bind(open_settings, "rebound.localhost")
    check_bind(open_settings, "loop.internal")  # a name that resolves to loopback only
    check_bind(open_settings, "localhost")
    assert not resolves_to_loopback("no-such-host.invalid")
    assert not resolves_to_loopback("")
    assert resolves_to_loopback("[::1]")


def test_get_on_mcp_is_405_in_process(http_base: str) -> None:
    async def get() -> httpx2.Response:
        async with httpx2.AsyncClient(timeout=5) as http:
            return await http.get(f"{http_base}/mcp", headers={"Authorization": f"Bearer {TOKEN}"})

    response = anyio.run(get)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
