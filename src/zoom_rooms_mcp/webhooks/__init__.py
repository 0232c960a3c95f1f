"""Zoom webhooks (DESIGN §10): signature checks, typed events, the sink they go to, and the HTTP route."""

from zoom_rooms_mcp.webhooks.events import (
    AlertEvent,
    Ignored,
    LocationChanged,
    Occupancy,
    RoomChanged,
    SensorData,
    SensorValue,
    UrlValidation,
    WebhookEvent,
    WebhookParseError,
)
from zoom_rooms_mcp.webhooks.route import MAX_BODY_BYTES, WEBHOOK_PATH, webhook_route
from zoom_rooms_mcp.webhooks.signature import SignatureError, sign, url_validation_response, verify
from zoom_rooms_mcp.webhooks.sink import MemorySink, WebhookSink

__all__ = [
    "MAX_BODY_BYTES",
    "WEBHOOK_PATH",
    "AlertEvent",
    "Ignored",
    "LocationChanged",
    "MemorySink",
    "Occupancy",
    "RoomChanged",
    "SensorData",
    "SensorValue",
    "SignatureError",
    "UrlValidation",
    "WebhookEvent",
    "WebhookParseError",
    "WebhookSink",
    "sign",
    "url_validation_response",
    "verify",
    "webhook_route",
]
