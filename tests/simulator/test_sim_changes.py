"""Fleet changes through the control API keep every endpoint consistent and produce Zoom-shaped webhook events."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator

from tests.simulator.openapi_truth import webhook_schemas
from tests.simulator.simkit import Api, ManualClock, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import Simulator, Variants
from zoom_rooms_mcp.simulator.model import OFFLINE_ISSUE, ONLINE_ISSUE, SimRoom

pytestmark = pytest.mark.anyio
DATES = {"from": "2027-01-01", "to": "2027-01-15"}


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` after checking it against the event's schema in Zoom's webhook OpenAPI."""
    errors = [e.message for e in OAS31Validator(webhook_schemas()[body["event"]]).iter_errors(body)]
    assert errors == [], (body["event"], errors)
    return body


def healthy_room(sim: Simulator, room_type: str = "ZoomRoom") -> SimRoom:
    return next(
        r
        for r in sim.fleet.rooms
        if (r.status == "Available" and r.health == "" and r.zoom_room_type == room_type and r.device("Controller"))
        or (room_type != "ZoomRoom" and r.status == "Available" and r.zoom_room_type == room_type)
    )


async def test_room_offline_and_back_everywhere(api: Api, sim: Simulator, sim_clock: ManualClock) -> None:
    room = healthy_room(sim)
    sim.control.set_room_status(room.name, "Offline")
    listed = (await api.json("/rooms", query_name=room.name))["rooms"]
    assert [r["status"] for r in listed if r["id"] == room.id] == ["Offline"]
    devices = (await api.json(f"/rooms/{room.id}/devices"))["devices"]
    assert {d["device_type"]: d["status"] for d in devices}["Zoom Rooms Computer"] == "Offline"
    dashboard = await api.json(f"/metrics/zoomrooms/{room.room_id}", **DATES)
    assert (dashboard["status"], dashboard["health"], dashboard["issues"]) == ("Offline", "critical", [OFFLINE_ISSUE])
    assert dashboard["camera"] == ""
    (alert,) = [valid(e) for e in sim.events]
    assert alert["event"] == "zoomroom.alert"
    obj = alert["payload"]["object"]
    assert (obj["id"], obj["issue"], obj["alert_type"], obj["component"], obj["alert_kind"]) == (
        room.id,
        OFFLINE_ISSUE,
        3,
        1,
        1,
    )
    assert alert["payload"]["account_id"] == sim.credentials.account_id
    assert alert["event_ts"] == int(sim_clock.now * 1000)

    sim_clock.advance(600)
    sim.control.set_room_status(room.id, "Available")
    dashboard = await api.json(f"/metrics/zoomrooms/{room.room_id}", **DATES)
    assert (dashboard["health"], dashboard["issues"], dashboard["camera"]) == ("", [], room.peripherals[0])
    back = valid(sim.events[-1])["payload"]["object"]
    assert (back["issue"], back["alert_kind"]) == (ONLINE_ISSUE, 2)
    history = (await api.json(f"/metrics/issues/zoomrooms/{room.room_id}", **DATES))["issue_details"]
    assert [h["issue"] for h in history[:2]] == [ONLINE_ISSUE, OFFLINE_ISSUE]
    top = (await api.json("/metrics/zoomrooms/issues", **DATES))["issues"]
    assert ONLINE_ISSUE in {i["issue_name"] for i in top}
    assert len(sim.events) == 2
    sim.control.set_room_status(room.id, "Available")  # no change, no event
    assert len(sim.events) == 2


async def test_controller_disconnect_and_reconnect(api: Api, sim: Simulator) -> None:
    room = healthy_room(sim)
    sim.control.set_device_status(room.id, "Controller", "Offline")
    dashboard = await api.json(f"/metrics/zoomrooms/{room.room_id}", **DATES)
    assert (dashboard["status"], dashboard["health"], dashboard["issues"]) == (
        "Available",
        "warning",
        ["Room Controller disconnected"],
    )
    sim.control.set_device_status(room.id, "Controller", "Online")
    assert room.health == ""
    kinds = [(e["payload"]["object"]["issue"], e["payload"]["object"]["alert_kind"]) for e in map(valid, sim.events)]
    assert kinds == [("Room Controller disconnected", 1), ("Room Controller connected", 2)]
    assert all(e["payload"]["object"]["component"] == 2 for e in sim.events)


async def test_the_primary_device_of_a_scheduling_only_room_takes_the_room_down(api: Api, sim: Simulator) -> None:
    room = next(r for r in sim.fleet.rooms if r.zoom_room_type == "SchedulingDisplayOnly" and r.status != "Offline")
    sim.control.set_device_status(room.id, "Scheduling Display", "Offline")
    assert (await api.json(f"/rooms/{room.id}"))["basic"]["zoom_room_type"] == "SchedulingDisplayOnly"
    assert room.status == "Offline"
    assert room.issues == [OFFLINE_ISSUE]
    with pytest.raises(ValueError, match="cannot be in a meeting"):
        sim.control.set_room_status(room.id, "InMeeting")


