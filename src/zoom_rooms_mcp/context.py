"""The objects that live for the server's whole life, handed to tools by the lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from zoom_rooms_mcp.fleet import FleetService
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.zoom.client import ZoomClient
from zoom_rooms_mcp.zoom.token import TokenManager


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    tokens: TokenManager
    client: ZoomClient
    fleet: FleetService
    account_id: str
    client_id: str
    demo: bool
