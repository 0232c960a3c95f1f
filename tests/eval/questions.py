"""Twenty questions an admin asks (issue 13's table and DESIGN §1), each with the tool calls an assistant
should need and the facts its answer must contain, checked against the simulator's ground truth.

A question's ``calls`` are built from the fleet (a room with an outdated app is looked up, not hard-coded);
``prepare`` makes changes the answer must report and has the server see them before the calls are counted
(the background sync would, in a deployment); ``check`` gets each call's outcome in order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import FakeClock
from tests.eval.truth import issue_truth, most_problems, window
from tests.tools.fleet_truth import path, rooms_under, seattle
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.health import outdated, parse_version
from zoom_rooms_mcp.simulator import DEFAULT_SCOPES, Fleet, SimRoom, Simulator
from zoom_rooms_mcp.tools.top_issues import is_recovery

Call = tuple[str, dict[str, Any]]
STALE = 120.0  # past the room listing's freshness target


@dataclass(frozen=True)
class Outcome:
    tool: str
    args: dict[str, Any]
    error: bool
    content: dict[str, Any]  # structured content ({} for an error)
    text: str  # what the model reads


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    calls: Callable[[Fleet], list[Call]]
    check: Callable[[Fleet, list[Outcome]], None]
    prepare: Callable[[Simulator, AppContext, FakeClock], Awaitable[None]] | None = None
    pending: str | None = None  # why it may not pass yet (xfail, not strict)


# --- ground truth helpers --------------------------------------------------------------------------------

DENVER_B2_F3 = "United States > Colorado > Denver > Tech Center Campus > Building 2 > Floor 3"
MUNICH_CAMPUS = "Germany > Bayern > München > Munich Campus"


def ids(rooms: list[SimRoom]) -> set[str]:
    return {room.id for room in rooms}


def newest(fleet: Fleet) -> dict[str, tuple[int, int, int, int]]:
    best: dict[str, tuple[int, int, int, int]] = {}
    for room in fleet.rooms:
        for device in room.devices:
            version = parse_version(device.app_version)
            if version is not None and version > best.get(device.device_type, (-1, 0, 0, 0)):
                best[device.device_type] = version
    return best


def outdated_rooms(fleet: Fleet) -> list[SimRoom]:
    top = newest(fleet)
    found = []
    for room in fleet.rooms:
        if room.status == "UnderConstruction":
            continue
        versions = [(d.device_type, parse_version(d.app_version)) for d in room.devices]
        if any(v is not None and outdated(v, top[kind]) for kind, v in versions):
            found.append(room)
    return found


def quietly_outdated(fleet: Fleet) -> SimRoom:
    """A room whose only problem is its outdated app (issue 13's 'Kama')."""
    return next(
        room
        for room in outdated_rooms(fleet)
        if room.status == "Available" and not room.issues and all(d.status == "Online" for d in room.devices)
    )


def room_ids(answer: dict[str, Any], key: str = "rooms") -> set[str]:
    return {row["id"] for row in answer[key]}


def only(outcomes: list[Outcome]) -> dict[str, Any]:
    (outcome,) = outcomes
    assert not outcome.error, outcome.text
    return outcome.content


# --- preparing changes the answer must report --------------------------------------------------------------


def first_online(fleet: Fleet, where: str) -> SimRoom:
    return next(r for r in rooms_under(fleet, where) if r.status == "Available" and r.zoom_room_type == "ZoomRoom")


async def two_rooms_go_offline(sim: Simulator, app: AppContext, clock: FakeClock) -> None:
    """A Seattle room and a Munich room go offline; the room listing (the sync's job) sees it."""
    await app.service.refresh_rooms("sync")
    for where in (seattle(sim.fleet), MUNICH_CAMPUS):
        sim.control.set_room_status(first_online(sim.fleet, where).id, "Offline")
    clock.advance(STALE)
    await app.service.refresh_rooms("sync")


# --- the questions -----------------------------------------------------------------------------------------


def check_offline_seattle(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    want = {r.id for r in rooms_under(fleet, seattle(fleet)) if r.status == "Offline"}
    assert room_ids(answer) == want
    assert answer["total_count"] == len(want)


def check_floor(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    assert room_ids(answer) == ids(rooms_under(fleet, DENVER_B2_F3))
    assert all(row["location_path"] == DENVER_B2_F3 for row in answer["rooms"])


def check_everest(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    room = fleet.room_named("Everest")
    assert room is not None
    assert (answer["id"], answer["status"]) == (room.id, room.status)
    offline = {d.device_type for d in room.devices if d.status == "Offline"}
    assert {d["device_type"] for d in answer["devices"] if d["status"] == "Offline"} == offline
    assert answer["health"] != "healthy"
    assert any("Controller" in issue for issue in answer["issues"])


def check_munich_report(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    rooms = rooms_under(fleet, MUNICH_CAMPUS)
    assert answer["summary"]["total_rooms"] == len(rooms)
    assert answer["summary"]["by_status"] == dict(Counter(r.status for r in rooms))
    offline = {r.id for r in rooms if r.status == "Offline"}
    assert offline <= room_ids(answer, "problem_rooms")


def check_connection(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    assert answer["status"] == "success"
    assert set(DEFAULT_SCOPES) <= set(answer["scopes"])
    assert answer["missing_scopes"] == []


def check_broke_last_hour(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    gone = {r.id for r in fleet.rooms if r.status == "Offline"} & {e["room_id"] for e in answer["events"]}
    assert len(gone) == 2
    assert answer["counts_by_kind"] == {"room_offline": 2}
    assert all(e["severity"] == "critical" for e in answer["events"])


def check_most_problems_week(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    truth = issue_truth(fleet, 7)
    leaders = most_problems(truth, truth.zoom_ranked)
    assert answer["by_room"][0]["issues"] == leaders[0][1]
    assert {r["id"] for r in answer["by_room"] if r["issues"] == leaders[0][1]} == {
        room_id for room_id, n in leaders if n == leaders[0][1]
    }
    assert not any(is_recovery(i["issue"]) for i in answer["by_issue"])
    assert [(i["issue"], i["rooms"]) for i in answer["by_issue"]] == truth.by_issue[: len(answer["by_issue"])]


def check_rooms_per_city(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    cities = {loc["path"]: loc for loc in answer["locations"] if loc["type"] == "city"}
    assert set(cities) == {path(fleet, loc.id) for loc in fleet.locations if loc.type == "city"}
    for city_path, loc in cities.items():
        rooms = rooms_under(fleet, city_path)
        assert loc["room_count"] == len(rooms)
        assert loc["status_counts"].get("Offline", 0) == sum(r.status == "Offline" for r in rooms)
    assert all(loc["type"] != "floor" for loc in answer["locations"])


def check_list_rooms(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    assert answer["total_count"] == len(fleet.rooms)
    assert len(answer["rooms"]) == 50
    assert answer["status_counts"] == dict(Counter(r.status for r in fleet.rooms))
    assert len(outcomes[0].text) <= 10_000


def check_outdated(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    assert room_ids(answer, "problem_rooms") == ids(outdated_rooms(fleet))


def check_everest_offline_history(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    room = fleet.room_named("Everest")
    assert room is not None
    start, end = window(7)
    events = [e for e in room.issue_history if start.isoformat() <= e.time[:10] <= end.isoformat()]
    assert answer["total_count"] == len(events)
    assert answer["issue_counts"] == dict(Counter(e.issue for e in events))


def check_munich_month(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    truth = issue_truth(fleet, 30, rooms_under(fleet, "Germany > Bayern > München"))
    assert [(i["issue"], i["rooms"]) for i in answer["by_issue"]] == truth.by_issue[: len(answer["by_issue"])]
    assert [r["issues"] for r in answer["by_room"]] == [n for _, n in most_problems(truth)][: len(answer["by_room"])]
    assert all(r["issues"] == truth.rooms[r["id"]].problems for r in answer["by_room"])


def check_in_meeting(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    building = "United States > Colorado > Denver > Tech Center Campus > Building 2"
    assert room_ids(answer) == {r.id for r in rooms_under(fleet, building) if r.status == "InMeeting"}


def check_kiosks(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    assert room_ids(answer) == {r.id for r in rooms_under(fleet, seattle(fleet)) if r.zoom_room_type == "Kiosk"}


def check_buildings(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    city = next(loc for loc in fleet.locations if path(fleet, loc.id) == seattle(fleet))
    want = {
        path(fleet, loc.id)
        for loc in fleet.locations
        if loc.type == "building" and loc.id in fleet.descendants(city.id)
    }
    assert {loc["path"] for loc in answer["locations"] if loc["type"] == "building"} == want
    assert all(loc["type"] != "floor" for loc in answer["locations"])


def check_misspelt(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    room = fleet.room_named("Kilimanjaro")
    assert room is not None
    assert (answer["id"], answer["match"]) == (room.id, "fuzzy")
    assert answer["location_path"] == path(fleet, room.location_id)
    assert any("closest" in note for note in answer["notes"])


def check_seattle_critical(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    here = {r.id for r in rooms_under(fleet, seattle(fleet)) if r.status == "Offline"}
    assert [e["room_id"] for e in answer["events"]] != []
    assert {e["room_id"] for e in answer["events"]} <= here
    assert all(e["location_path"].startswith(seattle(fleet)) for e in answer["events"])


def check_quietly_outdated(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    assert answer["id"] == quietly_outdated(fleet).id
    assert answer["health"] != "healthy"
    assert any("outdated" in issue.lower() for issue in answer["issues"])


def check_whole_fleet(fleet: Fleet, outcomes: list[Outcome]) -> None:
    answer = only(outcomes)
    assert answer["summary"]["total_rooms"] == len(fleet.rooms)
    assert answer["summary"]["by_status"] == dict(Counter(r.status for r in fleet.rooms))
    assert answer["coverage"]["devices_checked"] == sum(r.status != "UnderConstruction" for r in fleet.rooms)


def check_wrong_argument(fleet: Fleet, outcomes: list[Outcome]) -> None:
    mistaken, corrected = outcomes
    assert mistaken.error
    assert "'location'" in mistaken.text
    assert "location_query" in mistaken.text
    assert not corrected.error
    here = ids(rooms_under(fleet, seattle(fleet)))
    assert corrected.content["total_count"] == len(here)
    assert room_ids(corrected.content) <= here


QUESTIONS: list[Question] = [
    Question(
        "offline_seattle",
        "Which rooms in Seattle are offline right now?",
        lambda f: [("get_zoom_rooms", {"location_query": "Seattle", "status": "offline"})],
        check_offline_seattle,
    ),
    Question(
        "floor",
        "List the rooms on floor 3 of building 2 in Denver.",
        lambda f: [("get_zoom_rooms", {"location_query": "denver building 2 floor 3"})],
        check_floor,
    ),
    Question(
        "everest",
        "What is wrong with the room called Everest?",
        lambda f: [("get_room_details", {"room": "Everest"})],
        check_everest,
    ),
    Question(
        "munich_report",
        "Give me a health report for the Munich campus.",
        lambda f: [("get_fleet_health", {"location_query": "Munich campus"})],
        check_munich_report,
    ),
    Question(
        "connection",
        "Is our Zoom connection working, and which scopes does the app have?",
        lambda f: [("test_zoom_connection", {})],
        check_connection,
    ),
    Question(
        "broke_last_hour",
        "What broke in the last hour?",
        lambda f: [("get_room_alerts", {})],
        check_broke_last_hour,
        prepare=two_rooms_go_offline,
    ),
    Question(
        "most_problems_week",
        "Which rooms had the most problems this week?",
        lambda f: [("get_top_issues", {})],
        check_most_problems_week,
    ),
    Question(
        "rooms_per_city",
        "How many rooms per city, and how many are offline?",
        lambda f: [("get_zoom_sites", {"level": "city"})],
        check_rooms_per_city,
    ),
    Question("list_rooms", "List rooms.", lambda f: [("get_zoom_rooms", {})], check_list_rooms),
    Question(
        "outdated",
        "Which rooms run outdated software?",
        lambda f: [("get_fleet_health", {"problem": "outdated"})],
        check_outdated,
    ),
    Question(
        "everest_history",
        "How often did Everest have problems this week, and which?",
        lambda f: [("get_room_issues", {"room": "Everest", "days": 7})],
        check_everest_offline_history,
    ),
    Question(
        "munich_month",
        "What keeps failing in Munich this month?",
        lambda f: [("get_top_issues", {"location_query": "Munich", "days": 30})],
        check_munich_month,
    ),
    Question(
        "in_meeting",
        "Which rooms in building 2 in Denver are in a meeting?",
        lambda f: [("get_zoom_rooms", {"location_query": "Denver Building 2", "status": "InMeeting"})],
        check_in_meeting,
    ),
    Question(
        "kiosks",
        "Show me the kiosks in Seattle.",
        lambda f: [("get_zoom_rooms", {"location_query": "Seattle", "room_type": "kiosk"})],
        check_kiosks,
    ),
    Question(
        "buildings",
        "Which buildings do we have in Seattle?",
        lambda f: [("get_zoom_sites", {"query": "Seattle", "level": "building"})],
        check_buildings,
    ),
    Question(
        "misspelt",
        "Where is the room Kilimanjro?",
        lambda f: [("get_room_details", {"room": "Kilimanjro"})],
        check_misspelt,
    ),
    Question(
        "seattle_critical",
        "Any critical alerts in Seattle today?",
        lambda f: [("get_room_alerts", {"location_query": "Seattle", "since_minutes": 1440, "severity": "critical"})],
        check_seattle_critical,
        prepare=two_rooms_go_offline,
    ),
    Question(
        "quietly_outdated",
        "What's wrong with <a room whose only problem is an outdated app>?",
        lambda f: [("get_room_details", {"room": quietly_outdated(f).name})],
        check_quietly_outdated,
    ),
    Question(
        "whole_fleet",
        "How is the whole fleet?",
        lambda f: [("get_fleet_health", {})],
        check_whole_fleet,
    ),
    Question(
        "wrong_argument",
        "Rooms in Seattle (the assistant first writes `location`).",
        lambda f: [("get_zoom_rooms", {"location": "Seattle"}), ("get_zoom_rooms", {"location_query": "Seattle"})],
        check_wrong_argument,
    ),
]
