"""Ground truth for issue rankings and alerts, read straight from the simulator's fleet (beside
``tests/tools/fleet_truth.py``, which holds the location and room facts)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from zoom_rooms_mcp.simulator import Fleet, SimRoom
from zoom_rooms_mcp.tools.top_issues import is_recovery

# The moment every eval and ranking test answers at: the simulator's fleet is generated relative to it.
FIXED_NOW = datetime(2026, 1, 19, 12, 0, tzinfo=UTC)
ZOOM_TOP = 25


def window(days: int, now: datetime = FIXED_NOW) -> tuple[date, date]:
    end = now.date()
    return end - timedelta(days=days - 1), end


@dataclass(frozen=True)
class RoomTruth:
    problems: int
    recoveries: int
    top_issue: str | None


@dataclass(frozen=True)
class IssueTruth:
    rooms: dict[str, RoomTruth]  # room id → its counts, rooms with any event in the window
    by_issue: list[tuple[str, int]]  # problems: rooms that had each, most first
    recoveries: list[tuple[str, int]]
    zoom_ranked: list[str]  # room ids Zoom's top-25 ranking returns (all events, recoveries included)


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def issue_truth(fleet: Fleet, days: int, rooms: list[SimRoom] | None = None) -> IssueTruth:
    start, end = window(days)
    first, last = start.isoformat(), end.isoformat()
    per_room: dict[str, RoomTruth] = {}
    problem_rooms: Counter[str] = Counter()
    recovery_rooms: Counter[str] = Counter()
    totals: list[tuple[int, str, str]] = []
    for room in rooms if rooms is not None else fleet.rooms:
        events = [e.issue for e in room.issue_history if first <= e.time[:10] <= last]
        if not events:
            continue
        problems = Counter(i for i in events if not is_recovery(i))
        top = min(problems.items(), key=lambda item: (-item[1], item[0]))[0] if problems else None
        per_room[room.id] = RoomTruth(sum(problems.values()), len(events) - sum(problems.values()), top)
        problem_rooms.update(set(problems))
        recovery_rooms.update({i for i in events if is_recovery(i)})
        totals.append((len(events), room.name, room.id))
    ranked = [room_id for _, _, room_id in sorted(totals, key=lambda t: (-t[0], t[1]))[:ZOOM_TOP]]
    return IssueTruth(per_room, _ranked(problem_rooms), _ranked(recovery_rooms), ranked)


def most_problems(truth: IssueTruth, among: list[str] | None = None) -> list[tuple[str, int]]:
    """(room id, problem events) of the rooms with problems, most first (ties in any order)."""
    ids = among if among is not None else list(truth.rooms)
    rows = [(room_id, truth.rooms[room_id].problems) for room_id in ids if truth.rooms[room_id].problems]
    return sorted(rows, key=lambda row: -row[1])


def clock_from(start: datetime = FIXED_NOW) -> Callable[[], float]:
    """A simulator clock that starts at ``start`` and runs in real time (its rate limits still refill)."""
    origin = time.monotonic()
    base = start.timestamp()
    return lambda: base + time.monotonic() - origin
