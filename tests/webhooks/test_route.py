"""The webhook route: every row of the issue's "Bad input" table, URL validation, accounts, redelivery."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import anyio
import httpx2
import pytest
from starlette.types import Message

from tests.http.conftest import running_app
from tests.webhooks.conftest import ACCOUNT, NOW, SECRET, URL, alert, app_for, dumps, signed
from zoom_rooms_mcp.webhooks import MAX_BODY_BYTES, MemorySink, route, url_validation_response
from zoom_rooms_mcp.webhooks.events import WebhookEvent

pytestmark = pytest.mark.anyio


async def post(client: httpx2.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx2.Response:
    return await client.post(URL, content=body, headers=headers)


async def test_url_validation_is_answered_with_the_token_and_its_hmac(
    client: httpx2.AsyncClient, sink: MemorySink
) -> None:
    body = dumps(
        {"payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}, "event_ts": 1, "event": "endpoint.url_validation"}
    )
    response = await post(client, body, signed(body))
    assert response.status_code == 200
    expected = url_validation_response(SECRET, "qgg8vlvZRS6UYooatFL8Aw")
    assert response.json() == expected
    assert not sink.events


async def test_url_validation_must_be_signed_too(client: httpx2.AsyncClient) -> None:
    body = dumps({"payload": {"plainToken": "abc"}, "event": "endpoint.url_validation"})
    response = await post(client, body, {"content-type": "application/json"})
    assert response.status_code == 401
    assert "encryptedToken" not in response.text


async def test_an_alert_is_stored_and_followed_up(client: httpx2.AsyncClient, sink: MemorySink) -> None:
    body = dumps(alert())
    response = await post(client, body, signed(body))
    assert (response.status_code, response.json()) == (200, {"status": "stored"})
    (event,) = sink.events
    assert (event.event, event.account_id) == ("zoomroom.alert", ACCOUNT)
    assert sink.followed_up == [event]


async def test_a_redelivery_is_stored_once(client: httpx2.AsyncClient, sink: MemorySink) -> None:
    body = dumps(alert())
    first = await post(client, body, signed(body))
    # Zoom retries later with a fresh timestamp and signature, same body
    again = await post(client, body, signed(body, timestamp=int(NOW) - 120))
    assert first.json() == {"status": "stored"}
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert len(sink.events) == 1
    assert len(sink.followed_up) == 1


async def test_another_accounts_event_is_answered_and_ignored(client: httpx2.AsyncClient, sink: MemorySink) -> None:
    body = dumps(alert(account_id="someone-else"))
    response = await post(client, body, signed(body))
    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
    assert not sink.events
    assert not sink.followed_up


async def test_without_an_account_id_any_account_is_accepted(sink: MemorySink) -> None:
    transport = httpx2.ASGITransport(app=app_for(sink, account_id=None))
    async with httpx2.AsyncClient(transport=transport) as client:
        body = dumps(alert(account_id="any"))
        response = await post(client, body, signed(body))
    assert response.json() == {"status": "stored"}


@pytest.mark.parametrize(
    "body",
    [
        {"event": "workspace.created", "event_ts": 1, "payload": {"account_id": ACCOUNT, "object": {"id": "w"}}},
        {"event": "zoomroom.thirdparty_meeting_attempted", "event_ts": 1},
        {"event": "visitor_management.checked_in", "event_ts": 1, "payload": "odd"},
    ],
)
async def test_unknown_events_get_200_and_are_ignored(
    client: httpx2.AsyncClient, sink: MemorySink, body: dict[str, Any]
) -> None:
    raw = dumps(body)
    response = await post(client, raw, signed(raw))
    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
    assert not sink.events


# The "Bad input" table: a clear status, nothing stored, the server keeps serving.
def _bad_signature(body: bytes) -> dict[str, str]:
    return {**signed(body), "x-zm-signature": "v0=" + "0" * 64}


def _no_signature(body: bytes) -> dict[str, str]:
    return {"content-type": "application/json"}


def _stale(body: bytes) -> dict[str, str]:
    return signed(body, timestamp=int(NOW) - 301)


def _future(body: bytes) -> dict[str, str]:
    return signed(body, timestamp=int(NOW) + 301)


def _text_plain(body: bytes) -> dict[str, str]:
    return {**signed(body), "content-type": "text/plain"}


def _no_content_type(body: bytes) -> dict[str, str]:
    given = signed(body)
    del given["content-type"]
    return given


def _form(body: bytes) -> dict[str, str]:
    return {**signed(body), "content-type": "application/x-www-form-urlencoded"}


GOOD = dumps(alert())
MISSING_FIELD = dumps({k: v for k, v in alert().items() if k != "event_ts"})
MISSING_OBJECT_ID = dumps({**alert(), "payload": {"account_id": ACCOUNT, "object": {"issue": "x"}}})
BIG = dumps({**alert(), "padding": "x" * MAX_BODY_BYTES})


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        pytest.param(GOOD, _bad_signature, 401, id="bad signature"),
        pytest.param(GOOD, _no_signature, 401, id="missing signature"),
        pytest.param(GOOD, _stale, 401, id="stale timestamp"),
        pytest.param(GOOD, _future, 401, id="timestamp from the future"),
        pytest.param(b"not json at all", signed, 400, id="non-JSON body"),
        pytest.param(b'{"event": "zoomroom.alert",', signed, 400, id="truncated JSON"),
        pytest.param(b"\xff\xfe\x00", signed, 400, id="not UTF-8"),
        pytest.param(b"[1, 2]", signed, 400, id="JSON but not an object"),
        pytest.param(BIG, signed, 413, id="more than 1 MiB"),
        pytest.param(MISSING_FIELD, signed, 400, id="missing event_ts"),
        pytest.param(MISSING_OBJECT_ID, signed, 400, id="missing object id"),
        pytest.param(GOOD, _text_plain, 415, id="wrong content type"),
        pytest.param(GOOD, _form, 415, id="form content type"),
        pytest.param(GOOD, _no_content_type, 415, id="no content type"),
    ],
)
async def test_bad_input_gets_a_clear_status_and_stores_nothing(
    client: httpx2.AsyncClient, sink: MemorySink, body: bytes, headers: Any, status: int
) -> None:
    response = await post(client, body, headers(body))
    assert response.status_code == status
    assert set(response.json()) == {"error"}
    assert not sink.events
    assert not sink.followed_up
    # and the server keeps serving
    ok = await post(client, GOOD, signed(GOOD))
    assert ok.json() == {"status": "stored"}


async def test_exactly_one_mebibyte_is_accepted(client: httpx2.AsyncClient, sink: MemorySink) -> None:
    base = dumps({**alert(), "padding": ""})
    body = base.replace(b'"padding":""', b'"padding":"' + b"x" * (MAX_BODY_BYTES - len(base)) + b'"')
    assert len(body) == MAX_BODY_BYTES
    response = await post(client, body, signed(body))
    assert response.json() == {"status": "stored"}


async def test_only_post(client: httpx2.AsyncClient) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, URL)
        assert response.status_code == 405


class Recorder:
    """Drives the ASGI app directly: counts the body chunks the route actually reads."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.read = 0
        self.status = 0

    async def receive(self) -> Message:
        if self.read < len(self.chunks):
            self.read += 1
            return {
                "type": "http.request",
                "body": self.chunks[self.read - 1],
                "more_body": self.read < len(self.chunks),
            }
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]


