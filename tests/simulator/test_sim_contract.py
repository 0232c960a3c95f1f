"""Contract tests: every simulator response validates against Zoom's own 200-response schema.

Zoom's schemas are permissive (no ``required``, extra fields allowed), so each response is also checked against a
tightened copy: every documented field present (except the few listed as optional per call) and no other field.
A renamed or missing field therefore fails, not only a wrong type or enum value.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from tests.simulator.simkit import Api
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.simulator.facts import ENDPOINTS

SPEC: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "openapi" / "zoom-rooms-subset.json").read_text(encoding="utf-8")
)
FROM, TO = "2026-12-16", "2027-01-15"  # the fake clock's last month


def response_schema(template: str) -> dict[str, Any]:
    schema: dict[str, Any] = SPEC["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def tightened(schema: dict[str, Any], optional: frozenset[str], at: str = "") -> dict[str, Any]:
    """All documented properties required unless their dotted path (``a.b``, ``a[].b``) is in ``optional``;
    ``additionalProperties: false`` everywhere; ``allOf`` parts merged so that the flag does not fight them."""
    out = copy.deepcopy(schema)
    if "allOf" in out:
        parts = [tightened(part, optional, at) for part in out.pop("allOf")]
        out.update(type="object", additionalProperties=False)
        out["properties"] = {k: v for part in parts for k, v in part.get("properties", {}).items()}
        out["required"] = [k for part in parts for k in part.get("required", [])]
        return out
    if "oneOf" in out:
        out["oneOf"] = [tightened(variant, optional, at) for variant in out["oneOf"]]
    if "properties" in out:
        paths = {name: f"{at}.{name}" if at else name for name in out["properties"]}
        out["properties"] = {name: tightened(sub, optional, paths[name]) for name, sub in out["properties"].items()}
        out["required"] = [name for name in out["properties"] if paths[name] not in optional]
        out["additionalProperties"] = False
    if "items" in out:
        out["items"] = tightened(out["items"], optional, f"{at}[]")
    return out


def problems(template: str, body: Any, optional: frozenset[str] = frozenset()) -> list[str]:
    """Why ``body`` is not a valid 200 response of ``template``, by Zoom's schema and by the tightened copy."""
    schema = response_schema(template)
    # Zoom's settings schema is a oneOf of two open objects, which every object satisfies twice; read it as
    # anyOf here (the tightened copy keeps oneOf, which its closed variants make meaningful).
    loose = {"anyOf": schema["oneOf"]} if "oneOf" in schema else schema
    validators = (OAS30Validator(s, format_checker=oas30_format_checker) for s in (loose, tightened(schema, optional)))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for v in validators for e in v.iter_errors(body)]


def check(template: str, body: Any, optional: frozenset[str] = frozenset()) -> None:
    assert problems(template, body, optional) == []


def test_the_subset_covers_every_catalog_endpoint() -> None:
    assert set(SPEC["paths"]) == {e.path for e in ENDPOINTS.values()}


@pytest.mark.parametrize(
    ("template", "broken"),
    [
        ("/rooms", {"next_page_token": "", "page_size": 30, "rooms": [{"status": "Busy"}]}),  # enum
        ("/rooms/{roomId}/devices", {"devices": [{"device_type": "Laptop"}]}),  # enum
        ("/metrics/zoomrooms/issues", {"issues": [{"zoom_rooms_count": "3"}]}),  # type
        ("/rooms/locations", {"locations": [{"type": "region"}]}),  # enum
    ],
)
def test_zoom_schema_rejects_a_broken_body(template: str, broken: dict[str, Any]) -> None:
    validator = OAS30Validator(response_schema(template), format_checker=oas30_format_checker)
    assert not validator.is_valid(broken)


