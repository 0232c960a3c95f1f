"""Issue ranking tool: which rooms had the most problems over some days, and which problems (``get_top_issues``).

* Whole fleet: Zoom's two Dashboard rankings (top 25 issues, top 25 rooms; two requests). Zoom counts a
  room's recoveries ("… connected") with its problems, so the ranked rooms' own histories are read too
  (at most 25 more requests, cached) to count problems apart and name each room's top issue.
* A location: the issue history of each room in scope (paced, cached by the service), bounded per call
  so one question never waits for thousands of Heavy reads; ``notes`` says what was left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from datetime import date
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet.reader import fan_out
from zoom_rooms_mcp.fleet.service import ON_DEMAND_DASHBOARD_ROOMS, FleetService, Scope
from zoom_rooms_mcp.policy import APP_PAGE, DASHBOARD_PLAN, degraded_note, scope_names
from zoom_rooms_mcp.tools.common import (
    NOTHING_READ,
    FreshnessField,
    FreshnessOut,
    LocationQuery,
    ResolutionField,
    app,
    iso,
    resolution_out,
    scope,
    unresolved_message,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.errors import ZoomError, ZoomPlanError, ZoomScopeError, clean
from zoom_rooms_mcp.zoom.records import IssueEvent, Room

ZOOM_TOP = 25  # Zoom's rankings stop at 25 issues and 25 rooms
HISTORY_BOUND = ON_DEMAND_DASHBOARD_ROOMS  # per-room histories one call reads (Heavy, like per-room Dashboard reads)
_RECOVERY_ENDINGS = (" connected", " reconnected", " is online", " is normal")


def is_recovery(issue: str) -> bool:
    """'Room Controller connected', 'Selected camera is reconnected', 'Zoom room is online', 'Controller
    battery is normal': the end of a problem, not a problem ('… has disconnected' is not one of these)."""
    return (" " + issue.strip().lower()).endswith(_RECOVERY_ENDINGS)


class IssueRooms(BaseModel):
    issue: str = Field(description="Issue name as Zoom reports it.")
    rooms: int = Field(description="Rooms that had it.")


class RoomProblems(BaseModel):
    id: str = Field(description="Zoom Room id (as in get_zoom_rooms).")
    name: str = Field(description="Room name.")
    location_path: str | None = Field(description="Full location path.")
    issues: int = Field(description="Problem events (recoveries not counted).")
    top_issue: str | None = Field(description="Its most frequent problem.")
    recoveries: int | None = Field(description="Recovery events (null when its history could not be read).")


class TopIssues(BaseModel):
    from_: str = Field(alias="from", serialization_alias="from")  # days, UTC
    to: str
    by_issue: list[IssueRooms] = Field(description="Rooms per problem, most first.")
    by_room: list[RoomProblems] = Field(description="Rooms by problem events, most first.")
    recoveries: list[IssueRooms] = Field(description="Rooms per recovery.")
    rooms_with_problems: int = Field(description="Of the rooms ranked or read.")
    source: Literal["dashboard_ranking", "issue_histories"]
    resolution: ResolutionField
    freshness: FreshnessField
    notes: list[str] = Field(description="Caps, rooms left out.")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


async def get_top_issues(
    ctx: Context,
    days: Annotated[int, Field(ge=1, le=30, description="Days back, today included (1-30).")] = 7,
    location_query: LocationQuery = None,
    limit: Annotated[int, Field(ge=1, le=100, description="Rows per list (1-100).")] = 25,
) -> TopIssues:
    """Which rooms had the most problems in the last `days`, and which problems (Zoom Dashboard issue log;
    recoveries such as '… connected' counted apart). Account-wide or per location. Next: get_room_issues or
    get_room_details for a room.
    """
    service = app(ctx).service
    start, end = service.window(days)
    with zoom_errors():
        where = await scope(service, location_query)
        if not where.resolved:
            assert where.resolution is not None
            return TopIssues(
                from_=start.isoformat(),
                to=end.isoformat(),
                by_issue=[],
                by_room=[],
                recoveries=[],
                rooms_with_problems=0,
                source="issue_histories",
                resolution=resolution_out(where.resolution),
                freshness=NOTHING_READ,
                notes=[unresolved_message(where.resolution)],
            )
        rooms = await service.rooms(where)
        try:
            if where.location_ids is None:
                return await _fleet(service, start, end, limit)
            return await _location(service, where, rooms, start, end, limit)
        except (ZoomScopeError, ZoomPlanError) as exc:
            raise refused(exc) from exc
        except BaseExceptionGroup as group:  # the two rankings are read concurrently
            refusal = _refusal(group)
            if refusal is None:
                raise
            raise refused(refusal) from refusal


