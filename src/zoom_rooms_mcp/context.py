"""The objects that live for the server's whole life, handed to tools by the lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from zoom_rooms_mcp.fleet.service import FleetService
from zoom_rooms_mcp.fleet.sync import SyncEngine
from zoom_rooms_mcp.fleet.webhooks import FleetWebhookSink
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.store.api import Store
from zoom_rooms_mcp.zoom.client import ZoomClient
from zoom_rooms_mcp.zoom.token import TokenManager


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    tokens: TokenManager
    client: ZoomClient
    service: FleetService
    store: Store
    sync: SyncEngine
    webhooks: FleetWebhookSink
    account_id: str
    client_id: str
    demo: bool

    def store_report(self) -> dict[str, object]:
        """``store`` of test_zoom_connection (DESIGN §9): where the fleet lives and how current the sync is."""
        report: dict[str, object] = {"backend": self.store.backend, "sync": self.sync.report()}
        fallback = getattr(self.store, "fallback_reason", None)
        if fallback:
            report["fallback_reason"] = fallback
        if self.service.store_error:
            report["write_error"] = self.service.store_error
        return report
