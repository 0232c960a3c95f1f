"""A faithful re-implementation of the seed server's design (the reference this project replaces), for (a).

Per tool call the seed:
* created a NEW auth object and a NEW HTTP session (``httpx2.AsyncClient``), so nothing survived between calls;
* re-read the token cache file from disk (a fresh auth object has no memory copy);
* fetched a token when the file had none (or an expiring one) and wrote the file non-atomically;
* read only the FIRST page of ``/rooms`` (no ``page_size``, so Zoom's default 30; ``next_page_token`` ignored);
* after a 401 cleared only its memory copy, so it reloaded the same stale token from the file and failed again.

No artificial slowdowns: it talks to the same simulator, with the same latency, as the real server.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from mcp.server.mcpserver import MCPServer

REFRESH_BUFFER_SECONDS = 300


@dataclass(frozen=True, slots=True)
class SeedConfig:
    account_id: str
    client_id: str
    client_secret: str
    token_url: str
    api_base_url: str
    cache_dir: Path


class SeedAuth:
    """The seed's token handling: memory copy, then the JSON cache file, then the token endpoint."""

    def __init__(self, config: SeedConfig) -> None:
        self.config = config
        self.cache_file = config.cache_dir / f"zoom_token_{config.account_id}.json"
        self.access_token: str | None = None
        self.expires_at = 0.0

    def _valid(self) -> bool:
        return self.access_token is not None and time.time() < self.expires_at - REFRESH_BUFFER_SECONDS

    def _load_cache(self) -> None:
        # Blocking file I/O on the event loop, as the seed did.
        try:
            with self.cache_file.open(encoding="utf-8") as fh:
                data = json.load(fh)
            self.access_token = str(data["access_token"])
            self.expires_at = float(data["expires_at"])
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def _save_cache(self) -> None:
        # Not atomic (truncate, then write in place) and with default permissions: the seed's behaviour.
        self.config.cache_dir.mkdir(parents=True, exist_ok=True)
        with self.cache_file.open("w", encoding="utf-8") as fh:
            json.dump({"access_token": self.access_token, "expires_at": self.expires_at}, fh)

    async def get_token(self, session: httpx2.AsyncClient) -> str:
        if not self._valid():
            self._load_cache()
        if not self._valid():
            await self._fetch(session)
        assert self.access_token is not None
        return self.access_token

    async def _fetch(self, session: httpx2.AsyncClient) -> None:
        response = await session.post(
            self.config.token_url,
            params={"grant_type": "account_credentials", "account_id": self.config.account_id},
            auth=httpx2.BasicAuth(self.config.client_id, self.config.client_secret),
        )
        response.raise_for_status()
        data = response.json()
        self.access_token = str(data["access_token"])
        self.expires_at = time.time() + float(data["expires_in"])
        self._save_cache()

    def clear(self) -> None:
        """The seed's 401 handling: forget the memory copy only; the file keeps the rejected token."""
        self.access_token = None
        self.expires_at = 0.0


async def seed_get_zoom_rooms(config: SeedConfig) -> dict[str, Any]:
    """The seed's ``get_zoom_rooms``: list rooms, first page only, no location resolution."""
    auth = SeedAuth(config)
    async with httpx2.AsyncClient(timeout=30.0) as session:
        token = await auth.get_token(session)
        url = f"{config.api_base_url}/rooms"
        response = await session.get(url, headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 401:
            auth.clear()
            token = await auth.get_token(session)  # reloads the same stale token from the file
            response = await session.get(url, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        rooms = response.json().get("rooms", [])
    return {"rooms": rooms, "count": len(rooms)}


def create_seed_server(config: SeedConfig) -> MCPServer:
    """The seed's tool behind the same SDK, so that both sides of (a) pay the same MCP overhead."""
    server = MCPServer("zoom-rooms-seed")

    @server.tool()
    async def get_zoom_rooms() -> dict[str, Any]:
        """List the Zoom Rooms of the account."""
        return await seed_get_zoom_rooms(config)

    return server
