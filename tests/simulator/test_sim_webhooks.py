"""Signed webhook deliveries: in-process through an injected transport, and as real POSTs on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import httpx2
import pytest

from tests.simulator.simkit import ManualClock
from zoom_rooms_mcp.simulator import SimRoom, Simulator, running_simulator, signature

pytestmark = pytest.mark.anyio
SECRET = "whsec-test-0001"
URL = "http://receiver.localhost/zoom/webhook"


def verify(request_headers: httpx2.Headers | dict[str, str], body: bytes) -> None:
    """The receiver's check, written from Zoom's documentation rather than the sender's code."""
    timestamp = request_headers["x-zm-request-timestamp"]
    expected = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body.decode()}".encode(), hashlib.sha256).hexdigest()
    assert request_headers["x-zm-signature"] == f"v0={expected}"


def zooms_documented_example() -> None:
    # Zoom's docs: message "v0:{timestamp}:{body}", HMAC-SHA256 with the secret token, hex, prefixed "v0=".
    assert signature("secret", 1, b"{}") == "v0=" + hmac.new(b"secret", b"v0:1:{}", hashlib.sha256).hexdigest()


def test_signature_format() -> None:
    zooms_documented_example()


def recorder(statuses: Callable[[int], int]) -> tuple[list[httpx2.Request], httpx2.MockTransport]:
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(statuses(len(seen)))

    return seen, httpx2.MockTransport(handle)


def available(sim: Simulator) -> SimRoom:
    return next(r for r in sim.fleet.rooms if r.status == "Available")


def make_sim(clock: ManualClock, transport: httpx2.AsyncBaseTransport, retries: int = 3) -> Simulator:
    return Simulator(
        rooms=60,
        clock=clock,
        webhook_url=URL,
        webhook_secret=SECRET,
        webhook_transport=transport,
        webhook_retries=retries,
        webhook_retry_delay=0.001,
    )


async def test_in_process_delivery_is_signed_and_in_order(sim_clock: ManualClock) -> None:
    seen, transport = recorder(lambda n: 200)
    sim = make_sim(sim_clock, transport)
    room = available(sim)
    async with sim.running():
        sim.control.set_room_status(room.id, "Offline")
        sim.control.set_room_status(room.id, "Available")
        with anyio.fail_after(5):
            await sim.stats.wait_until(lambda s: s.webhooks_delivered == 2)
    assert [json.loads(r.content) for r in seen] == list(sim.events)
    for request in seen:
        assert request.method == "POST"
        assert str(request.url) == URL
        assert request.headers["content-type"].startswith("application/json")
        assert request.headers["x-zm-request-timestamp"] == str(int(sim_clock.now))
        verify(request.headers, request.content)
    assert SECRET not in repr(sim.webhooks)


async def test_retries_until_accepted_then_gives_up(sim_clock: ManualClock) -> None:
    _, transport = recorder(lambda n: 200 if n == 3 else 503)
    sim = make_sim(sim_clock, transport, retries=2)
    room = available(sim)
    async with sim.running():
        sim.control.set_room_status(room.id, "Offline")
        with anyio.fail_after(5):
            await sim.stats.wait_until(lambda s: s.webhooks_delivered == 1)
        assert sim.stats.webhook_attempts == 3
        sim.control.set_room_status(room.id, "Available")  # attempts 4, 5, 6 all fail
        with anyio.fail_after(5):
            await sim.stats.wait_until(lambda s: s.webhooks_failed == 1)
    assert sim.stats.webhook_attempts == 6
    assert sim.stats.snapshot()["webhooks"] == {"queued": 2, "attempts": 6, "delivered": 1, "failed": 1}


async def test_network_errors_are_retried(sim_clock: ManualClock) -> None:
    calls = 0

    def flaky(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx2.ConnectError("refused", request=request)
        return httpx2.Response(204)

    sim = make_sim(sim_clock, httpx2.MockTransport(flaky))
    async with sim.running():
        sim.control.check_in(sim.fleet.rooms[0].id)
        with anyio.fail_after(5):
            await sim.stats.wait_until(lambda s: s.webhooks_delivered == 1)
    assert calls == 2


class _Blocking(httpx2.AsyncBaseTransport):
    """Holds every delivery until released: shows that control calls never wait for a delivery."""

    def __init__(self) -> None:
        self.release = anyio.Event()
        self.arrived = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.arrived += 1
        await self.release.wait()
        return httpx2.Response(200)


async def test_control_calls_never_wait_for_deliveries(sim_clock: ManualClock) -> None:
    transport = _Blocking()
    sim = make_sim(sim_clock, transport)
    rooms = [r for r in sim.fleet.rooms if r.status == "Available"][:5]
    async with sim.running():
        sim.control.set_room_status(rooms[0].id, "Offline")
        with anyio.fail_after(5):
            await sim.stats.wait_until(lambda s: s.webhook_attempts == 1)
        for room in rooms[1:]:  # the first delivery hangs; these return at once all the same
            sim.control.set_room_status(room.id, "Offline")
        assert sim.stats.events_published == 5
        assert sim.webhooks is not None
        assert sim.webhooks.pending == 4
        transport.release.set()
        with anyio.fail_after(5):
            await sim.stats.wait_until(lambda s: s.webhooks_delivered == 5)


async def test_events_wait_for_a_worker(sim_clock: ManualClock) -> None:
    seen, transport = recorder(lambda n: 200)
    sim = make_sim(sim_clock, transport)
    sim.control.set_room_status(available(sim).id, "Offline")  # nothing runs the sender yet
    assert seen == []
    async with sim.running():
        with anyio.fail_after(5):
            await sim.stats.wait_until(lambda s: s.webhooks_delivered == 1)


async def test_chaos_runs_in_the_background_and_sends_webhooks(sim_clock: ManualClock) -> None:
    seen, transport = recorder(lambda n: 200)
    sim = Simulator(
        rooms=60,
        seed=9,
        clock=sim_clock,
        webhook_url=URL,
        webhook_secret=SECRET,
        webhook_transport=transport,
        chaos_interval=0.001,
    )
    async with sim.running():
        with anyio.fail_after(10):
            await sim.stats.wait_until(lambda s: s.webhooks_delivered >= 5)
    twin = Simulator(rooms=60, seed=9, clock=sim_clock)
    for _ in range(5):
        twin.control.chaos_step()
    assert [json.loads(r.content) for r in seen[:5]] == list(twin.events)[:5]


def test_configuration_errors(sim_clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="go together"):
        Simulator(rooms=5, clock=sim_clock, webhook_url=URL)
    with pytest.raises(ValueError, match="chaos_interval"):
        Simulator(rooms=5, clock=sim_clock, chaos_interval=0)


@contextmanager
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]], threading.Event]]:
    """A plain HTTP server on loopback that records POSTs and answers 200."""
    got: list[tuple[dict[str, str], bytes]] = []
    arrived = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            got.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()
            arrived.set()

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/zoom/webhook", got, arrived
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_real_post_to_a_loopback_receiver_from_a_served_simulator() -> None:
    sim = Simulator(rooms=30)
    room = available(sim)
    with receiver() as (url, got, arrived), running_simulator(sim, webhook_url=url, webhook_secret=SECRET) as base:
        with httpx2.Client(base_url=base) as control:
            response = control.put(f"/_simulator/rooms/{room.id}/status", json={"status": "Offline"})
            assert response.status_code == 200
        assert arrived.wait(timeout=10)
    ((headers, body),) = got
    verify(headers, body)
    assert json.loads(body)["payload"]["object"]["issue"] == "Zoom room is offline"
    assert sim.stats.webhooks_delivered == 1