@pytest.mark.anyio
async def test_tightened_schema_rejects_renamed_extra_and_missing_fields(api: Api) -> None:
    body = await api.json("/metrics/zoomrooms", page_size=1)
    check("/metrics/zoomrooms", body)
    room = body["zoom_rooms"][0]
    renamed = {**body, "zoom_rooms": [{**{k: v for k, v in room.items() if k != "calender_name"}, "calendar_name": ""}]}
    missing = {**body, "zoom_rooms": [{k: v for k, v in room.items() if k != "health"}]}
    for bad in (renamed, missing, {**body, "extra": 1}):
        assert problems("/metrics/zoomrooms", bad)


@pytest.mark.anyio
async def test_room_list_pages(api: Api, sim: Simulator) -> None:
    for params in ({"page_size": 50}, {"status": "Offline"}, {"type": "ZoomRoom", "page_size": 300}):
        token, pages = "", 0
        while True:
            body = await api.json("/rooms", **params, **({"next_page_token": token} if token else {}))
            check("/rooms", body)
            pages, token = pages + 1, body["next_page_token"]
            if not token:
                break
        assert pages == (3 if params.get("page_size") == 50 else 1)


def _sample_rooms(sim: Simulator) -> list[str]:
    """Anchors plus one room of each status and type, by room name."""
    fleet = sim.fleet
    picks = {"Everest", "Denali"}
    for status in ("Available", "InMeeting", "Offline", "UnderConstruction"):
        picks.add(next(r.name for r in fleet.rooms if r.status == status))
    for room_type in {r.zoom_room_type for r in fleet.rooms}:
        picks.add(next(r.name for r in fleet.rooms if r.zoom_room_type == room_type))
    picks.add(next(r.name for r in fleet.rooms if r.sensor_types))
    return sorted(picks)


@pytest.mark.anyio
async def test_room_profile_devices_and_settings(api: Api, sim: Simulator) -> None:
    index1 = set(response_schema("/rooms/{id}/settings")["oneOf"][1]["properties"])
    returned = {
        "meeting": set(),
        "alert": {"client_alert", "notification"},
        "signage": {"digital_signage"},
        "scheduling_display": {"scheduling_display"},
    }
    for name in _sample_rooms(sim):
        room = sim.fleet.room_named(name)
        assert room
        check("/rooms/{roomId}", await api.json(f"/rooms/{room.id}"), frozenset({"basic.user_id", "setup.pro_device"}))
        devices = await api.json(f"/rooms/{room.id}/devices")
        check("/rooms/{roomId}/devices", devices)
        assert [d["room_name"] for d in devices["devices"]] == [name] * len(room.devices)
        check("/rooms/{id}/settings", await api.json(f"/rooms/{room.id}/settings"))
        for setting_type, keys in returned.items():
            body = await api.json(f"/rooms/{room.id}/settings", setting_type=setting_type)
            assert set(body) == (keys or {"meeting_security", "zoom_rooms"})
            check("/rooms/{id}/settings", body, frozenset(index1 - keys))


@pytest.mark.anyio
async def test_sensor_data_pages(api: Api, sim: Simulator) -> None:
    room = next(r for r in sim.fleet.rooms if r.sensor_types)
    window = {"from": "2027-01-14T00:00:00Z", "to": "2027-01-15T06:00:00Z"}
    readings = await api.all_pages(f"/rooms/{room.id}/sensor_data", "sensor_data", page_size=300, **window)
    assert len(readings) == (24 + 6) * 4 * len(room.sensor_types) + len(room.sensor_types)
    assert {r["sensor_type"] for r in readings} == set(room.sensor_types)
    body = await api.json(f"/rooms/{room.id}/sensor_data", page_size=300, **window)
    check("/rooms/{roomId}/sensor_data", body)
    quiet = next(r for r in sim.fleet.rooms if not r.sensor_types)
    empty = await api.json(f"/rooms/{quiet.id}/sensor_data", **window)
    check("/rooms/{roomId}/sensor_data", empty)
    assert empty["total_records"] == 0
    assert empty["sensor_data"] == []