async def test_meeting_start_is_the_live_meeting(api: Api, sim: Simulator, sim_clock: ManualClock) -> None:
    room = healthy_room(sim)
    sim.control.set_room_status(room.id, "InMeeting")
    live = (await api.json(f"/metrics/zoomrooms/{room.room_id}", **DATES))["live_meeting"]
    assert live["start_time"] == room.last_start_time
    assert room.last_start_time.startswith("2027-01-15T08:00")
    assert sim.events == type(sim.events)()  # a meeting is not an alert


async def test_rooms_added_moved_renamed_and_removed(api: Api, sim: Simulator) -> None:
    floor = sim.fleet.find_location("United States", "Washington", "Seattle")
    assert floor
    target = next(
        loc for loc in sim.fleet.locations if loc.type == "floor" and loc.id in sim.fleet.descendants(floor.id)
    )
    room = sim.control.add_room("Hood Canal", target.id, room_type="Kiosk")
    assert [r["name"] for r in (await api.json("/rooms", location_id=target.id, page_size=300))["rooms"]].count(
        "Hood Canal"
    ) == 1
    assert [d["device_type"] for d in (await api.json(f"/rooms/{room.id}/devices"))["devices"]] == [
        "Zoom Rooms Computer"
    ]
    assert (await api.json(f"/metrics/zoomrooms/{room.room_id}", **DATES))["room_name"] == "Hood Canal"
    other = next(loc for loc in sim.fleet.locations if loc.type == "floor" and loc.id != target.id)
    sim.control.update_room(room.id, name="Hood Canal 2", location_id=other.id)
    assert (await api.json(f"/rooms/{room.id}"))["basic"]["location_id"] == other.id
    assert sim.fleet.rooms_at(target.id).count(room) == 0
    sim.control.remove_room(room.id)
    assert (await api.get(f"/rooms/{room.id}")).status_code == 404
    events = [(e["event"], e["payload"]["object"]["room_name"]) for e in map(valid, sim.events)]
    assert events == [
        ("zoomroom.created", "Hood Canal"),
        ("zoomroom.updated", "Hood Canal 2"),
        ("zoomroom.deleted", "Hood Canal 2"),
    ]
    with pytest.raises(KeyError):
        sim.control.add_room("Nowhere", "no-such-location")
    with pytest.raises(ValueError, match="exists already"):
        sim.control.add_room("Everest", target.id)


async def test_locations_created_moved_renamed_and_deleted(api: Api, sim: Simulator) -> None:
    seattle = sim.fleet.find_location("United States", "Washington", "Seattle")
    colorado = sim.fleet.find_location("United States", "Colorado")
    assert seattle
    assert colorado
    campus = sim.control.add_location("Lake Union Campus", "campus", seattle.id)
    children = await api.all_pages("/rooms/locations", "locations", parent_location_id=seattle.id)
    assert campus.id in {loc["id"] for loc in children}
    with pytest.raises(ValueError, match="cannot sit below"):
        sim.control.add_location("Odd", "country", seattle.id)
    sim.control.update_location(seattle.id, name="Seattle Metro", parent_location_id=colorado.id)
    profile = (await api.json(f"/rooms/locations/{seattle.id}"))["basic"]
    assert (profile["name"], profile["parent_location_id"]) == ("Seattle Metro", colorado.id)
    listed = await api.all_pages("/rooms/locations", "locations", page_size=300)
    position = {loc["id"]: i for i, loc in enumerate(listed)}
    assert all(position[loc["parent_location_id"]] < position[loc["id"]] for loc in listed if loc["parent_location_id"])
    with pytest.raises(ValueError, match="below itself"):
        sim.control.update_location(seattle.id, parent_location_id=campus.id)
    with pytest.raises(ValueError, match="still holds"):
        sim.control.remove_location(seattle.id)
    sim.control.remove_location(campus.id)
    assert (await api.get(f"/rooms/locations/{campus.id}")).status_code == 404
    events = [(e["event"], e["payload"]["object"]["name"]) for e in map(valid, sim.events)]
    assert events == [
        ("zoomroom.location_created", "Lake Union Campus"),
        ("zoomroom.location_updated", "Seattle Metro"),
        ("zoomroom.location_deleted", "Lake Union Campus"),
    ]