def _refusal(group: BaseExceptionGroup[BaseException]) -> ZoomScopeError | ZoomPlanError | None:
    matched, _ = group.split((ZoomScopeError, ZoomPlanError))
    leaf: BaseException | None = matched
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    return leaf if isinstance(leaf, ZoomScopeError | ZoomPlanError) else None


def refused(exc: ZoomScopeError | ZoomPlanError) -> ToolError:
    if isinstance(exc, ZoomScopeError):
        return ToolError(
            f"Ranking issues needs a Dashboard scope the app lacks: {scope_names(exc)}. Add it in {APP_PAGE} → "
            "Scopes. Meanwhile get_fleet_health shows the current problems."
        )
    return ToolError(
        f"Ranking issues needs the Zoom Dashboard: {DASHBOARD_PLAN}. Meanwhile get_fleet_health shows the "
        "current problems from room and device status."
    )


async def _histories(
    service: FleetService, rooms: Sequence[Room], start: date, end: date
) -> tuple[dict[str, tuple[list[IssueEvent], float]], dict[str, ZoomError]]:
    """Each room's history (paced by the client, cached by the service); failures per room. A scope or plan
    refusal for every room is the tool's error, not a note."""
    by_id = {room.id: room for room in rooms}

    async def read(room_id: str) -> tuple[list[IssueEvent], float]:
        return await service.issue_history_read(by_id[room_id], start, end)

    found, failures = await fan_out(read, list(by_id))
    refusal = next((e for e in failures.values() if isinstance(e, ZoomScopeError | ZoomPlanError)), None)
    if refusal is not None and not found:
        raise refusal
    return found, failures


def _failure_note(failures: dict[str, ZoomError], rooms: dict[str, Room]) -> str:
    names = ", ".join(f"'{clean(rooms[i].name, 60)}'" for i in sorted(failures, key=lambda i: rooms[i].name)[:5])
    more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
    return degraded_note(next(iter(failures.values())), f"Issue history of {len(failures)} room(s) ({names}{more})")


def _top(counts: Counter[str]) -> str | None:
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0] if counts else None


def _ranked(counts: Counter[str], limit: int) -> list[IssueRooms]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [IssueRooms(issue=clean(name, 200), rooms=n) for name, n in ordered[:limit]]


def _row(service: FleetService, room: Room, events: list[IssueEvent]) -> RoomProblems:
    problems = Counter(e.issue for e in events if not is_recovery(e.issue))
    return RoomProblems(
        id=room.id,
        name=room.name,
        location_path=_path(service, room),
        issues=sum(problems.values()),
        top_issue=_top(problems),
        recoveries=len(events) - sum(problems.values()),
    )


def _path(service: FleetService, room: Room) -> str | None:
    tree = service.state.tree
    return tree.path(room.location_id) if tree is not None else None


def _by_room(rows: list[RoomProblems], limit: int) -> tuple[list[RoomProblems], int]:
    with_problems = sorted((r for r in rows if r.issues), key=lambda r: (-r.issues, r.name.casefold(), r.id))
    return with_problems[:limit], len(with_problems)


