"""Zoom's webhooks into the fleet store, in process: what each event changes at once, what is re-read after
the answer, and that a redelivery is stored once. The bodies are the simulator's, shaped like Zoom's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fleet.engine import Engine, engine
from tests.harness import simulator
from zoom_rooms_mcp.fleet.webhooks import FleetWebhookSink
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.store.api import EventQuery, StoredEvent
from zoom_rooms_mcp.webhooks.events import Ignored, UrlValidation, WebhookEvent, parse

pytestmark = pytest.mark.anyio


def delivered(sim: Simulator, start: int) -> list[WebhookEvent]:
    """The events the simulator published since ``start``, parsed as the route parses them."""
    events = []
    for body in list(sim.events)[start:]:
        event = parse(body)
        assert not isinstance(event, UrlValidation)
        events.append(event)
    return events


async def deliver(sink: FleetWebhookSink, sim: Simulator, start: int) -> list[bool]:
    accepted = []
    for event in delivered(sim, start):
        accepted.append(await sink.accept(event))
        await sink.after(event)
    return accepted


async def logged(e: Engine) -> list[StoredEvent]:
    return (await e.fleet.events(EventQuery(since=0, limit=500))).events


@pytest.fixture
def sim() -> Simulator:
    return simulator(rooms=40, seed=31)


async def prepared(e: Engine) -> FleetWebhookSink:
    await e.fleet.refresh_tree("sync")
    await e.fleet.refresh_rooms("sync")
    return FleetWebhookSink(e.fleet)


async def test_an_alert_changes_the_room_at_once_and_a_redelivery_is_stored_once(
    sim: Simulator, tmp_path: Path
) -> None:
    async with engine(sim, tmp_path) as e:
        sink = await prepared(e)
        room = next(r for r in sim.fleet.rooms if r.status == "Available" and r.zoom_room_type == "ZoomRoom")
        start = len(sim.events)
        sim.control.set_room_status(room.id, "Offline")
        assert await deliver(sink, sim, start) == [True]
        assert e.fleet.state.rooms[room.id].status == "Offline"  # before any listing confirms it
        (event,) = await logged(e)
        assert (event.kind, event.severity, event.source, event.room_id) == (
            "room_offline",
            "critical",
            "webhook",
            room.id,
        )
        # Zoom delivers again (no 2xx in time): stored once, answered as a duplicate.
        assert [await sink.accept(again) for again in delivered(sim, start)] == [False]
        assert len(await logged(e)) == 1
        start = len(sim.events)
        sim.control.set_room_status(room.id, "Available")
        await deliver(sink, sim, start)
        assert e.fleet.state.rooms[room.id].status == "Available"
        assert [ev.kind for ev in await logged(e)] == ["room_online", "room_offline"]


async def test_a_device_alert_is_logged_without_touching_the_room_status(sim: Simulator, tmp_path: Path) -> None:
    async with engine(sim, tmp_path) as e:
        sink = await prepared(e)
        room = next(
            r
            for r in sim.fleet.rooms
            if r.status == "Available"
            and any(d.device_type == "Controller" and d.status == "Online" for d in r.devices)
        )
        start = len(sim.events)
        sim.control.set_device_status(room.id, "Controller", "Offline")
        await deliver(sink, sim, start)
        assert e.fleet.state.rooms[room.id].status == "Available"
        assert [(ev.kind, ev.room_id) for ev in await logged(e)] == [("device_disconnected", room.id)]


async def test_occupancy_and_sensor_readings_are_kept_for_the_room(sim: Simulator, tmp_path: Path) -> None:
    async with engine(sim, tmp_path) as e:
        sink = await prepared(e)
        room = next(r for r in sim.fleet.rooms if r.sensor_types)
        start = len(sim.events)
        sim.control.check_in(room.id)
        sim.control.send_sensor_data(room.id)
        await deliver(sink, sim, start)
        occupancy = e.fleet.state.occupancy[room.id]
        assert occupancy.occupied is True
        readings = e.fleet.state.sensors[room.id].values
        assert readings
        assert all(isinstance(v, float | str) for v in readings.values())
        stored = await e.store.load()  # in the store too, for the other processes
        assert stored.occupancy[room.id].occupied is True
        assert stored.sensors[room.id].values == readings


async def test_rooms_and_locations_created_updated_or_deleted(sim: Simulator, tmp_path: Path) -> None:
    async with engine(sim, tmp_path) as e:
        sink = await prepared(e)
        gone = sim.fleet.rooms[1]
        floor = sim.control.location(sim.fleet.rooms[2].location_id)
        start = len(sim.events)
        sim.control.remove_room(gone.id)
        added = sim.control.add_room(name="Webhook Peak", location_id=floor.id)
        sim.control.update_location(floor.id, name="Webhook Floor")
        await deliver(sink, sim, start)
        state = e.fleet.state
        assert gone.id not in state.rooms  # a deletion needs no re-read
        assert state.rooms[added.id].name == "Webhook Peak"  # re-read from Zoom after the answer
        assert state.tree is not None
        assert (state.tree.path(floor.id) or "").endswith("Webhook Floor")
        kinds = {ev.kind for ev in await logged(e)}
        assert {"room_removed", "room_added", "location_updated"} <= kinds


async def test_unknown_rooms_and_ignored_events(sim: Simulator, tmp_path: Path) -> None:
    async with engine(sim, tmp_path) as e:
        sink = FleetWebhookSink(e.fleet)  # nothing listed yet: the alert still goes into the log
        body: dict[str, Any] = {
            "event": "zoomroom.alert",
            "event_ts": 1_800_000_000_000,
            "payload": {
                "account_id": sim.credentials.account_id,
                "object": {
                    "id": "not-a-known-room",
                    "room_name": "Somewhere",
                    "issue": "Zoom room is offline",
                    "alert_type": 3,
                    "component": 1,
                    "alert_kind": 1,
                },
            },
        }
        event = parse(body)
        assert not isinstance(event, UrlValidation)
        assert await sink.accept(event) is True
        (stored,) = await logged(e)
        assert (stored.room_id, stored.room_name, stored.kind) == ("not-a-known-room", "Somewhere", "room_offline")
        other = parse({"event": "zoomroom.digital_signage_app_started", "event_ts": 1, "payload": {"account_id": "a"}})
        assert isinstance(other, Ignored)
        assert await sink.accept(other) is True
        assert len(await logged(e)) == 1