async def test_check_in_out_and_sensor_data_events(api: Api, sim: Simulator) -> None:
    room = next(r for r in sim.fleet.rooms if r.sensor_types)
    sim.control.check_in(room.id)
    sim.control.check_in(room.id, checked_in=False)
    readings = sim.control.send_sensor_data(room.id)
    assert {r["sensor_type"] for r in readings} == set(room.sensor_types)
    served = (
        await api.json(
            f"/rooms/{room.id}/sensor_data", **{"from": "2027-01-15T07:45:00Z", "to": "2027-01-15T08:00:00Z"}
        )
    )["sensor_data"]
    latest = {
        (r["sensor_type"], r["sensor_value"], r["date_time"]) for r in served if r["date_time"].endswith("08:00:00Z")
    }
    assert latest == {(r["sensor_type"], r["sensor_value"], r["date_time"]) for r in readings}
    assert [e["event"] for e in map(valid, sim.events)] == [
        "zoomroom.checked_in",
        "zoomroom.checked_out",
        "zoomroom.sensor_data",
    ]
    plain = next(r for r in sim.fleet.rooms if not r.sensor_types)
    with pytest.raises(ValueError, match="no sensors"):
        sim.control.send_sensor_data(plain.id)


async def test_webhook_room_id_variant(sim_clock: ManualClock) -> None:
    sim = Simulator(clock=sim_clock, variants=Variants(webhook_room_id="room_id"))
    room = healthy_room(sim)
    sim.control.set_room_status(room.id, "Offline")
    assert sim.events[0]["payload"]["object"]["id"] == room.room_id


def test_chaos_is_deterministic_from_the_seed(sim_clock: ManualClock) -> None:
    first, second = (Simulator(rooms=60, seed=5, clock=sim_clock) for _ in range(2))
    steps = [first.control.chaos_step() for _ in range(30)]
    assert steps == [second.control.chaos_step() for _ in range(30)]
    assert {s.rsplit(" ", 1)[-1] for s in steps} >= {"offline", "online"}
    assert [e["payload"]["object"]["issue"] for e in first.events] == [
        e["payload"]["object"]["issue"] for e in second.events
    ]
    for room in first.fleet.rooms:  # still consistent after 30 random changes
        primary = room.primary_device
        assert primary
        assert (primary.status == "Offline") == (room.status == "Offline") == (room.health == "critical")


async def test_control_over_http(sim: Simulator) -> None:
    room = healthy_room(sim)
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        response = await client.put(f"/_simulator/rooms/{room.id}/status", json={"status": "Offline"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "Offline"
        assert (await api.json(f"/metrics/zoomrooms/{room.room_id}", **DATES))["health"] == "critical"
        response = await client.put(f"/_simulator/rooms/{room.id}/devices/Controller", json={"status": "Offline"})
        assert {d["device_type"]: d["status"] for d in response.json()["devices"]}["Controller"] == "Offline"
        floor = next(loc for loc in sim.fleet.locations if loc.type == "floor")
        created = await client.post("/_simulator/rooms", json={"name": "Fuji", "location_id": floor.id})
        assert created.status_code == 201
        new_id = created.json()["id"]
        assert (await client.patch(f"/_simulator/rooms/{new_id}", json={"name": "Fuji-san"})).json()[
            "name"
        ] == "Fuji-san"
        assert (await client.post(f"/_simulator/rooms/{new_id}/check_in")).status_code == 200
        assert (await client.delete(f"/_simulator/rooms/{new_id}")).status_code == 200
        location = await client.post(
            "/_simulator/locations", json={"name": "Annex", "type": "building", "parent_location_id": ""}
        )
        assert location.status_code == 201
        renamed = await client.patch(f"/_simulator/locations/{location.json()['id']}", json={"name": "Annex 2"})
        assert renamed.json()["name"] == "Annex 2"
        assert (await client.delete(f"/_simulator/locations/{location.json()['id']}")).status_code == 200
        assert (await client.post("/_simulator/chaos")).json()["changed"]
        assert (await client.put("/_simulator/rooms/nope/status", json={"status": "Offline"})).status_code == 404
        assert (await client.put(f"/_simulator/rooms/{room.id}/status", json={"status": "Busy"})).status_code == 400
        assert (await client.post("/_simulator/rooms", json={"name": "X"})).status_code == 400
        events = (await client.get("/_simulator/events", params={"limit": 3})).json()
        assert len(events["events"]) == 3
        assert events["total"] == sim.stats.events_published >= 9
        assert (await client.get("/_simulator/stats")).json()["events_published"] == events["total"]


async def test_rate_limit_budget_headers_fall(sim_clock: ManualClock) -> None:
    sim = Simulator(clock=sim_clock)
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        first, second = (await api.get("/rooms"), await api.get("/rooms"))
        assert first.headers["X-RateLimit-Limit"] == "60"
        assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1
        heavy = await api.get("/metrics/zoomrooms/issues", **DATES)
        assert heavy.headers["X-RateLimit-Limit"] == "60000"  # Business: the combined daily cap
        assert heavy.headers["X-RateLimit-Remaining"] == "59999"
