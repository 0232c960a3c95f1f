"""A scriptable fake of Zoom's token endpoint and API for client-level tests (httpx2.MockTransport)."""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import anyio
import httpx2
from pydantic import SecretStr

from zoom_rooms_mcp.zoom.token import TokenManager

TOKEN_URL = "https://zoom.test/oauth/token"
API = "https://api.zoom.test/v2"
ACCOUNT, CLIENT_ID, SECRET = "acct-1", "client-1", "very-secret-value"

Reply = httpx2.Response | Callable[[httpx2.Request], httpx2.Response] | BaseException


@dataclass
class FakeZoom:
    """Issues tokens tok-1, tok-2, … and answers API calls from a per-path script (default: 200 {})."""

    scopes: str = "room:read:admin"
    valid_tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    token_script: list[Reply] = field(default_factory=list)
    api_script: dict[str, list[Reply]] = field(default_factory=dict)
    api_default: Callable[[httpx2.Request], httpx2.Response] | None = None
    api_calls: list[httpx2.Request] = field(default_factory=list)
    gate: anyio.Event | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def handler(self, request: httpx2.Request) -> httpx2.Response:
        if str(request.url) == TOKEN_URL:
            return await self._token(request)
        self.api_calls.append(request)
        script = self.api_script.get(request.url.path)
        if script:
            return _play(script.pop(0), request)
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in self.valid_tokens:
            return httpx2.Response(401, json={"code": 124, "message": "Invalid access token."})
        if self.api_default:
            return self.api_default(request)
        return httpx2.Response(200, json={"ok": True, "path": request.url.path})

    async def _token(self, request: httpx2.Request) -> httpx2.Response:
        self.token_requests += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.token_script:
            return _play(self.token_script.pop(0), request)
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
        form = parse_qs(request.content.decode())
        if request.headers.get("Authorization") != expected:
            return httpx2.Response(
                400, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
            )
        if form.get("grant_type") != ["account_credentials"] or form.get("account_id") != [ACCOUNT]:
            return httpx2.Response(400, json={"reason": "Bad Request", "error": "invalid_request"})
        token = f"tok-{next(self._ids)}"
        self.valid_tokens.add(token)
        return httpx2.Response(
            200, json={"access_token": token, "token_type": "bearer", "expires_in": 3600, "scope": self.scopes}
        )

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handler)


def _play(reply: Reply, request: httpx2.Request) -> httpx2.Response:
    if isinstance(reply, BaseException):
        raise reply
    if isinstance(reply, httpx2.Response):
        return reply
    return reply(request)


def zoom_json(status: int, body: object, **headers: str) -> httpx2.Response:
    return httpx2.Response(
        status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )


def token_manager(
    http: httpx2.AsyncClient,
    cache_dir: Path | None = None,
    *,
    token_url: str = TOKEN_URL,
    client_id: str = CLIENT_ID,
    secret: str = SECRET,
    clock: Callable[[], float] = time.time,
) -> TokenManager:
    """A token manager for the fake app's account; the tests vary only what they are about."""
    return TokenManager(
        http=http,
        token_url=token_url,
        account_id=ACCOUNT,
        client_id=client_id,
        client_secret=SecretStr(secret),
        cache_dir=cache_dir,
        clock=clock,
        lock_timeout=5,
    )
