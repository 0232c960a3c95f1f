"""The route under hostile and heavy traffic: fuzzed bodies and headers, a mixed flood, 200 at once."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as label
from hypothesis import strategies as st

from tests.webhooks.conftest import ACCOUNT, NOW, SECRET, URL, alert, app_for, dumps, signed
from zoom_rooms_mcp.webhooks import MemorySink, sign
from zoom_rooms_mcp.webhooks.events import decode_json, parse

HEADER_TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=80)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
EVENTS = st.sampled_from(
    [
        "zoomroom.alert",
        "zoomroom.delayed_alert",
        "zoomroom.created",
        "zoomroom.location_deleted",
        "zoomroom.checked_in",
        "zoomroom.sensor_data",
        "endpoint.url_validation",
        "workspace.created",
    ]
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Raw bytes, arbitrary JSON, or a real event body, perhaps with a part replaced by arbitrary JSON."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.binary(max_size=200))
    if choice == 1:
        return json.dumps(draw(JSON)).encode()
    body: dict[str, Any] = alert(event=draw(EVENTS))
    target = draw(st.sampled_from(["event_ts", "payload", "account_id", "object", "id", "alert_type", "extra", "none"]))
    if target == "none":
        return dumps(body)
    value = draw(JSON)
    if target in ("event_ts", "payload"):
        body[target] = value
    elif target == "account_id":
        body["payload"]["account_id"] = value
    elif target == "object":
        body["payload"]["object"] = value
    elif target == "extra":
        body["payload"]["object"]["sensor_data"] = value
    else:
        body["payload"]["object"][target] = value
    return dumps(body)


@st.composite
def headers_for(draw: st.DrawFn, body: bytes) -> tuple[dict[str, str], bool]:
    """Headers for ``body`` and whether they make a correctly signed JSON delivery."""
    headers: dict[str, str] = {}
    # Weighted towards well-formed deliveries, so that most examples reach the parser.
    content_type = draw(
        st.sampled_from(
            ["application/json"] * 3 + ["application/json; charset=utf-8"] * 3 + ["text/plain", None, "random"]
        )
    )
    if content_type == "random":
        content_type = draw(HEADER_TEXT)
    if content_type is not None:
        headers["content-type"] = content_type
    timestamp = draw(st.sampled_from([int(NOW)] * 4 + [int(NOW) - 299, int(NOW) - 301, int(NOW) + 1000, None]))
    timestamp_text = draw(HEADER_TEXT) if timestamp is None else str(timestamp)
    if draw(st.booleans()) or timestamp is not None:
        headers["x-zm-request-timestamp"] = timestamp_text
    how = draw(st.sampled_from(["right"] * 4 + ["other body", "other secret", "random", "missing"]))
    if how == "right":
        headers["x-zm-signature"] = sign(SECRET, timestamp_text, body) if timestamp_text.isdigit() else "v0="
    elif how == "other body":
        headers["x-zm-signature"] = sign(SECRET, timestamp_text, body + b" ") if timestamp_text.isdigit() else "v0="
    elif how == "other secret":
        headers["x-zm-signature"] = sign("not-the-secret", timestamp_text, body) if timestamp_text.isdigit() else ""
    elif how == "random":
        headers["x-zm-signature"] = draw(HEADER_TEXT)
    genuine = (
        how == "right"
        and timestamp is not None
        and abs(timestamp - NOW) <= 300
        and content_type is not None
        and content_type.split(";")[0].strip().lower() == "application/json"
    )
    return headers, genuine


async def _deliver_once(body: bytes, headers: dict[str, str]) -> tuple[int, MemorySink]:
    sink = MemorySink()
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app_for(sink))) as client:
        response = await client.post(URL, content=body, headers=headers)
    return response.status_code, sink


# Synchronous, with an event loop per example: hypothesis stops and shrinks examples by raising inside the
# test, which it can do cleanly only outside a running loop.
@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_requests_never_crash_and_store_only_signed_events(data: st.DataObject) -> None:
    body = data.draw(bodies())
    headers, genuine = data.draw(headers_for(body))
    status, sink = anyio.run(_deliver_once, body, headers)
    assert status in (200, 400, 401, 413, 415)
    label(f"{'signed' if genuine else 'unsigned'} {status}, stored {len(sink.events)}")
    if not genuine:
        assert status != 200
        assert not sink.events
        return
    if sink.events:
        (event,) = sink.events
        assert event == parse(decode_json(body))
        assert event.account_id == ACCOUNT


@pytest.mark.anyio
async def test_a_flood_of_mixed_requests_is_each_verified_and_the_server_stays_up() -> None:
    sink = MemorySink()
    genuine = [dumps(alert(room_id=f"room-{i}")) for i in range(100)]
    requests: list[tuple[bytes, dict[str, str], int]] = []
    requests += [(body, signed(body), 200) for body in genuine]
    requests += [(body, signed(body, timestamp=int(NOW) - 60), 200) for body in genuine]  # redeliveries
    requests += [(body, {**signed(body), "x-zm-signature": "v0=" + "f" * 64}, 401) for body in genuine]
    requests += [(body, signed(body, timestamp=int(NOW) - 3600), 401) for body in genuine[:50]]
    requests += [(b"{" * 50, signed(b"{" * 50), 400) for _ in range(50)]
    requests += [(body, {"content-type": "application/json"}, 401) for body in genuine]
    assert len(requests) == 500
    statuses: list[tuple[int, int]] = []

    async def one(client: httpx2.AsyncClient, body: bytes, headers: dict[str, str], expected: int) -> None:
        response = await client.post(URL, content=body, headers=headers)
        statuses.append((response.status_code, expected))

    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app_for(sink)), timeout=30) as client:
        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                for body, headers, expected in requests:
                    tg.start_soon(one, client, body, headers, expected)
        assert all(got == expected for got, expected in statuses), sorted({s for s in statuses if s[0] != s[1]})
        assert len(sink.events) == 100
        assert {e.room_id for e in sink.events} == {f"room-{i}" for i in range(100)}  # type: ignore[union-attr]
        after = dumps(alert(room_id="after-the-flood"))
        assert (await client.post(URL, content=after, headers=signed(after))).json() == {"status": "stored"}


@pytest.mark.anyio
async def test_200_concurrent_signed_deliveries_are_each_answered_within_3_seconds() -> None:
    sink = MemorySink()
    answered: list[int] = []

    async def deliver(client: httpx2.AsyncClient, i: int) -> None:
        body = dumps(alert(room_id=f"room-{i}", alert_type=1 + i % 10))
        with anyio.fail_after(3):
            response = await client.post(URL, content=body, headers=signed(body))
        answered.append(response.status_code)

    transport = httpx2.ASGITransport(app=app_for(sink))
    async with httpx2.AsyncClient(transport=transport, timeout=30) as client, anyio.create_task_group() as tg:
        for i in range(200):
            tg.start_soon(deliver, client, i)
    assert answered == [200] * 200
    assert len(sink.events) == 200
