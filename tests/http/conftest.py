"""Fixtures for the HTTP transport: the real app served by uvicorn on 127.0.0.1 (a free port) in a thread."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from pydantic import SecretStr
from starlette.types import ASGIApp

from zoom_rooms_mcp.http_transport import build_http_app
from zoom_rooms_mcp.settings import Settings, load_settings

TOKEN = "test-" + secrets.token_urlsafe(24)


def demo_settings(cache_dir: Path, token: str | None = TOKEN) -> Settings:
    return load_settings(
        demo=True,
        env_file=None,
        token_cache_dir=cache_dir,
        zoom_rooms_mcp_http_token=SecretStr(token) if token else None,
    )


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, started: threading.Event) -> None:
        super().__init__(config)
        self._started = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._started.set()


@contextmanager
def running_app(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` (lifespan included) on a free loopback port; yields ``http://127.0.0.1:PORT``."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    started = threading.Event()
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", ws="none", timeout_graceful_shutdown=5
    )
    server = _Server(config, started)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:
            failures.append(exc)
        finally:
            started.set()
            sock.close()

    thread = threading.Thread(target=run, name="mcp-http-test", daemon=True)
    thread.start()
    try:
        if not started.wait(timeout=30) or failures or not server.started:
            raise RuntimeError("the HTTP app did not start") from (failures[0] if failures else None)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def http_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo server behind a bearer token, shared by the module."""
    settings = demo_settings(tmp_path_factory.mktemp("cache"))
    with running_app(build_http_app(settings, host="127.0.0.1")) as base:
        yield base
