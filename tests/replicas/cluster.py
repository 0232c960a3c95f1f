"""Real replicas: ``zoom-rooms-mcp serve --transport http`` processes sharing one PostgreSQL store, against a
simulator served on loopback (used by tests/replicas and bench/replicas.py)."""

from __future__ import annotations

import itertools
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

from tests.cli.helpers import ENDPOINT
from tests.harness import COMMAND, sim_env
from zoom_rooms_mcp.simulator import SimCredentials
from zoom_rooms_mcp.webhooks import sign

BEARER = "replicas-bearer-token-0123456789abcdef"
WEBHOOK_SECRET = "replicas-webhook-secret-0123456789"
START_TIMEOUT = 60.0
POLL_INTERVAL = 0.2
T = TypeVar("T")


@dataclass
class Replica:
    proc: subprocess.Popen[bytes]
    log_path: Path  # its stderr: the log, readable at any time (also after kill -9)
    url: str = ""  # the MCP endpoint, once it listens

    @property
    def base(self) -> str:
        return self.url.removesuffix("/mcp")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


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


_numbers = itertools.count(1)


def launch(env: dict[str, str], cwd: Path) -> Replica:
    """Start a replica (``--port 0``); ``wait_started`` waits until it listens."""
    log_path = cwd / f"replica-{next(_numbers)}.log"
    args = [*COMMAND, "serve", "--transport", "http", "--port", "0"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    return Replica(proc, log_path)


def wait_started(replica: Replica, timeout: float = START_TIMEOUT) -> Replica:
    """Block until the replica's log names its MCP endpoint (it listens); fails if it exits first."""
    deadline = time.monotonic() + timeout
    while not (match := ENDPOINT.search(replica.log())):
        if not replica.alive():
            raise AssertionError(f"the replica exited ({replica.proc.returncode}):\n{replica.log()[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the replica did not start within {timeout}s:\n{replica.log()[-3000:]}")
        time.sleep(POLL_INTERVAL)
    replica.url = match.group(1)
    return replica


def stop(started: list[Replica]) -> None:
    """SIGTERM every live replica (graceful), then make sure none is left."""
    for replica in started:
        if replica.alive():
            replica.proc.terminate()
    for replica in started:
        try:
            replica.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            replica.proc.kill()
            replica.proc.wait(timeout=10)


@contextmanager
def replicas(count: int, env: dict[str, str], cwd: Path) -> Iterator[list[Replica]]:
    """``count`` replicas started together (their start-ups overlap), all stopped on exit. More may be added to
    the yielded list; they are stopped too."""
    started = [launch(env, cwd) for _ in range(count)]
    try:
        for replica in started:
            wait_started(replica)
        yield started
    finally:
        stop(started)


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
                "account_id": SimCredentials().account_id,
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
