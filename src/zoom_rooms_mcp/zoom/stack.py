"""One Zoom client stack: settings → HTTP client → token manager → pacer → client, built in one place.

The server's lifespan and the ``check`` doctor both open it, so the User-Agent, the timeouts, the
connection limits, the token cache and the pacing cannot differ between what is checked and what runs.
Demo mode is the caller's business: pass the simulator's settings and transport.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import httpx2
from pydantic import SecretStr

from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.zoom.client import ZoomClient
from zoom_rooms_mcp.zoom.pacing import Pacer
from zoom_rooms_mcp.zoom.token import (
    TOKEN_REQUEST_TIMEOUT,
    Credentials,
    TokenCache,
    TokenFile,
    TokenFileInfo,
    TokenManager,
)

USER_AGENT = f"zoom-rooms-mcp/{__version__} (+https://pypi.org/project/zoom-rooms-mcp/)"
# A whole token request is also capped at TOKEN_REQUEST_TIMEOUT (the token manager's own deadline).
TIMEOUT = httpx2.Timeout(TOKEN_REQUEST_TIMEOUT, connect=5.0)
# Room for the tool lane's 8 and the sync lane's 8 concurrent requests, plus token requests.
LIMITS = httpx2.Limits(max_connections=20, max_keepalive_connections=10)


class _Default(Enum):
    FROM_SETTINGS = "from settings"


FROM_SETTINGS = _Default.FROM_SETTINGS


@dataclass(frozen=True, slots=True)
class ZoomStack:
    settings: Settings
    http: httpx2.AsyncClient
    tokens: TokenManager
    pacer: Pacer
    client: ZoomClient


@asynccontextmanager
async def open_zoom_stack(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    rate_scale: float = 1.0,
    cache_dir: Path | _Default | None = FROM_SETTINGS,
    token_cache: TokenCache | None = None,
) -> AsyncIterator[ZoomStack]:
    """Open the HTTP client and build the token manager, pacer and client on it, once.

    ``transport`` replaces the network (tests, the simulator). ``rate_scale`` multiplies the plan's
    limits in the pacer, for a simulator whose limits are scaled the same way, never for a real account.
    ``cache_dir`` defaults to ``TOKEN_CACHE_DIR``, or memory only in demo mode; None means memory only.
    ``token_cache`` replaces the file cache (the PostgreSQL store's shared token, DESIGN §11).
    """
    if isinstance(cache_dir, _Default):
        cache_dir = None if settings.zoom_rooms_demo else settings.token_cache_dir
    async with httpx2.AsyncClient(
        transport=transport,
        timeout=TIMEOUT,
        limits=LIMITS,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    ) as http:
        tokens = TokenManager(
            http=http,
            token_url=settings.zoom_oauth_token_url,
            account_id=settings.zoom_account_id or "",
            client_id=settings.zoom_client_id or "",
            client_secret=settings.zoom_client_secret or SecretStr(""),
            cache_dir=cache_dir,
            request_timeout=TOKEN_REQUEST_TIMEOUT,
            cache=token_cache,
        )
        pacer = Pacer(settings.zoom_api_plan, scale=rate_scale, sync_share=settings.zoom_rooms_sync_share)
        client = ZoomClient(http=http, tokens=tokens, base_url=settings.zoom_api_base_url, pacer=pacer)
        yield ZoomStack(settings=settings, http=http, tokens=tokens, pacer=pacer, client=client)


def token_file(settings: Settings) -> TokenFile:
    """The token cache file these settings' server would use (for ``token --clear`` and inspection)."""
    credentials = Credentials(
        settings.zoom_oauth_token_url, settings.zoom_client_id or "", settings.zoom_client_secret or SecretStr("")
    )
    return TokenFile(settings.token_cache_dir, settings.zoom_account_id or "", credentials)


def inspect_token_file(settings: Settings, *, now: float | None = None) -> TokenFileInfo:
    """A secret-free description of the token cache file, without any request (``token``, ``check``)."""
    return token_file(settings).inspect(time.time() if now is None else now)
