"""Fault matrix: every upstream failure mode, driven through the MCP tools against the simulator.

For each fault: the tool returns the right result or a clear, actionable error; upstream attempts are
bounded (asserted exactly); the server keeps serving afterwards; no secret or token leaks into the
result or the logs.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from mcp import Client

from tests.harness import RATE_SCALE, call, settings_for, simulator, stdio_server, text_of
from zoom_rooms_mcp.server import create_server
from zoom_rooms_mcp.simulator import Simulator, running_simulator
from zoom_rooms_mcp.simulator.faults import FaultKind
from zoom_rooms_mcp.zoom.records import ROOM_TYPES

pytestmark = pytest.mark.anyio

ROOMS = "/v2/rooms"
TOKEN = "/oauth/token"
MAX_ATTEMPTS = 4  # the client's bound for retryable API failures
LISTINGS = len(ROOM_TYPES)  # a room listing is one request per room type, concurrently (each bounded alone)
TOKEN_ATTEMPTS = 3  # the token manager's bound for retryable token-endpoint failures


@dataclass(frozen=True)
class Case:
    id: str
    kind: FaultKind
    path: str
    times: int | None
    ok: bool  # does the tool still succeed?
    attempts: int  # requests the faulty endpoint should see
    error: str = ""  # text the error must contain
    status: int | None = None
    code: int | None = None
    message: str | None = None
    retry_after: float | None = None


CASES = [
    # Token endpoint.
    Case("token-400", "status", TOKEN, None, False, 1, "HTTP 400", status=400),
    Case("token-401", "status", TOKEN, None, False, 1, "HTTP 401", status=401),
    Case("token-500-once", "status", TOKEN, 1, True, 2, status=500),
    Case("token-500", "status", TOKEN, None, False, TOKEN_ATTEMPTS, "HTTP 500", status=500),
    Case("token-timeout", "timeout", TOKEN, None, False, TOKEN_ATTEMPTS, "Timed out"),
    Case("token-malformed", "malformed_json", TOKEN, None, False, TOKEN_ATTEMPTS, "not JSON"),
    # API.
    Case(
        "missing-scope",
        "status",
        ROOMS,
        None,
        False,
        1,
        "zoom_rooms:read:list_rooms:admin",
        status=400,
        code=4711,
        message="Invalid access token, does not contain scopes:[zoom_rooms:read:list_rooms:admin].",
    ),
    Case("qps-429-retry-after", "rate_limit_qps", ROOMS, 2, True, 3, retry_after=0.05),
    Case("qps-429-no-header", "rate_limit_qps", ROOMS, 2, True, 3),
    Case(
        "qps-429-persistent", "rate_limit_qps", ROOMS, None, False, MAX_ATTEMPTS, "per-second limit", retry_after=0.01
    ),
    Case("daily-429", "rate_limit_daily", ROOMS, None, False, 1, "resets at"),
    Case("500-once", "status", ROOMS, 1, True, 2, status=500),
    Case("502-once", "status", ROOMS, 1, True, 2, status=502),
    Case("503-persistent", "status", ROOMS, None, False, MAX_ATTEMPTS, "HTTP 503", status=503),
    Case("timeout-once", "timeout", ROOMS, 1, True, 2),
    Case("timeout-persistent", "timeout", ROOMS, None, False, MAX_ATTEMPTS, "did not answer"),
    Case("drop-once", "drop", ROOMS, 1, True, 2),
    Case("drop-persistent", "drop", ROOMS, None, False, MAX_ATTEMPTS, "connection to Zoom failed"),
    Case("malformed-once", "malformed_json", ROOMS, 1, True, 2),
    Case("malformed-persistent", "malformed_json", ROOMS, None, False, MAX_ATTEMPTS, "not a JSON object"),
    Case("html-once", "html", ROOMS, 1, True, 2, status=502),
    Case("html-persistent", "html", ROOMS, None, False, MAX_ATTEMPTS, "HTTP 502", status=502),
]


ISSUED: list[str] = []


def recording(sim: Simulator) -> Simulator:
    """Remember every access token the simulator issues, to prove none of them leaks."""
    issue = sim.tokens.issue

    def record() -> Any:
        value, info = issue()
        ISSUED.append(value)
        return value, info

    sim.tokens.issue = record  # type: ignore[method-assign]
    return sim


def inject(sim: Simulator, case: Case) -> None:
    """Replace the simulator's fault rules by the one this case describes."""
    sim.faults.clear()
    sim.faults.add(
        case.kind,
        case.path,
        times=case.times,
        status=case.status,
        code=case.code,
        message=case.message,
        retry_after=case.retry_after,
    )


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return recording(simulator())


def _attempts(sim: Simulator, path: str) -> int:
    return sum(1 for _, p, _ in sim.stats.log if p == path)


def listing_attempts(case: Case) -> int:
    """Requests a faulty endpoint sees during one call of get_zoom_rooms. A token fault happens before any
    listing. Persistent room faults meet each type's listing, each bounded on its own; a fault of ``times``
    requests costs exactly that many retries on top of one request per listing."""
    if case.path != ROOMS:
        return case.attempts
    if case.times is None:
        return LISTINGS * case.attempts
    return LISTINGS - 1 + case.attempts