@pytest.mark.anyio
async def test_locations(api: Api, sim: Simulator) -> None:
    locations = []
    token = ""
    while True:
        body = await api.json("/rooms/locations", **({"next_page_token": token} if token else {}))
        check("/rooms/locations", body)
        locations += body["locations"]
        token = body["next_page_token"]
        if not token:
            break
    assert len(locations) == len(sim.fleet.locations)
    seattle = sim.fleet.find_location("United States", "Washington", "Seattle")
    assert seattle
    check("/rooms/locations", await api.json("/rooms/locations", parent_location_id=seattle.id))
    check("/rooms/locations", await api.json("/rooms/locations", type="building"))
    for level in ("country", "states", "city", "campus", "building", "floor"):
        location = next(loc for loc in sim.fleet.locations if loc.type == level)
        body = await api.json(f"/rooms/locations/{location.id}")
        check("/rooms/locations/{locationId}", body, frozenset() if level == "city" else frozenset({"basic.timezone"}))
        assert ("timezone" in body["basic"]) == (level == "city")
    check("/rooms/locations/structure", await api.json("/rooms/locations/structure"))
    check("/rooms/account_profile", await api.json("/rooms/account_profile"))


@pytest.mark.anyio
async def test_dashboard_list_pages(api: Api) -> None:
    seen = 0
    token = ""
    while True:
        body = await api.json("/metrics/zoomrooms", page_size=100, **({"next_page_token": token} if token else {}))
        check("/metrics/zoomrooms", body)
        seen += len(body["zoom_rooms"])
        token = body["next_page_token"]
        if not token:
            break
    assert seen == 150
    check("/metrics/zoomrooms", await api.json("/metrics/zoomrooms", page_size=100, page_number=2))


@pytest.mark.anyio
async def test_dashboard_room_details_and_issues(api: Api, sim: Simulator) -> None:
    for name in _sample_rooms(sim):
        room = sim.fleet.room_named(name)
        assert room
        optional = {"live_meeting.end_time"} | (set() if room.status == "InMeeting" else {"live_meeting"})
        token = ""
        while True:
            body = await api.json(
                f"/metrics/zoomrooms/{room.room_id}",
                page_size=5,
                **{"from": FROM, "to": TO},
                **({"next_page_token": token} if token else {}),
            )
            check("/metrics/zoomrooms/{zoomroomId}", body, frozenset(optional))
            token = body["past_meetings"]["next_page_token"]
            if not token:
                break
        issues = await api.json(f"/metrics/issues/zoomrooms/{room.room_id}", page_size=2, **{"from": FROM, "to": TO})
        check("/metrics/issues/zoomrooms/{zoomroomId}", issues)
    check("/metrics/zoomrooms/issues", await api.json("/metrics/zoomrooms/issues", **{"from": FROM, "to": TO}))
    check("/metrics/issues/zoomrooms", await api.json("/metrics/issues/zoomrooms", **{"from": FROM, "to": TO}))


@pytest.mark.anyio
async def test_variant_bodies_stay_schema_valid(sim_clock: Any) -> None:
    """The variants that change a 200 body keep it valid against Zoom's schema (where the schema allows)."""
    from tests.simulator.simkit import fetch_token, in_process_client
    from zoom_rooms_mcp.simulator import Variants

    variants = Variants(idle_live_meeting="empty", health_values=("Normal", "Warning", "Critical"))
    sim = Simulator(clock=sim_clock, enforce_rate_limits=False, variants=variants)
    idle = next(r for r in sim.fleet.rooms if r.status == "Available")
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        body = await api.json(f"/metrics/zoomrooms/{idle.room_id}", **{"from": FROM, "to": TO})
        assert body["live_meeting"] == {}
        assert body["health"] in ("Normal", "Warning", "Critical")
        check("/metrics/zoomrooms/{zoomroomId}", body, frozenset({"live_meeting.end_time", "live_meeting"}) | _LIVE)


_LIVE = frozenset(
    f"live_meeting.{name}"
    for name in response_schema("/metrics/zoomrooms/{zoomroomId}")["allOf"][1]["properties"]["live_meeting"][
        "properties"
    ]
)
