"""Webhook ingest: how fast signed Zoom deliveries are answered and stored, into a given sink.

* **Burst:** 200 signed ``zoomroom.alert`` deliveries at once, each on its own connection (as Zoom's
  senders would), over real HTTP on loopback to the route served by uvicorn in a child process (its own
  interpreter, so that the senders' CPU work does not slow the server through a shared GIL). Zoom gives up
  on an answer after 3 s; we report every answer's time (median, p95, max) and how many took longer.
* **Sustained:** distinct deliveries from ``workers`` concurrent senders for ``seconds``; events stored per
  second, over HTTP to the child, and in process (the route and sink alone, through
  ``httpx2.ASGITransport``), so that the HTTP server's share is visible.

Bodies and signatures are made before the clock starts where they can be: signing is Zoom's work, not ours.

``python -m bench.webhooks [--sink memory|sqlite] [--seconds 5]`` prints the figures as JSON. Sinks are named
in ``SINKS`` (a factory each, given a directory of its own; the child process builds its own from the name):

* ``memory``: ``MemorySink``, the route's own cost;
* ``sqlite``: ``FleetWebhookSink`` over a ``FleetService`` whose store is ``fleet.sqlite3`` in that directory
  (created empty, or the fleet store already there): every event is one SQLite transaction, as in the server.
"""

from __future__ import annotations

import argparse
import json
import select
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from itertools import count
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import httpx2
import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette

from bench.measure import BenchError, settings_for, summary
from zoom_rooms_mcp.fleet.reader import ZoomReader
from zoom_rooms_mcp.fleet.service import FleetService
from zoom_rooms_mcp.fleet.webhooks import FleetWebhookSink
from zoom_rooms_mcp.simulator import SimCredentials
from zoom_rooms_mcp.store import open_store
from zoom_rooms_mcp.webhooks import MemorySink, WebhookSink, sign, webhook_route
from zoom_rooms_mcp.zoom.stack import open_zoom_stack

SECRET = SecretStr("bench-webhook-secret")
ACCOUNT = SimCredentials.account_id  # the simulator's account, so that the sqlite sink can use a synced fleet store
STORE_FILE = "fleet.sqlite3"
ZOOM_DEADLINE = 3.0
START_TIMEOUT = 30.0
MAX_LIFETIME = 1800.0  # an orphaned child never outlives a crashed benchmark by more than this
SinkFactory = Callable[[Path], AbstractAsyncContextManager[WebhookSink]]
_ids = count()


class NoZoom(httpx2.AsyncBaseTransport):
    """The network of a sink or server that must not read Zoom: every request fails, and is counted."""

    def __init__(self) -> None:
        self.attempts = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.attempts += 1
        raise httpx2.ConnectError("the benchmark allows no Zoom request here", request=request)


@asynccontextmanager
async def memory_sink(directory: Path) -> AsyncIterator[WebhookSink]:
    yield MemorySink()


@asynccontextmanager
async def sqlite_sink(directory: Path) -> AsyncIterator[WebhookSink]:
    """The server's sink: ``FleetWebhookSink`` over a ``FleetService`` on ``directory/fleet.sqlite3``.

    Alerts never read Zoom (only room and location events re-read, after the answer), so the Zoom client
    behind the service has no network at all."""
    await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
    settings = settings_for(SimCredentials(), "business", directory / "tokens")
    async with open_zoom_stack(settings, transport=NoZoom(), cache_dir=None) as stack:
        store = await open_store(f"sqlite:///{directory / STORE_FILE}", account_id=ACCOUNT)
        try:
            fleet = FleetService(ZoomReader(stack.client), store)
            await fleet.load()
            yield FleetWebhookSink(fleet)
        finally:
            await store.close()


SINKS: dict[str, SinkFactory] = {"memory": memory_sink, "sqlite": sqlite_sink}


def app_for(sink: WebhookSink) -> Starlette:
    return Starlette(routes=[webhook_route(secret=SECRET, sink=sink, account_id=ACCOUNT)])


