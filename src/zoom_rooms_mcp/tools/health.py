"""``get_fleet_health``: a fleet or site health report, optionally for one kind of problem."""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet.service import FleetService, FleetView, Source
from zoom_rooms_mcp.fleet.tree import TreeSnapshot
from zoom_rooms_mcp.health import Assessment, Problem, Version, assess_room
from zoom_rooms_mcp.tools.common import (
    NO_ROOMS,
    NOTHING_READ,
    CoverageField,
    Cursor,
    FreshnessField,
    Limit,
    LocationQuery,
    LruCache,
    PerService,
    ResolutionField,
    app,
    coverage_out,
    freshness_out,
    iso,
    paginate,
    query_fingerprint,
    resolution_out,
    scope,
    unresolved_message,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, Room


class HealthSummary(BaseModel):
    total_rooms: int
    by_status: dict[str, int]
    rooms_with_problems: int
    by_health: dict[str, int]


class ProblemRoom(BaseModel):
    id: str
    name: str
    status: str
    room_type: str | None
    location_path: str | None
    health: Literal["warning", "critical"]
    problems: list[str]


class FleetHealth(BaseModel):
    summary: HealthSummary = Field(
        description="All rooms in scope; rooms_with_problems: of the kind asked; by_health: unchecked = unknown."
    )
    problem_rooms: list[ProblemRoom] = Field(description="This page of problem rooms, critical first.")
    sources: list[Source] = Field(description="Data used.")
    notes: list[str] = Field(description="Limits of this report (sources skipped or partial, scopes to add).")
    resolution: ResolutionField
    next_cursor: str | None = Field(description="The next page's `cursor`; null when done.")
    data_as_of: str = Field(description="When Zoom was read (UTC).")
    freshness: FreshnessField
    coverage: CoverageField


async def get_fleet_health(
    ctx: Context,
    location_query: LocationQuery = None,
    include_devices: Annotated[
        bool,
        Field(description="Also check devices (one request per room not read lately). Default true."),
    ] = True,
    problem: Annotated[
        Problem | None,
        Field(
            description="Only this kind: offline (the room), device (a device offline), outdated (app behind the "
            "fleet's newest), dashboard (Zoom Dashboard issues). Omit for all."
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FleetHealth:
    """Health report for the fleet or one site: status counts and every room with a problem (offline,
    devices offline or outdated, Dashboard issues), worst first.

    Use for 'what needs attention in Seattle?'; `problem` lists one kind (e.g. 'outdated'). Unchecked rooms
    are `unknown`, never healthy; `coverage` and `notes` say what was checked. Reports progress. Next:
    get_room_details on a problem room, get_room_issues for its history.
    """
    service = app(ctx).service

    async def progress(done: int, total: int) -> None:
        await ctx.report_progress(done, total, f"Checked devices in {done} of {total} rooms")

    generation = service.state.generation
    with zoom_errors():
        where = await scope(service, location_query)
        if not where.resolved:
            assert where.resolution is not None
            return FleetHealth(
                summary=HealthSummary(total_rooms=0, by_status={}, rooms_with_problems=0, by_health={}),
                problem_rooms=[],
                sources=[],
                notes=[unresolved_message(where.resolution)],
                resolution=resolution_out(where.resolution),
                next_cursor=None,
                data_as_of=iso(where.tree.read_at) or "",
                freshness=NOTHING_READ,
                coverage=NO_ROOMS,
            )
        view = await service.view(where, devices=include_devices, progress=progress)
    tree = view.tree
    # The tally is a function of the view's rooms, devices, Dashboard rows, baseline and tree, all taken from
    # the fleet state: when the state did not change while scope and view were made, it is cached under its
    # generation (a sync write between two pages makes a new tally; the cursor's offset applies to it).
    key: TallyKey | None = None
    if service.state.generation == generation:
        key = (generation, where.location_ids, include_devices, problem)
    found = tally(view, problem, service, key)
    fingerprint = query_fingerprint("health", location_query, include_devices, problem)
    page, next_cursor = paginate(found.problem_rooms, limit, cursor, fingerprint)
    return FleetHealth(
        summary=HealthSummary(
            total_rooms=len(view.rooms),
            by_status=dict(found.by_status),
            rooms_with_problems=len(found.problem_rooms),
            by_health=dict(found.by_health),
        ),
        problem_rooms=[problem_room(room, assessment, tree) for room, assessment in page],
        sources=view.sources,
        notes=view.notes,
        resolution=resolution_out(where.resolution) if where.resolution is not None else None,
        next_cursor=next_cursor,
        data_as_of=iso(view.freshness.rooms_as_of or tree.read_at) or "",
        freshness=freshness_out(view.freshness),
        coverage=coverage_out(view.coverage),
    )


# --- the tally: every room assessed, the problem rooms in order; cached ----------------------------------

TallyKey = tuple[int, frozenset[str] | None, bool, Problem | None]
TALLIES = 16  # cached tallies per server (scopes × filters); each holds references, not copies
PRUNE_SLACK = 1_000  # assessments of deleted rooms kept before they are swept out


@dataclass(frozen=True, slots=True)
class Tally:
    problem_rooms: tuple[tuple[Room, Assessment], ...]  # of the kind asked, worst first
    by_status: dict[str, int]
    by_health: dict[str, int]


class HealthCache:
    """Per server: each room's last assessment with the inputs it was made from (so a change to the fleet
    re-assesses only the rooms it touched), and the last few tallies by (generation, scope, filters)."""

    def __init__(self) -> None:
        self.tallies: LruCache[TallyKey, Tally] = LruCache(TALLIES)
        self.assessed: dict[str, tuple[Room, tuple[Device, ...] | None, DashboardRow | None, Assessment]] = {}
        self.newest: dict[str, Version] = {}


_caches: PerService[HealthCache] = PerService(HealthCache)


def tally(view: FleetView, problem: Problem | None, service: FleetService, key: TallyKey | None) -> Tally:
    """Assess every room in the view (reusing assessments whose inputs are the very same objects) and
    list the problem rooms of the kind asked, critical first, then by location path and name."""
    cache = _caches(service)
    if key is not None:
        found = cache.tallies.get(key)
        if found is not None:
            return found
    if cache.newest != view.newest:  # a new fleet-wide baseline: every 'outdated' verdict may change
        cache.assessed.clear()
        cache.newest = dict(view.newest)
    assessed = cache.assessed
    if len(assessed) > len(service.state.rooms) + PRUNE_SLACK:  # rooms deleted since: forget theirs
        for room_id in [i for i in assessed if i not in service.state.rooms]:
            del assessed[room_id]
    devices_of, dashboard_of, newest, path = view.devices.get, view.dashboard.get, view.newest, view.tree.path
    ranked: list[tuple[tuple[int, str, str], Room, Assessment]] = []
    by_health: dict[str, int] = {}  # plain dicts count faster than Counter; first seen first, as Counter would
    by_status: dict[str, int] = {}
    for room in view.rooms:
        devices, dashboard = devices_of(room.id), dashboard_of(room.id)
        entry = assessed.get(room.id)
        if entry is not None and entry[0] is room and entry[1] is devices and entry[2] is dashboard:
            assessment = entry[3]
        else:
            assessment = assess_room(room, devices=devices, dashboard=dashboard, newest=newest)
            assessed[room.id] = (room, devices, dashboard, assessment)
        verdict = assessment.verdict
        by_health[verdict] = by_health.get(verdict, 0) + 1
        by_status[room.status] = by_status.get(room.status, 0) + 1
        if (
            assessment.problems
            and verdict in ("warning", "critical")
            and (problem is None or problem in assessment.kinds)
        ):
            ranked.append(((-assessment.severity, path(room.location_id) or "", room.name), room, assessment))
    ranked.sort(key=itemgetter(0))  # stable: equal keys keep the rooms' order
    found = Tally(
        problem_rooms=tuple((room, assessment) for _, room, assessment in ranked),
        by_status=by_status,
        by_health=by_health,
    )
    return cache.tallies.put(key, found) if key is not None else found


def problem_room(room: Room, assessment: Assessment, tree: TreeSnapshot) -> ProblemRoom:
    return ProblemRoom(
        id=room.id,
        name=room.name,
        status=room.status,
        room_type=room.room_type,
        location_path=tree.path(room.location_id),
        health=assessment.verdict,
        problems=assessment.problems,
    )
