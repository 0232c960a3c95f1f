"""Shared pieces for the webhook tests: a fixed clock, a test secret, signed requests and Zoom-shaped bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from zoom_rooms_mcp.webhooks import MemorySink, sign, webhook_route

SECRET = SecretStr("test-webhook-secret-3f9c1a7e")
NOW = 1_800_000_000.0
ACCOUNT = "AAAAAABBBB"
URL = "http://testserver/zoom/webhook"


def app_for(sink: MemorySink, *, account_id: str | None = ACCOUNT, now: float = NOW) -> Starlette:
    return Starlette(routes=[webhook_route(secret=SECRET, sink=sink, account_id=account_id, clock=lambda: now)])


def signed(body: bytes, *, timestamp: int = int(NOW), secret: SecretStr = SECRET) -> dict[str, str]:
    return {
        "content-type": "application/json; charset=utf-8",
        "x-zm-request-timestamp": str(timestamp),
        "x-zm-signature": sign(secret, timestamp, body),
    }


def dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def alert(
    *,
    event: str = "zoomroom.alert",
    event_ts: int = 1_799_999_990_000,
    room_id: str = "abcD3ojfdbjfg",
    account_id: str = ACCOUNT,
    alert_type: int = 3,
    component: int = 1,
    alert_kind: int = 1,
    issue: str = "Zoom room is offline",
) -> dict[str, Any]:
    """A ``zoomroom.alert`` body shaped as in Zoom's webhook OpenAPI example."""
    return {
        "event": event,
        "event_ts": event_ts,
        "payload": {
            "account_id": account_id,
            "object": {
                "id": room_id,
                "room_name": "My Zoom Room",
                "calendar_name": "mycalendar@example.com",
                "email": "jchill@example.com",
                "issue": issue,
                "alert_type": alert_type,
                "component": component,
                "alert_time": event_ts,
                "alert_kind": alert_kind,
            },
        },
    }


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
async def client(sink: MemorySink) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app_for(sink))
    async with httpx2.AsyncClient(transport=transport, timeout=10) as http:
        yield http
