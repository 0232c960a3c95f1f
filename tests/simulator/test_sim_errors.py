"""Zoom's error codes and bodies, and the filters of the list endpoints."""

from __future__ import annotations

import pytest

from tests.simulator.simkit import Api, ManualClock, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import Simulator
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS

pytestmark = pytest.mark.anyio

DATES = {"from": "2027-01-01", "to": "2027-01-15"}


def sample_path(sim: Simulator, key: str) -> str:
    """A concrete path for a catalog endpoint, using real ids of the right kind."""
    room, location = sim.fleet.rooms[0], sim.fleet.locations[0]
    values = {"roomId": room.id, "id": room.id, "zoomroomId": room.room_id, "locationId": location.id}
    path = ENDPOINTS[key].path
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def params_for(key: str) -> dict[str, str]:
    if key == "sensor_data":
        return {"from": "2027-01-15T00:00:00Z", "to": "2027-01-15T01:00:00Z"}
    return DATES if ENDPOINTS[key].dashboard and key != "dashboard_rooms" else {}


@pytest.mark.parametrize("key", sorted(ENDPOINTS))
async def test_every_endpoint_answers_with_its_rate_category(api: Api, sim: Simulator, key: str) -> None:
    response = await api.get(sample_path(sim, key), **params_for(key))
    assert response.status_code == 200, response.text
    assert response.headers["x-ratelimit-category"] == ENDPOINTS[key].category.value
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("key", sorted(ENDPOINTS))
async def test_missing_scope_names_the_granular_scopes(sim: Simulator, key: str) -> None:
    endpoint = ENDPOINTS[key]
    other = "room:read:admin" if endpoint.dashboard else "dashboard_zr:read:admin"
    for granted in ([other], ["zoom_rooms:read:list_rooms:admin" if key != "list_rooms" else "user:read:admin"]):
        sim.set_scopes(granted)
        async with in_process_client(sim) as client:
            api = Api(client, await fetch_token(client))
            response = await api.get(sample_path(sim, key), **params_for(key))
        expected = f"Invalid access token, does not contain scopes:[{', '.join(endpoint.granular_scopes)}]."
        assert (response.status_code, response.json()) == (400, {"code": 4711, "message": expected})


@pytest.mark.parametrize(
    "scopes",
    [
        ["room:read:admin", "dashboard:read:admin"],
        [
            "zoom_rooms:read:list_rooms:admin",
            "zoom_rooms:read:list_locations:admin",
            "dashboard:read:list_zoomrooms:admin",
            "dashboard:read:issues_zoomroom:admin",
        ],
    ],
)
async def test_classic_or_granular_scopes_unlock_endpoints(sim: Simulator, scopes: list[str]) -> None:
    sim.set_scopes(scopes)
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        for key in ("list_rooms", "list_locations", "dashboard_rooms", "dashboard_room_issues"):
            assert (await api.get(sample_path(sim, key), **params_for(key))).status_code == 200, key


async def test_granular_scope_message_lists_several_scopes(sim: Simulator) -> None:
    sim.set_scopes(["zoom_rooms:read:list_rooms:admin"])
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        body = (await api.get("/metrics/zoomrooms")).json()
    assert body["message"] == "Invalid access token, does not contain scopes:[dashboard:read:list_zoomrooms:admin]."


@pytest.mark.parametrize("plan", ["free", "pro"])
async def test_dashboard_needs_a_business_plan(sim_clock: ManualClock, plan: str) -> None:
    sim = Simulator(plan=plan, clock=sim_clock, enforce_rate_limits=False)  # type: ignore[arg-type]
    async with in_process_client(sim) as client:
        api = Api(client, await fetch_token(client))
        for key in ("dashboard_rooms", "dashboard_room_issues"):
            response = await api.get(sample_path(sim, key), **params_for(key))
            assert (response.status_code, response.json()) == (
                400,
                {"code": 200, "message": "Only available for Paid account."},
            )
        assert (await api.get("/rooms")).status_code == 200


async def test_room_ids_are_not_interchangeable(api: Api, sim: Simulator) -> None:
    room = sim.fleet.rooms[0]
    for path in (f"/rooms/{room.room_id}", f"/rooms/{room.room_id}/devices", f"/rooms/{room.room_id}/settings"):
        response = await api.get(path)
        assert (response.status_code, response.json()) == (
            404,
            {"code": 1012, "message": f"Room not found: {room.room_id}."},
        )
    for path in (f"/metrics/zoomrooms/{room.id}", f"/metrics/issues/zoomrooms/{room.id}"):
        response = await api.get(path, **DATES)
        assert (response.status_code, response.json()) == (
            404,
            {"code": 1012, "message": f"Room not found: {room.id}."},
        )
    sensor = await api.get("/rooms/nope/sensor_data", **params_for("sensor_data"))
    assert sensor.json() == {"code": 1012, "message": "Room not found: nope."}


async def test_unknown_locations(api: Api) -> None:
    for response in (
        await api.get("/rooms/locations/nope"),
        await api.get("/rooms/locations", parent_location_id="nope"),
    ):
        assert (response.status_code, response.json()) == (404, {"code": 4801, "message": "Location not found: nope."})


