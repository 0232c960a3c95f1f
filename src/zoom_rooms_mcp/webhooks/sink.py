"""Where verified webhook events go.

The route calls ``accept`` before answering Zoom (it must be quick: store the event, nothing that reads
Zoom) and ``after`` once the answer is sent, for work that reads Zoom (re-reading a changed room or
location). The store-backed sink lives with the fleet store; ``MemorySink`` serves tests and benchmarks.
"""

from __future__ import annotations

from typing import Protocol

from zoom_rooms_mcp.webhooks.events import WebhookEvent


class WebhookSink(Protocol):
    async def accept(self, event: WebhookEvent) -> bool:
        """Store ``event`` (its effect on the room and the event log) at once. False: a duplicate, already
        stored (same ``dedupe_key``), so nothing changed."""
        ...

    async def after(self, event: WebhookEvent) -> None:
        """Follow-up work that may read Zoom; runs after Zoom has its answer, only for accepted events."""
        ...


class MemorySink:
    """Keeps accepted events in memory, deduplicated by ``dedupe_key``; records the follow-ups it ran."""

    def __init__(self) -> None:
        self.events: list[WebhookEvent] = []
        self.followed_up: list[WebhookEvent] = []
        self._keys: set[str] = set()

    async def accept(self, event: WebhookEvent) -> bool:
        if event.dedupe_key in self._keys:
            return False
        self._keys.add(event.dedupe_key)
        self.events.append(event)
        return True

    async def after(self, event: WebhookEvent) -> None:
        self.followed_up.append(event)
