"""Room lookup rules of the fleet service (pure helpers): ids, exact names, unique words, typos, ties."""

from __future__ import annotations

import pytest

from zoom_rooms_mcp.fleet import RoomLookupError, _exact, _fuzzy

ROOMS = [
    {"id": "a1", "room_id": "d1", "name": "Everest"},
    {"id": "a2", "room_id": "d2", "name": "SEA-B2-3 Kilimanjaro"},
    {"id": "a3", "room_id": "d3", "name": "Board Room"},
    {"id": "a4", "room_id": "d4", "name": "board room"},
    {"id": "a5", "room_id": "d5", "name": "Zürich Süd"},
]


@pytest.mark.parametrize(("query", "room_id"), [("a3", "a3"), ("d2", "a2"), ("EVEREST", "a1"), ("zurich sud", "a5")])
def test_exact_by_id_dashboard_id_or_folded_name(query: str, room_id: str) -> None:
    room = _exact(ROOMS, query)
    assert room is not None
    assert room["id"] == room_id


def test_duplicate_names_are_not_exact_and_come_back_as_candidates() -> None:
    assert _exact(ROOMS, "Board Room") is None
    with pytest.raises(RoomLookupError) as info:
        _fuzzy(ROOMS, "Board Room")
    assert {c["id"] for c in info.value.candidates} >= {"a3", "a4"}


@pytest.mark.parametrize(("query", "room_id"), [("kilimanjaro", "a2"), ("Everrest", "a1"), ("Kilimanjro", "a2")])
def test_unique_word_or_close_spelling(query: str, room_id: str) -> None:
    assert _fuzzy(ROOMS, query)["id"] == room_id


@pytest.mark.parametrize("query", ["", "   ", "Atlantis", "room"])
def test_nothing_clear_raises(query: str) -> None:
    with pytest.raises(RoomLookupError):
        _fuzzy(ROOMS, query)
