"""Real replicas: ``zoom-rooms-mcp serve --transport http`` processes sharing one PostgreSQL store, against a
simulator served on loopback (used by tests/replicas and bench/replicas.py)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.cli.helpers import ENDPOINT, LineReader
from tests.harness import COMMAND, sim_env
from zoom_rooms_mcp.webhooks import sign

BEARER = "replicas-bearer-token-0123456789abcdef"
WEBHOOK_SECRET = "replicas-webhook-secret-0123456789"
START_TIMEOUT = 60.0
POLL_INTERVAL = 0.2
T = TypeVar("T")


@dataclass
class Replica:
    url: str  # the MCP endpoint
    proc: subprocess.Popen[str]
    log: LineReader

    @property
    def base(self) -> str:
        return self.url.removesuffix("/mcp")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None


def replica_env(tmp_path: Path, sim_base: str, store_url: str, **extra: str) -> dict[str, str]:
    """The environment of a replica: the shared store, the sync on, a bearer token and the webhook route."""
    env = sim_env(
        tmp_path,
        sim_base,
        ZOOM_ROOMS_STORE=store_url,
        ZOOM_ROOMS_SYNC="on",
        ZOOM_ROOMS_MCP_HTTP_TOKEN=BEARER,
        ZOOM_WEBHOOK_SECRET_TOKEN=WEBHOOK_SECRET,
    )
    env.update(extra)
    return env


def launch(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    args = [*COMMAND, "serve", "--transport", "http", "--port", "0"]
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_started(proc: subprocess.Popen[str], timeout: float = START_TIMEOUT) -> Replica:
    """The replica once it listens (its log names the MCP endpoint)."""
    assert proc.stderr is not None
    reader = LineReader(proc.stderr)
    line = reader.wait_for(lambda text: ENDPOINT.search(text) is not None, timeout=timeout)
    match = ENDPOINT.search(line)
    assert match is not None
    return Replica(match.group(1), proc, reader)


def stop(replicas: list[Replica]) -> None:
    """SIGTERM every live replica (graceful), then make sure none is left."""
    for replica in replicas:
        if replica.alive():
            replica.proc.terminate()
    for replica in replicas:
        try:
            replica.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            replica.proc.kill()
            replica.proc.wait(timeout=10)


@contextmanager
def replicas(count: int, env: dict[str, str], cwd: Path) -> Iterator[list[Replica]]:
    """``count`` replicas started together (their start-ups overlap), stopped on exit."""
    procs = [launch(env, cwd) for _ in range(count)]
    started: list[Replica] = []
    try:
        for proc in procs:
            started.append(wait_started(proc))
        yield started
    finally:
        stop(started)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def http_client(timeout: float = 30.0) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(headers={"Authorization": f"Bearer {BEARER}"}, timeout=timeout)


async def call(replica: Replica, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call ``tool`` over MCP streamable HTTP on ``replica``; it must succeed. Its structured content."""
    http = http_client()
    async with http, Client(streamable_http_client(replica.url, http_client=http)) as client:
        result = await client.call_tool(tool, args or {})
    assert not result.is_error, result.content
    content = result.structured_content
    assert isinstance(content, dict)
    return content


async def sync_report(replica: Replica) -> dict[str, Any]:
    """``store.sync`` of the replica's test_zoom_connection."""
    store = (await call(replica, "test_zoom_connection"))["store"]
    assert isinstance(store, dict)
    report = store["sync"]
    assert isinstance(report, dict)
    return report


async def readiness(replica: Replica) -> int:
    async with httpx2.AsyncClient(timeout=10) as http:
        return (await http.get(f"{replica.base}/readyz")).status_code


async def post_alert(replica: Replica, room_id: str, room_name: str, *, issue: str, event_ts_ms: int) -> int:
    """Post a signed ``zoomroom.alert`` (Zoom's shape) to the replica's webhook route; the HTTP status."""
    body = json.dumps(
        {
            "event": "zoomroom.alert",
            "event_ts": event_ts_ms,
            "payload": {
                "account_id": "sim-account-0001",
                "object": {
                    "id": room_id,
                    "room_name": room_name,
                    "issue": issue,
                    "alert_type": 3,
                    "component": 1,
                    "alert_time": event_ts_ms,
                    "alert_kind": 1,
                },
            },
        },
        separators=(",", ":"),
    ).encode()
    stamp = int(time.time())
    headers = {
        "content-type": "application/json; charset=utf-8",
        "x-zm-request-timestamp": str(stamp),
        "x-zm-signature": sign(WEBHOOK_SECRET, stamp, body),
    }
    async with httpx2.AsyncClient(timeout=10) as http:
        return (await http.post(f"{replica.base}/zoom/webhook", content=body, headers=headers)).status_code


async def eventually(check: Callable[[], Awaitable[T | None]], *, within: float) -> T:
    """Poll ``check`` (over sockets there is no event to wait on) until it returns something other than None;
    TimeoutError after ``within`` seconds."""
    with anyio.fail_after(within):
        while True:
            result = await check()
            if result is not None:
                return result
            await anyio.sleep(POLL_INTERVAL)