async def _fleet(service: FleetService, start: date, end: date, limit: int) -> TopIssues:
    ranking = await service.ranking(start, end)
    notes: list[str] = []
    ranked: list[tuple[Room, int]] = []
    unknown = 0
    for dashboard_id, _, count in ranking.rooms:
        room = service.state.by_dashboard_id(dashboard_id)
        if room is None:
            unknown += 1
        else:
            ranked.append((room, count))
    if unknown:
        notes.append(f"{unknown} room(s) Zoom ranked are not in the room listing (just removed?) and are left out.")
    found, failures = await _histories(service, [room for room, _ in ranked], start, end)
    rows = [_row(service, room, found[room.id][0]) for room, _ in ranked if room.id in found]
    # A room whose history could not be read keeps Zoom's count, which includes recoveries.
    rows.extend(
        RoomProblems(
            id=room.id,
            name=room.name,
            location_path=_path(service, room),
            issues=count,
            top_issue=None,
            recoveries=None,
        )
        for room, count in ranked
        if room.id in failures
    )
    if failures:
        notes.append(_failure_note(failures, {room.id: room for room, _ in ranked}) + " Zoom's count is shown.")
    by_room, with_problems = _by_room(rows, limit)
    if len(ranking.rooms) >= ZOOM_TOP or ranking.rooms_total > len(ranking.rooms):
        notes.append(
            f"Zoom ranks only its top {ZOOM_TOP} rooms (by all issue events, recoveries included): other rooms with "
            "problems are not in by_room. Ask per location (location_query) for a complete ranking there."
        )
    if len(ranking.issues) >= ZOOM_TOP or ranking.issues_total > len(ranking.issues):
        notes.append(f"Zoom lists only its top {ZOOM_TOP} issue names: rarer ones are not in by_issue or recoveries.")
    reads = [at for _, at in found.values()]
    return TopIssues(
        from_=start.isoformat(),
        to=end.isoformat(),
        by_issue=_ranked(Counter({n: c for n, c in ranking.issues if not is_recovery(n)}), limit),
        by_room=by_room,
        recoveries=_ranked(Counter({n: c for n, c in ranking.issues if is_recovery(n)}), limit),
        rooms_with_problems=with_problems,
        source="dashboard_ranking",
        resolution=None,
        freshness=FreshnessOut(
            rooms_as_of=iso(service.state.rooms_read_at),
            devices_as_of=None,
            dashboard_as_of=iso(min([ranking.read_at, *reads])),
        ),
        notes=notes,
    )


def _priority(service: FleetService, ranked: set[str]) -> dict[str, int]:
    """Which rooms to read first when a location has more rooms than one call reads: Zoom's fleet-wide
    top rooms (if already known), rooms with current Dashboard issues, offline rooms, then the rest."""
    state = service.state
    order: dict[str, int] = {}
    for room_id, room in state.rooms.items():
        dash = state.dashboard.get(room_id)
        if room.dashboard_id in ranked:
            order[room_id] = 0
        elif dash is not None and dash.row is not None and dash.row.issues:
            order[room_id] = 1
        elif room.status == "Offline":
            order[room_id] = 2
        else:
            order[room_id] = 3
    return order


async def _location(
    service: FleetService, where: Scope, rooms: list[Room], start: date, end: date, limit: int
) -> TopIssues:
    notes: list[str] = []
    # Zoom turns issue notifications off for rooms under construction: they have no history to read.
    candidates = [r for r in rooms if r.status != "UnderConstruction"]
    if len(candidates) > HISTORY_BOUND:
        ranked: set[str] = set()
        with suppress(ZoomError):  # the ranking only orders the reads; the histories report any refusal
            ranked = {dashboard_id for dashboard_id, _, _ in (await service.ranking(start, end)).rooms}
        order = _priority(service, ranked)
        candidates.sort(key=lambda r: (order.get(r.id, 3), r.name.casefold(), r.id))
        notes.append(
            f"This location has {len(candidates)} rooms; one call reads the issue history of {HISTORY_BOUND} "
            "(Zoom's top rooms and rooms with current problems first), so rooms left out may be missing from the "
            "ranking. Narrow location_query for a complete answer."
        )
        candidates = candidates[:HISTORY_BOUND]
    found, failures = await _histories(service, candidates, start, end)
    if failures:
        notes.append(_failure_note(failures, {r.id: r for r in candidates}))
    problem_rooms: Counter[str] = Counter()
    recovery_rooms: Counter[str] = Counter()
    rows: list[RoomProblems] = []
    for room in candidates:
        if room.id not in found:
            continue
        events = found[room.id][0]
        problem_rooms.update({e.issue for e in events if not is_recovery(e.issue)})
        recovery_rooms.update({e.issue for e in events if is_recovery(e.issue)})
        rows.append(_row(service, room, events))
    by_room, with_problems = _by_room(rows, limit)
    reads = [at for _, at in found.values()]
    return TopIssues(
        from_=start.isoformat(),
        to=end.isoformat(),
        by_issue=_ranked(problem_rooms, limit),
        by_room=by_room,
        recoveries=_ranked(recovery_rooms, limit),
        rooms_with_problems=with_problems,
        source="issue_histories",
        resolution=resolution_out(where.resolution) if where.resolution is not None else None,
        freshness=FreshnessOut(
            rooms_as_of=iso(service.state.rooms_read_at),
            devices_as_of=None,
            dashboard_as_of=iso(min(reads, default=None)),
        ),
        notes=notes,
    )
