"""Room lookup rules (pure): ids, exact names, unique words, typos, ties; and how the room was found."""

from __future__ import annotations

import pytest

from zoom_rooms_mcp.fleet.lookup import RoomLookupError, exact, find, fuzzy
from zoom_rooms_mcp.zoom.records import Room


def make(room_id: str, dashboard_id: str, name: str) -> Room:
    return Room(id=room_id, room_id=dashboard_id, name=name, status="Available", location_id=None)


ROOMS = [
    make("a1", "d1", "Everest"),
    make("a2", "d2", "SEA-B2-3 Kilimanjaro"),
    make("a3", "d3", "Board Room"),
    make("a4", "d4", "board room"),
    make("a5", "d5", "Zürich Süd"),
]


@pytest.mark.parametrize(
    ("query", "room_id", "how"),
    [("a3", "a3", "id"), ("d2", "a2", "id"), ("EVEREST", "a1", "exact"), ("zurich sud", "a5", "exact")],
)
def test_exact_by_id_dashboard_id_or_folded_name(query: str, room_id: str, how: str) -> None:
    match = exact(ROOMS, query)
    assert match is not None
    assert (match.room.id, match.match) == (room_id, how)


def test_duplicate_names_are_not_exact_and_come_back_as_candidates() -> None:
    assert exact(ROOMS, "Board Room") is None
    with pytest.raises(RoomLookupError) as info:
        fuzzy(ROOMS, "Board Room")
    assert {c.id for c in info.value.candidates} >= {"a3", "a4"}


@pytest.mark.parametrize(("query", "room_id"), [("kilimanjaro", "a2"), ("Everrest", "a1"), ("Kilimanjro", "a2")])
def test_unique_word_or_close_spelling_is_a_fuzzy_match(query: str, room_id: str) -> None:
    match = find(ROOMS, query)
    assert (match.room.id, match.match) == (room_id, "fuzzy")


@pytest.mark.parametrize("query", ["", "   ", "Atlantis", "room"])
def test_nothing_clear_raises(query: str) -> None:
    with pytest.raises(RoomLookupError):
        find(ROOMS, query)