async def test_bad_location_type(api: Api) -> None:
    response = await api.get("/rooms/locations", type="region")
    assert (response.status_code, response.json()) == (400, {"code": 300, "message": "Location type not exist."})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2027-01-01"}, "Validation Failed."),
        ({"from": "2027/01/01", "to": "2027-01-02"}, "Validation Failed."),
        ({"from": "2027-02-30", "to": "2027-03-01"}, "Validation Failed."),
        ({"from": "2027-01-10", "to": "2027-01-09"}, "The 'to' date must not be earlier than the 'from' date."),
        ({"from": "2026-12-01", "to": "2027-01-02"}, "The date range must not exceed one month."),
    ],
)
async def test_bad_date_ranges(api: Api, sim: Simulator, params: dict[str, str], message: str) -> None:
    for key in ("dashboard_room", "dashboard_top_issues", "dashboard_rooms_with_issues", "dashboard_room_issues"):
        response = await api.get(sample_path(sim, key), **params)
        assert response.status_code == 400
        assert response.json()["code"] == 300
        assert response.json()["message"] == message


async def test_one_calendar_month_is_allowed(api: Api, sim: Simulator) -> None:
    for start, end in (("2026-12-15", "2027-01-15"), ("2027-01-31", "2027-02-28")):
        assert (await api.get("/metrics/zoomrooms/issues", **{"from": start, "to": end})).status_code == 200


async def test_validation_errors_name_the_field(api: Api, sim: Simulator) -> None:
    room = sim.fleet.rooms[0]
    cases = [
        ("/rooms", {"status": "Busy"}, "status"),
        ("/rooms", {"type": "Closet"}, "type"),
        ("/rooms", {"unassigned_rooms": "maybe"}, "unassigned_rooms"),
        ("/rooms", {"page_size": "lots"}, "page_size"),
        ("/metrics/zoomrooms", {"page_number": "0"}, "page_number"),
        (f"/rooms/{room.id}/settings", {"setting_type": "colour"}, "setting_type"),
        (f"/rooms/{room.id}/sensor_data", {"from": "2027-01-15", "to": "2027-01-15T01:00:00Z"}, "from"),
        (
            f"/rooms/{room.id}/sensor_data",
            {"from": "2027-01-15T00:00:00Z", "to": "2027-01-15T01:00:00Z", "sensor_type": "NOISE"},
            "sensor_type",
        ),
    ]
    for path, params, field in cases:
        response = await api.get(path, **params)
        assert response.status_code == 400, path
        assert response.json() == {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": field, "message": "Invalid field."}],
        }


async def test_unknown_paths_and_methods(api: Api) -> None:
    expected = {"code": 2300, "message": "This API endpoint is not recognized."}
    for path in ("/users", "/rooms/a/b/c", "/rooms/"):
        response = await api.get(path)
        assert (response.status_code, response.json()) == (404, expected)
    deleted = await api.client.delete("/v2/rooms", headers={"Authorization": f"Bearer {api.token}"})
    assert (deleted.status_code, deleted.json()) == (404, expected)
    outside = await api.client.get("/elsewhere")
    assert (outside.status_code, outside.json()) == (404, expected)
    encoded = await api.get("/rooms/..%2Fusers")
    assert encoded.json()["code"] == 1012


async def test_regenerating_an_activation_code_is_refused(api: Api, sim: Simulator) -> None:
    response = await api.get(f"/rooms/{sim.fleet.rooms[0].id}", regenerate_activation_code="true")
    assert (response.status_code, response.json()["code"]) == (400, 200)


async def test_room_filters(api: Api, sim: Simulator) -> None:
    fleet = sim.fleet
    offline = await api.all_pages("/rooms", "rooms", status="Offline", page_size=300)
    assert {r["name"] for r in offline} == {r.name for r in fleet.rooms if r.status == "Offline"}
    kiosks = await api.all_pages("/rooms", "rooms", type="Kiosk")
    assert {r["id"] for r in kiosks} == {r.id for r in fleet.rooms if r.zoom_room_type == "Kiosk"}
    everest = fleet.room_named("Everest")
    assert everest
    by_name = await api.json("/rooms", query_name="eVeReS")
    assert [r["id"] for r in by_name["rooms"]] == [everest.id]
    here = await api.all_pages("/rooms", "rooms", location_id=everest.location_id)
    assert {r["id"] for r in here} == {r.id for r in fleet.rooms if r.location_id == everest.location_id}
    building = fleet.location(everest.location_id)
    assert building
    assert (await api.json("/rooms", location_id=building.parent_location_id))["rooms"] == []
    tag = next(t for r in fleet.rooms for t in r.tag_ids)
    tagged = await api.all_pages("/rooms", "rooms", tag_ids=f"{tag},unknown")
    assert {r["id"] for r in tagged} == {r.id for r in fleet.rooms if tag in r.tag_ids}
    assert (await api.json("/rooms", unassigned_rooms="true"))["rooms"] == []


async def test_location_filters(api: Api, sim: Simulator) -> None:
    fleet = sim.fleet
    seattle = fleet.find_location("United States", "Washington", "Seattle", "Lake Union Campus")
    assert seattle
    children = (await api.json("/rooms/locations", parent_location_id=seattle.id))["locations"]
    assert [c["name"] for c in children] == ["Building 1", "Building 2", "Building 3"]
    cities = await api.all_pages("/rooms/locations", "locations", type="city")
    assert {c["name"] for c in cities} == {"Seattle", "Denver", "San José", "München", "London", "Montréal"}
    floors_here = await api.json("/rooms/locations", parent_location_id=seattle.id, type="floor")
    assert floors_here["locations"] == []
    top = [loc for loc in await api.all_pages("/rooms/locations", "locations") if loc["type"] == "country"]
    assert all(loc["parent_location_id"] == "" for loc in top)