async def call(sink: MemorySink, headers: dict[str, str] | list[tuple[str, str]], chunks: list[bytes]) -> Recorder:
    recorder = Recorder(chunks)
    pairs = headers.items() if isinstance(headers, dict) else headers
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/zoom/webhook",
        "raw_path": b"/zoom/webhook",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    with anyio.fail_after(10):
        await app_for(sink)(scope, recorder.receive, recorder.send)
    return recorder


async def test_a_streamed_body_is_cut_off_at_the_cap_without_reading_the_rest(sink: MemorySink) -> None:
    chunk = b"x" * 65536
    chunks = [chunk] * 160  # 10 MiB, chunked (no Content-Length)
    recorder = await call(sink, signed(b""), chunks)
    assert recorder.status == 413
    assert recorder.read <= MAX_BODY_BYTES // len(chunk) + 1
    assert not sink.events


async def test_a_declared_oversize_body_is_refused_before_reading(sink: MemorySink) -> None:
    headers = {**signed(b""), "content-length": str(MAX_BODY_BYTES + 1)}
    recorder = await call(sink, headers, [b"x"] * 10)
    assert (recorder.status, recorder.read) == (413, 0)


async def test_a_malformed_content_length_is_refused(sink: MemorySink) -> None:
    recorder = await call(sink, {**signed(b"{}"), "content-length": "12abc"}, [b"{}"])
    assert (recorder.status, recorder.read) == (400, 0)


async def test_repeated_signature_headers_are_refused(sink: MemorySink) -> None:
    good = signed(GOOD)
    pairs = [*good.items(), ("x-zm-signature", "v0=" + "0" * 64)]
    recorder = await call(sink, pairs, [GOOD])
    assert recorder.status == 401
    assert not sink.events
    assert (await call(sink, list(good.items()), [GOOD])).status == 200


