"""The generated fleet: determinism, anchors, consistency rules, scale."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from zoom_rooms_mcp.simulator import Fleet, generate_fleet
from zoom_rooms_mcp.simulator.model import DEVICE_TYPES, LEVELS, OFFLINE_ISSUE, ROOM_TYPES
from zoom_rooms_mcp.simulator.names import ROOM_NAMES

NOW = datetime(2027, 1, 15, 8, tzinfo=UTC)
SHORT = ("country", "city", "building", "floor")


@pytest.fixture(scope="module")
def big_fleet() -> Fleet:
    return generate_fleet(20_000, seed=7, now=NOW)


def _fingerprint(fleet: Fleet) -> list[object]:
    return [
        [(loc.id, loc.name, loc.type, loc.parent_location_id) for loc in fleet.locations],
        [(r.id, r.room_id, r.name, r.status, r.location_id, r.health, r.issues, r.devices) for r in fleet.rooms],
        [r.issue_history for r in fleet.rooms],
    ]


def test_same_arguments_give_the_same_fleet() -> None:
    assert _fingerprint(generate_fleet(300, seed=3, now=NOW)) == _fingerprint(generate_fleet(300, seed=3, now=NOW))


def test_a_different_seed_gives_a_different_fleet() -> None:
    a, b = generate_fleet(150, seed=1, now=NOW), generate_fleet(150, seed=2, now=NOW)
    assert {r.id for r in a.rooms}.isdisjoint(r.id for r in b.rooms)
    assert [r.name for r in a.rooms] != [r.name for r in b.rooms]


def test_now_moves_timestamps_only() -> None:
    a, b = generate_fleet(150, now=NOW), generate_fleet(150, now=NOW + timedelta(days=3))
    assert [(r.id, r.name, r.status) for r in a.rooms] == [(r.id, r.name, r.status) for r in b.rooms]
    assert a.rooms[0].last_start_time != b.rooms[0].last_start_time


@pytest.mark.parametrize("seed", [0, 7, 12345])
@pytest.mark.parametrize("rooms", [40, 150, 1000])
def test_anchor_places_exist_for_every_seed(seed: int, rooms: int) -> None:
    fleet = generate_fleet(rooms, seed=seed, now=NOW)
    seattle = ("United States", "Washington", "Seattle", "Lake Union Campus")
    for building in ("Building 1", "Building 2", "Building 3"):
        for floor in range(1, 5):
            assert fleet.find_location(*seattle, building, f"Floor {floor}"), (building, floor)
    denver = ("United States", "Colorado", "Denver", "Tech Center Campus")
    for building in ("Building 1", "Building 2"):
        for floor in range(1, 4):
            assert fleet.find_location(*denver, building, f"Floor {floor}")
    for path in (
        ("United States", "California", "San José", "HQ Campus", "Building 1", "Floor 1"),
        ("Germany", "Bayern", "München", "Munich Campus", "Building A", "Floor 1"),
        ("Germany", "Bayern", "München", "Munich Campus", "Building B", "Floor 1"),
        ("United Kingdom", "England", "London", "King's Cross Campus", "Building 1", "Floor 1"),
        ("Canada", "Québec", "Montréal", "Old Port Campus", "Building 1", "Floor 1"),
    ):
        assert fleet.find_location(*path), path
    everest, denali = fleet.room_named("Everest"), fleet.room_named("Denali")
    assert everest
    assert denali
    assert fleet.path_names(everest.location_id) == [*seattle, "Building 2", "Floor 3"]
    assert fleet.path_names(denali.location_id) == [*denver, "Building 2", "Floor 3"]


def test_anchor_rooms_have_fixed_states() -> None:
    fleet = generate_fleet(150, seed=99, now=NOW)
    everest, denali = fleet.room_named("Everest"), fleet.room_named("Denali")
    assert everest
    assert denali
    assert (everest.status, everest.health, everest.issues) == (
        "Available",
        "warning",
        ["Room Controller disconnected"],
    )
    controller = everest.device("Controller")
    assert controller
    assert controller.status == "Offline"
    assert (denali.status, denali.health, denali.issues) == ("Offline", "critical", [OFFLINE_ISSUE])


def test_skipped_levels_keep_the_anchors_minus_those_levels() -> None:
    fleet = generate_fleet(150, now=NOW, structure=SHORT)
    assert fleet.structure == list(SHORT)
    assert {loc.type for loc in fleet.locations} == set(SHORT)
    everest = fleet.room_named("Everest")
    assert everest
    assert fleet.path_names(everest.location_id) == ["United States", "Seattle", "Building 2", "Floor 3"]
    assert fleet.find_location("Germany", "München", "Building B", "Floor 2")
    assert fleet.find_location("Canada", "Montréal", "Building 1", "Floor 1")
    city = fleet.find_location("United States", "Seattle")
    assert city
    assert city.parent_location_id == fleet.locations[0].id
    assert city.timezone == "America/Los_Angeles"


def test_rooms_sit_at_the_deepest_level() -> None:
    for structure in (None, SHORT, ("country", "states", "city", "building")):
        fleet = generate_fleet(200, now=NOW, structure=structure)
        deepest = fleet.structure[-1]
        assert {fleet.location(r.location_id).type for r in fleet.rooms} == {deepest}  # type: ignore[union-attr]


@pytest.mark.parametrize("structure", [(), ("floor", "country"), ("country", "country"), ("country", "region")])
def test_bad_structures_are_refused(structure: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="structure"):
        generate_fleet(10, structure=structure)


def test_duplicate_and_non_ascii_names_are_deliberate() -> None:
    fleet = generate_fleet(150, now=NOW)
    building_2 = [loc for loc in fleet.locations if loc.name == "Building 2"]
    assert sorted(fleet.path_names(loc.id)[2] for loc in building_2) == ["Denver", "Seattle"]
    names = {loc.name for loc in fleet.locations}
    assert {"San José", "München", "Montréal", "Québec", "King's Cross Campus"} <= names


def test_hierarchy_helpers() -> None:
    fleet = generate_fleet(150, now=NOW)
    seattle = fleet.find_location("United States", "Washington", "Seattle")
    assert seattle
    assert [c.name for c in fleet.children(seattle.id)] == ["Lake Union Campus"]
    below = fleet.descendants(seattle.id)
    assert seattle.id in below
    assert len(below) == 1 + 1 + 3 + 12
    rooms = fleet.rooms_under(seattle.id)
    assert rooms
    assert all(r.location_id in below for r in rooms)
    assert fleet.room_named("Everest") in rooms
    top = fleet.children("")
    assert [loc.name for loc in top] == ["United States", "Germany", "United Kingdom", "Canada"]
    assert all(loc.parent_location_id == "" and loc.type == "country" for loc in top)
    room = fleet.rooms[0]
    assert fleet.room(room.id) is room
    assert fleet.room(room.room_id) is room
    assert room.id != room.room_id
    assert len(room.id) == len(room.room_id) == 22


def test_a_building_being_fitted_has_no_rooms() -> None:
    fleet = generate_fleet(150, now=NOW)
    building_c = fleet.find_location("Germany", "Bayern", "München", "Munich Campus", "Building C")
    assert building_c
    assert fleet.rooms_under(building_c.id) == []


def test_status_mix_and_devices() -> None:
    fleet = generate_fleet(1000, now=NOW)
    statuses = Counter(r.status for r in fleet.rooms)
    assert 0.08 <= statuses["Offline"] / 1000 <= 0.12
    assert statuses["UnderConstruction"] >= 3
    assert statuses["InMeeting"] > 100
    assert statuses["Available"] > statuses["InMeeting"]
    for room in fleet.rooms:
        types = [d.device_type for d in room.devices]
        assert set(types) <= set(DEVICE_TYPES)
        if room.zoom_room_type == "ZoomRoom":
            assert 2 <= len(types) <= 4
            assert types.count("Zoom Rooms Computer") == 1
        else:
            assert len(types) == 1
            assert "Controller" not in types
            assert ("Zoom Rooms Computer" in types) == (
                room.zoom_room_type in ("Kiosk", "PersonalZoomRoom", "DigitalSignageOnly")
            )
    versions = Counter(d.app_version for r in fleet.rooms for d in r.devices if d.device_type == "Controller")
    assert len(versions) >= 3  # a few outdated ones among the current


def test_status_health_and_devices_are_consistent() -> None:
    fleet = generate_fleet(2000, seed=11, now=NOW)
    warnings = Counter[str]()
    for room in fleet.rooms:
        primary = room.primary_device
        assert primary
        assert (room.status == "Offline") == (primary.status == "Offline") == (room.health == "critical")
        if room.status == "Offline":
            assert room.issues == [OFFLINE_ISSUE]
            assert room.issue_history[0].issue == OFFLINE_ISSUE
        elif room.health == "warning":
            (issue,) = room.issues
            warnings[issue] += 1
            assert room.issue_history[0].issue == issue
            offline = {d.device_type for d in room.devices if d.status == "Offline"}
            expected = {
                "Room Controller disconnected": {"Controller"},
                "Scheduling Display disconnected": {"Scheduling Display"},
            }
            assert offline == expected.get(issue, set())
            assert (room.camera == "") == (issue == "Selected camera has disconnected")
            assert (room.microphone == "") == (issue == "Selected microphone has disconnected")
        else:
            assert room.health == ""
            assert room.issues == []
            assert all(d.status == "Online" for d in room.devices)
        if room.status == "UnderConstruction":
            assert room.issue_history == []
        times = [datetime.fromisoformat(e.time) for e in room.issue_history]
        assert times == sorted(times, reverse=True)
        assert all(NOW - timedelta(days=30) <= t <= NOW for t in times)
    assert {"Room Controller disconnected", "Selected camera has disconnected"} <= set(warnings)


def test_some_rooms_have_sensors() -> None:
    fleet = generate_fleet(300, now=NOW)
    with_sensors = [r for r in fleet.rooms if r.sensor_types]
    assert 0.15 < len(with_sensors) / 300 < 0.5
    assert all(r.sensor_device_id for r in with_sensors)


def test_room_names_are_unique_and_are_not_place_names(big_fleet: Fleet) -> None:
    assert len(set(ROOM_NAMES)) == len(ROOM_NAMES) > 400
    small = generate_fleet(300, now=NOW)
    assert len({r.name for r in small.rooms}) == 300
    assert all(" " not in r.name or "-" not in r.name.split()[0] for r in small.rooms)  # no prefixes yet
    places = {loc.name for loc in big_fleet.locations}
    assert places.isdisjoint(ROOM_NAMES)


def test_twenty_thousand_rooms(big_fleet: Fleet) -> None:
    fleet = big_fleet
    assert len(fleet.rooms) == 20_000
    assert len({r.name for r in fleet.rooms}) == 20_000
    assert len({r.id for r in fleet.rooms} | {r.room_id for r in fleet.rooms}) == 40_000
    assert fleet.structure == list(LEVELS)
    assert {loc.type for loc in fleet.locations} == set(LEVELS)
    assert len(fleet.children("")) > 4  # more countries than the anchors'
    assert fleet.room_named("Everest")
    assert fleet.room_named("Denali")
    assert sum(1 for r in fleet.rooms if r.name.startswith("SEA-") or "-B" in r.name.split()[0]) > 10_000
    assert all(fleet.location(r.location_id) for r in fleet.rooms)


def test_every_room_type_appears_even_in_the_demo_fleet() -> None:
    for size in (150, 2000):
        fleet = generate_fleet(size, now=NOW)
        counts = Counter(r.zoom_room_type for r in fleet.rooms)
        assert set(counts) == set(ROOM_TYPES)
        assert counts["ZoomRoom"] > 0.9 * size


def test_signage_and_scheduling_only_rooms_never_meet_and_have_no_peripherals() -> None:
    fleet = generate_fleet(2000, seed=3, now=NOW)
    special = [r for r in fleet.rooms if r.zoom_room_type in ("SchedulingDisplayOnly", "DigitalSignageOnly")]
    assert special
    for room in special:
        assert room.status != "InMeeting"
        assert (room.camera, room.microphone, room.speaker) == ("", "", "")
        assert room.health in ("", "critical")
