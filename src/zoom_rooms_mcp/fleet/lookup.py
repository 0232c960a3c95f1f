"""Finding one room from what a person typed: an id, the exact name, or one clearly meant name (pure)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from zoom_rooms_mcp.locations.text import fold
from zoom_rooms_mcp.zoom.records import Room

Match = Literal["id", "exact", "fuzzy"]

# Room names repeat across calls (and fold() normalises Unicode): fold each distinct name once.
fold_name = functools.lru_cache(maxsize=65_536)(fold)


@dataclass(frozen=True, slots=True)
class RoomMatch:
    room: Room
    match: Match


class RoomLookupError(Exception):
    """No single room fits; ``candidates`` are the closest rooms (for the error text)."""

    def __init__(self, query: str, candidates: list[Room]) -> None:
        super().__init__(query)
        self.query = query
        self.candidates = candidates


def exact(rooms: Sequence[Room], text: str) -> RoomMatch | None:
    """By id, then dashboard id, then the one room whose folded name equals the folded text."""
    for room in rooms:
        if room.id == text:
            return RoomMatch(room, "id")
    for room in rooms:
        if room.room_id == text:
            return RoomMatch(room, "id")
    folded = fold(text)
    same = [room for room in rooms if fold_name(room.name) == folded]
    return RoomMatch(same[0], "exact") if len(same) == 1 else None


def fuzzy(rooms: Sequence[Room], text: str) -> RoomMatch:
    """The one room a query clearly means (a whole word of its name, or a close spelling), else raise."""
    folded = fold(text)
    if not folded:
        raise RoomLookupError(text, [])
    names = [fold_name(room.name) for room in rooms]
    containing = [room for room, name in zip(rooms, names, strict=True) if folded in name.split() or folded == name]
    if len(containing) == 1:
        return RoomMatch(containing[0], "fuzzy")
    # Score whole names and, for a one-word query, each word of a name ("Kilimanjro" → "SEA-B2-3 Kilimanjaro").
    choices: list[str] = []
    owners: list[int] = []
    for index, name in enumerate(names):
        for variant in {name, *name.split()} if " " not in folded else {name}:
            choices.append(variant)
            owners.append(index)
    best: dict[int, float] = {}
    for _, score, position in process.extract(folded, choices, scorer=fuzz.WRatio, limit=50, score_cutoff=75):
        owner = owners[position]
        best[owner] = max(score, best.get(owner, 0.0))
    ranked = sorted(best.items(), key=lambda item: -item[1])[:5]
    candidates = [rooms[index] for index, _ in ranked]
    if ranked and ranked[0][1] >= 86 and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= 6):
        return RoomMatch(rooms[ranked[0][0]], "fuzzy")
    raise RoomLookupError(text, candidates or list(containing[:5]))


def find(rooms: Sequence[Room], text: str) -> RoomMatch:
    return exact(rooms, text.strip()) or fuzzy(rooms, text.strip())