async def test_an_unsigned_request_is_refused_before_its_body_is_read(sink: MemorySink) -> None:
    recorder = await call(sink, {"content-type": "application/json"}, [b"{}"] * 10)
    assert (recorder.status, recorder.read) == (401, 0)


class FailingSink(MemorySink):
    async def accept(self, event: WebhookEvent) -> bool:
        raise RuntimeError("database is locked")


class StuckSink(MemorySink):
    async def accept(self, event: WebhookEvent) -> bool:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


@pytest.mark.parametrize("sink_type", [FailingSink, StuckSink])
async def test_a_store_failure_is_503_so_that_zoom_delivers_again(
    monkeypatch: pytest.MonkeyPatch, sink_type: type[MemorySink]
) -> None:
    monkeypatch.setattr(route, "ACCEPT_TIMEOUT", 0.05)
    sink = sink_type()
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app_for(sink))) as client:
        with anyio.fail_after(5):
            response = await post(client, GOOD, signed(GOOD))
    assert response.status_code == 503
    assert not sink.followed_up


class GatedSink(MemorySink):
    """``after`` waits for the test to open the gate, so it can only finish once the answer is out.

    Threading events: the server runs its own event loop in another thread."""

    def __init__(self, *, fail: bool = False) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.done = threading.Event()
        self.fail = fail

    async def after(self, event: WebhookEvent) -> None:
        await anyio.to_thread.run_sync(self.gate.wait, 10)
        if self.fail:
            raise RuntimeError("zoom unreachable")
        self.followed_up.append(event)
        self.done.set()


async def test_follow_up_work_runs_after_the_answer_over_real_http() -> None:
    sink = GatedSink()
    with running_app(app_for(sink, now=NOW)) as base:
        async with httpx2.AsyncClient(base_url=base, timeout=10) as client:
            with anyio.fail_after(5):
                response = await client.post("/zoom/webhook", content=GOOD, headers=signed(GOOD))
            assert response.json() == {"status": "stored"}
            assert not sink.followed_up  # answered while the follow-up still waits
            sink.gate.set()
            assert await anyio.to_thread.run_sync(sink.done.wait, 5)
    assert len(sink.followed_up) == 1


async def test_a_failing_follow_up_is_logged_and_the_server_keeps_serving(caplog: pytest.LogCaptureFixture) -> None:
    sink = GatedSink(fail=True)
    sink.gate.set()
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app_for(sink))) as client:
        with caplog.at_level(logging.INFO, logger="zoom_rooms_mcp.webhooks"):
            first = await post(client, GOOD, signed(GOOD))
            other = dumps(alert(room_id="another"))
            second = await post(client, other, signed(other))
    assert (first.status_code, second.status_code) == (200, 200)
    assert any("follow-up failed (RuntimeError)" in r.getMessage() for r in caplog.records)


async def test_one_log_line_per_delivery_and_never_the_secret_or_a_signature(
    client: httpx2.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    validation = dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "tok"}})
    requests = [
        (GOOD, signed(GOOD)),
        (GOOD, signed(GOOD)),
        (GOOD, _bad_signature(GOOD)),
        (b"nope", signed(b"nope")),
        (validation, signed(validation)),
    ]
    with caplog.at_level(logging.DEBUG):
        for body, headers in requests:
            await post(client, body, headers)
    lines = [r.getMessage() for r in caplog.records if r.name == "zoom_rooms_mcp.webhooks"]
    assert len(lines) == len(requests)
    assert lines[0].startswith("webhook zoomroom.alert: stored (200")
    assert lines[1].startswith("webhook zoomroom.alert: duplicate (200")
    assert lines[2].startswith("webhook -: bad signature (401")
    assert lines[3].startswith("webhook -: body is not JSON (400")
    assert lines[4].startswith("webhook endpoint.url_validation: url validated (200")
    everything = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert SECRET.get_secret_value() not in everything
    for _, headers in requests:
        assert headers["x-zm-signature"][3:] not in everything
    assert url_validation_response(SECRET, "tok")["encryptedToken"] not in everything


async def test_the_route_refuses_an_empty_secret() -> None:
    from pydantic import SecretStr

    with pytest.raises(ValueError, match="empty"):
        route.webhook_route(secret=SecretStr(""), sink=MemorySink(), account_id=None)


async def test_answers_are_json(client: httpx2.AsyncClient) -> None:
    response = await post(client, GOOD, signed(GOOD))
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.content) == {"status": "stored"}
