"""Zoom's webhooks into the fleet: the store-backed ``WebhookSink`` (DESIGN §10).

``accept`` runs before Zoom gets its answer, so it only writes what the delivery itself says: the event
in the log, the room's new status, occupancy, sensor readings, a deleted room. Anything that needs Zoom
(a created or updated room, a changed location) is re-read in ``after``, once Zoom has its 200.

A redelivered event is stored once: the event log's ``dedupe_key`` is unique in the store, whichever
replica receives it; this process also remembers recent keys so it can answer a redelivery as such.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import replace

from zoom_rooms_mcp.fleet.service import FleetService
from zoom_rooms_mcp.fleet.state import room_row
from zoom_rooms_mcp.store.api import Batch, NewEvent, OccupancyReading, SensorReading
from zoom_rooms_mcp.webhooks.events import (
    AlertEvent,
    Ignored,
    LocationChanged,
    Occupancy,
    RoomChanged,
    SensorData,
    WebhookEvent,
)
from zoom_rooms_mcp.zoom.errors import ZoomError
from zoom_rooms_mcp.zoom.records import Room

log = logging.getLogger(__name__)

RECENT_KEYS = 10_000


class FleetWebhookSink:
    def __init__(self, fleet: FleetService) -> None:
        self.fleet = fleet
        self._recent: OrderedDict[str, float] = OrderedDict()  # dedupe key → when it arrived

    def _seen(self, key: str) -> bool:
        if key in self._recent:
            return True
        self._recent[key] = self.fleet.now()
        if len(self._recent) > RECENT_KEYS:
            self._recent.popitem(last=False)
        return False

    def _room(self, zoom_id: str) -> Room | None:
        """Zoom's webhooks do not say which of the room's two ids they carry: try both."""
        state = self.fleet.state
        return state.rooms.get(zoom_id) or state.by_dashboard_id(zoom_id)

    async def accept(self, event: WebhookEvent) -> bool:
        if isinstance(event, Ignored):
            return True  # accepted, nothing of ours to store
        if self._seen(event.dedupe_key):
            return False
        if isinstance(event, AlertEvent):
            if event.kind in ("room_offline", "room_online"):
                # The row as it is when written (never undoing a newer change), in the same group commit.
                await self.fleet.write_with(lambda: self._alert(event), merges=True)
            else:
                await self.fleet.write(self._alert(event))
        elif isinstance(event, RoomChanged):
            await self.fleet.write(self._room_changed(event))
        elif isinstance(event, LocationChanged):
            await self.fleet.write(Batch(events=[self._location_event(event)]))
        elif isinstance(event, Occupancy):
            room = self._room(event.room_id)
            if room is not None:
                await self.fleet.write(Batch(occupancy={room.id: OccupancyReading(event.occupied, event.at)}))
        elif isinstance(event, SensorData):
            room = self._room(event.room_id)
            if room is not None:
                previous = self.fleet.state.sensors.get(room.id)
                values = {**(previous.values if previous else {}), **event.latest()}
                await self.fleet.write(Batch(sensors={room.id: SensorReading(values, event.read_at)}))
        return True

    def _alert(self, event: AlertEvent) -> Batch:
        room = self._room(event.room_id)
        logged = NewEvent(
            time=event.time,
            room_id=room.id if room else event.room_id,
            room_name=room.name if room else event.room_name,
            location_id=room.location_id if room else None,
            kind=event.kind,
            severity=event.severity,
            message=event.message,
            source="webhook",
            dedupe_key=event.dedupe_key,
        )
        if room is None:
            return Batch(events=[logged])
        # The alert is news about the room's state now: show it at once, the next listing confirms it.
        status = room.status
        if event.kind == "room_offline" and not event.resolved:
            status = "Offline"
        elif event.kind == "room_online" and room.status == "Offline":
            status = "Available"
        upsert = [room_row(replace(room, status=status), event.time)] if status != room.status else []
        return Batch(events=[logged], rooms_upsert=upsert)

    def _room_changed(self, event: RoomChanged) -> Batch:
        room = self._room(event.room_id)
        name = room.name if room else event.room_name
        logged = NewEvent(
            time=event.event_ts / 1000,
            room_id=room.id if room else event.room_id,
            room_name=name,
            location_id=room.location_id if room else None,
            kind={"created": "room_added", "deleted": "room_removed"}.get(event.action, "room_updated"),
            severity="warning" if event.action == "deleted" else "info",
            message=event.message,
            source="webhook",
            dedupe_key=event.dedupe_key,
        )
        if event.action == "deleted" and room is not None:
            return Batch(events=[logged], rooms_delete=[room.id])
        return Batch(events=[logged])

    @staticmethod
    def _location_event(event: LocationChanged) -> NewEvent:
        return NewEvent(
            time=event.event_ts / 1000,
            room_id=None,
            room_name="",
            location_id=event.location_id,
            kind=f"location_{event.action}",
            severity="info",
            message=event.message,
            source="webhook",
            dedupe_key=event.dedupe_key,
        )

    async def after(self, event: WebhookEvent) -> None:
        """Re-read from Zoom what a room or location event changed (after Zoom has its answer)."""
        fleet = self.fleet
        arrived = self._recent.get(event.dedupe_key, fleet.now())
        try:
            if isinstance(event, RoomChanged) and event.action != "deleted":
                await fleet.refresh_rooms_since(arrived)
                room = self._room(event.room_id)
                if room is not None:
                    await fleet.refresh_profiles([room], "sync")
            elif isinstance(event, LocationChanged):
                await fleet.refresh_tree_since(arrived)
        except ZoomError as exc:
            log.warning("could not re-read Zoom after %s: %s", event.event, exc.message)