def listing_pages(sim: Simulator) -> int:
    counts = Counter(r.zoom_room_type for r in sim.fleet.rooms)
    return sum(max(1, math.ceil(counts.get(kind, 0) / 300)) for kind in ROOM_TYPES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_fault(case: Case, sim: Simulator, connect: Callable[..., Any], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with connect(sim) as client:
        inject(sim, case)
        result = await client.call_tool("get_zoom_rooms", {"location_query": "Seattle"})
        attempts = _attempts(sim, case.path)
        sim.faults.clear()
        # The server keeps serving once Zoom recovers.
        after = await call(client, "get_zoom_rooms", {"location_query": "Seattle"})
    text = text_of(result)
    assert attempts == listing_attempts(case)
    if case.ok:
        assert not result.is_error, text
    else:
        assert result.is_error
        assert case.error in text
        assert "Error executing tool get_zoom_rooms: " in text  # a ToolError we wrote, not a masked crash
        assert "<html" not in text.lower()
    assert after["total_count"] > 0
    _assert_no_secrets(sim, [text, str(after), caplog.text])


async def test_token_revoked_mid_session_costs_exactly_one_new_token(
    sim: Simulator, connect: Callable[..., Any]
) -> None:
    async with connect(sim) as client:
        await call(client, "get_zoom_rooms")
        sim.revoke_tokens()
        result = await call(client, "test_zoom_connection")  # always calls Zoom (rooms are cached)
    assert result["token_cached"] is False
    assert sim.stats.token_requests == 2
    assert sim.stats.by_status[401] == 1


async def test_revocation_during_a_fan_out(sim: Simulator, connect: Callable[..., Any]) -> None:
    async with connect(sim) as client:
        sim.faults.add("revoke", "/v2/rooms/*/devices", times=1)
        report = await call(client, "get_fleet_health", {"location_query": "Seattle"})
    assert "devices" in report["sources"]
    assert not any("could not be read" in note for note in report["notes"])
    assert sim.stats.token_requests == 2  # every in-flight 401 shares one refresh


async def test_not_found_while_reading_a_room_becomes_a_note(sim: Simulator, connect: Callable[..., Any]) -> None:
    everest = sim.fleet.room_named("Everest")
    assert everest is not None
    async with connect(sim) as client:
        sim.faults.add("status", f"/v2/rooms/{everest.id}", status=404, code=1012, times=None)
        details = await call(client, "get_room_details", {"room": "Everest"})
        sim.faults.clear()
    assert details["capacity"] is None
    assert any("capacity" in note and "not shown" in note for note in details["notes"]), details["notes"]
    assert details["devices"]


async def test_expired_page_token_mid_listing_restarts_the_listing(tmp_path: Any) -> None:
    clock = [1_800_000_000.0]
    big = Simulator(rooms=700, seed=5, clock=lambda: clock[0], rate_scale=RATE_SCALE)
    inner = big.transport()
    restarts = {"expired": 0}

    class ExpireSecondPage(httpx2.AsyncBaseTransport):
        """Lets 16 minutes pass before the first follow-up page, once: the page token has expired."""

        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            if request.url.path == ROOMS and "next_page_token" in request.url.params and not restarts["expired"]:
                restarts["expired"] = 1
                clock[0] += 16 * 60
            return await inner.handle_async_request(request)

    server = create_server(settings_for(big, tmp_path), transport=ExpireSecondPage(), rate_scale=RATE_SCALE)
    async with Client(server) as client:
        result = await call(client, "get_zoom_rooms", {"limit": 1})
    assert result["total_count"] == 700
    assert big.stats.by_status[400] == 1  # the expired token was refused once …
    # Every type's listing once, plus the refused page 2 and the restart of the listing it belonged to.
    assert _attempts(big, ROOMS) == listing_pages(big) + 2


def _assert_no_secrets(sim: Simulator, texts: list[str]) -> None:
    assert ISSUED, "the recorder saw no token"
    for text in texts:
        assert sim.credentials.client_secret not in text
        for token in ISSUED:
            assert token not in text


SOCKET_CASES = [c for c in CASES if c.path == ROOMS and c.kind != "timeout"]  # socket timeouts are slow by nature


@pytest.mark.slow
async def test_fault_matrix_over_stdio_and_a_real_socket(tmp_path: Any) -> None:
    """The same faults through the real entry point and a real HTTP connection to the simulator."""
    served = recording(simulator())
    with running_simulator(served) as base_url:
        async with Client(stdio_server(served, base_url, tmp_path)) as client:
            await call(client, "test_zoom_connection")
            for case in SOCKET_CASES:
                served.stats.reset()
                inject(served, case)
                result = await client.call_tool("test_zoom_connection", {})
                text = text_of(result)
                assert _attempts(served, case.path) == case.attempts, case.id
                # A missing scope is reported by test_zoom_connection, not failed (issue 10 item 6).
                reported = case.code == 4711
                assert result.is_error is not (case.ok or reported), (case.id, text)
                if reported:
                    assert "the token works" in text, case.id
                elif not case.ok:
                    assert case.error in text, case.id
                _assert_no_secrets(served, [text])
            served.faults.clear()
            assert not (await client.call_tool("test_zoom_connection", {})).is_error