def delivery(
    now: float, *, room_id: str | None = None, alert_time: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """A distinct, signed ``zoomroom.alert`` (Zoom's shape) and its headers, signed at ``now``.

    By default for a room nobody knows (``room-N``); ``alert_time`` (epoch seconds) is when the alert happened,
    ``now`` unless given."""
    n = next(_ids)
    body = {
        "event": "zoomroom.alert",
        "event_ts": int(now * 1000),
        "payload": {
            "account_id": ACCOUNT,
            "object": {
                "id": room_id or f"room-{n}",
                "room_name": f"Room {n}",
                "calendar_name": "room@example.com",
                "email": "room@example.com",
                "issue": "Zoom room is offline",
                "alert_type": 3,
                "component": 1,
                "alert_time": int((now if alert_time is None else alert_time) * 1000),
                "alert_kind": 1,
            },
        },
    }
    raw = json.dumps(body, separators=(",", ":")).encode()
    timestamp = int(now)
    headers = {
        "content-type": "application/json; charset=utf-8",
        "x-zm-request-timestamp": str(timestamp),
        "x-zm-signature": sign(SECRET, timestamp, raw),
    }
    return raw, headers


@contextmanager
def serving(sink_name: str, directory: Path) -> Iterator[str]:
    """``python -m bench.webhooks --serve SINK --dir DIR`` in a child process; yields the webhook URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.webhooks", "--serve", sink_name, "--dir", str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline().strip() if ready else ""
        if not line.startswith("http://"):
            raise BenchError("the webhook server process did not start")
        yield line
    finally:
        if process.stdin is not None:
            process.stdin.close()  # the child's signal to stop
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = anyio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


def _serve(sink_name: str, directory: Path) -> None:
    """Child: serve the route on a free loopback port, print its URL, stop when stdin closes."""
    # Name the protocol: asyncio sets TCP_NODELAY only on sockets created with IPPROTO_TCP, and without it every
    # answer on a kept-alive connection waits ~40 ms for the sender's delayed ACK (as the simulator once did).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))

    async def run() -> None:
        async with SINKS[sink_name](directory) as sink, anyio.create_task_group() as tg:
            config = uvicorn.Config(app_for(sink), log_config=None, access_log=False, lifespan="off", ws="none")
            server = _Server(config)
            tg.start_soon(lambda: server.serve(sockets=[sock]))
            await server.ready.wait()
            print(f"http://127.0.0.1:{sock.getsockname()[1]}/zoom/webhook", flush=True)
            deadline = time.monotonic() + MAX_LIFETIME
            while time.monotonic() < deadline and await anyio.to_thread.run_sync(_stdin_open):
                pass
            server.should_exit = True

    anyio.run(run)


def _stdin_open() -> bool:
    ready, _, _ = select.select([sys.stdin], [], [], 1.0)
    return not ready or bool(sys.stdin.readline())


async def burst(sink_name: str, directory: Path, deliveries: int = 200) -> dict[str, Any]:
    """``deliveries`` signed alerts at once, one connection each; answer times in milliseconds."""
    now = time.time()
    prepared = [delivery(now) for _ in range(deliveries)]
    times: list[float] = []
    statuses: list[int] = []
    with serving(sink_name, directory) as url:
        limits = httpx2.Limits(max_connections=deliveries, max_keepalive_connections=0)
        async with httpx2.AsyncClient(limits=limits, timeout=30) as client:
            go = anyio.Event()

            async def send(body: bytes, headers: dict[str, str]) -> None:
                await go.wait()
                start = time.perf_counter()
                response = await client.post(url, content=body, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
                statuses.append(response.status_code)

            started = time.perf_counter()
            async with anyio.create_task_group() as tg:
                for body, headers in prepared:
                    tg.start_soon(send, body, headers)
                go.set()
            wall = (time.perf_counter() - started) * 1000
    return {
        "deliveries": deliveries,
        "answered_200": statuses.count(200),
        "over_3s": sum(t > ZOOM_DEADLINE * 1000 for t in times),
        "answer_ms": summary(times),
        "wall_ms": round(wall, 1),
    }


class _Connection:
    """A bare HTTP/1.1 keep-alive connection: a light sender, so that the server is what is measured."""

    def __init__(self, stream: anyio.abc.ByteStream, host: str, path: str) -> None:
        self.stream, self.host, self.path = stream, host, path
        self.buffer = b""

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        lines = [f"POST {self.path} HTTP/1.1", f"host: {self.host}", f"content-length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        await self.stream.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += await self.stream.receive()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        while len(self.buffer) < length:
            self.buffer += await self.stream.receive()
        answer, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, answer


async def _sustain_http(url: str, seconds: float, workers: int) -> tuple[int, float]:
    parsed = httpx2.URL(url)
    stored = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal stored
        async with await anyio.connect_tcp(parsed.host, parsed.port or 80) as stream:
            connection = _Connection(stream, f"{parsed.host}:{parsed.port}", parsed.path)
            while time.perf_counter() < deadline:
                status, answer = await connection.post(*delivery(time.time()))
                if status != 200:
                    raise BenchError(f"delivery answered {status}")
                stored += json.loads(answer) == {"status": "stored"}

    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(workers):
            tg.start_soon(worker)
    return stored, time.perf_counter() - started


async def _sustain_in_process(sink: WebhookSink, seconds: float, workers: int) -> tuple[int, float]:
    transport = httpx2.ASGITransport(app=app_for(sink))
    stored = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx2.AsyncClient) -> None:
        nonlocal stored
        while time.perf_counter() < deadline:
            body, headers = delivery(time.time())
            response = await client.post("http://bench/zoom/webhook", content=body, headers=headers)
            if response.status_code != 200:
                raise BenchError(f"delivery answered {response.status_code}")
            stored += response.json() == {"status": "stored"}

    started = time.perf_counter()
    async with httpx2.AsyncClient(transport=transport, timeout=30) as client, anyio.create_task_group() as tg:
        for _ in range(workers):
            tg.start_soon(worker, client)
    return stored, time.perf_counter() - started


async def sustained(sink_name: str, directory: Path, seconds: float = 5.0, workers: int = 64) -> dict[str, Any]:
    """Events stored per second from ``workers`` concurrent senders: over HTTP (keep-alive connections from
    a bare client), and in process through ``httpx2.ASGITransport`` (no HTTP server).

    Also the time of one delivery on one connection with nothing else running: on a machine whose loopback
    round trip is slow, HTTP throughput is bounded by connections / that time, not by the server's CPU."""
    with serving(sink_name, directory / "http") as url:
        one_stored, one_elapsed = await _sustain_http(url, 1.0, 1)
        http_stored, http_elapsed = await _sustain_http(url, seconds, workers)
    async with SINKS[sink_name](directory / "in-process") as sink:
        local_stored, local_elapsed = await _sustain_in_process(sink, seconds, workers)
    return {
        "seconds": seconds,
        "workers": workers,
        "one_connection_ms_per_delivery": round(one_elapsed / max(1, one_stored) * 1000, 1),
        "http_events_per_s": round(http_stored / http_elapsed),
        "in_process_events_per_s": round(local_stored / local_elapsed),
    }


async def measure(sink_name: str, directory: Path, *, seconds: float = 5.0) -> dict[str, Any]:
    """The burst and the sustained runs, each sink's store in its own part of ``directory``."""
    return {
        "burst": await burst(sink_name, directory / "burst"),
        "sustained": await sustained(sink_name, directory / "sustained", seconds=seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks", description=__doc__.splitlines()[0])
    parser.add_argument("--sink", choices=sorted(SINKS), default="memory")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each sustained run")
    parser.add_argument("--serve", choices=sorted(SINKS), help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)  # the child's sink directory
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.serve, args.dir or Path(tempfile.mkdtemp(prefix="zoom-rooms-webhooks-")))
        return 0
    with tempfile.TemporaryDirectory(prefix="zoom-rooms-webhooks-") as tmp:
        result = anyio.run(lambda: measure(args.sink, Path(tmp), seconds=args.seconds))
    print(json.dumps({"sink": args.sink, **result}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
