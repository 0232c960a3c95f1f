"""``get_fleet_health``: a fleet or site health report, optionally for one kind of problem."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet.service import Source
from zoom_rooms_mcp.health import Problem, assess_room
from zoom_rooms_mcp.tools.common import (
    NO_ROOMS,
    NOTHING_READ,
    CoverageField,
    Cursor,
    FreshnessField,
    Limit,
    LocationQuery,
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
    problem_rooms: list[tuple[int, ProblemRoom]] = []
    by_health: Counter[str] = Counter()
    for room in view.rooms:
        assessment = assess_room(
            room, devices=view.devices.get(room.id), dashboard=view.dashboard.get(room.id), newest=view.newest
        )
        by_health[assessment.verdict] += 1
        wanted = problem is None or problem in assessment.kinds
        if wanted and assessment.problems and assessment.verdict in ("warning", "critical"):
            problem_rooms.append(
                (
                    assessment.severity,
                    ProblemRoom(
                        id=room.id,
                        name=room.name,
                        status=room.status,
                        room_type=room.room_type,
                        location_path=tree.path(room.location_id),
                        health=assessment.verdict,
                        problems=assessment.problems,
                    ),
                )
            )
    problem_rooms.sort(key=lambda item: (-item[0], item[1].location_path or "", item[1].name))
    ordered = [p for _, p in problem_rooms]
    fingerprint = query_fingerprint("health", location_query, include_devices, problem)
    page, next_cursor = paginate(ordered, limit, cursor, fingerprint)
    return FleetHealth(
        summary=HealthSummary(
            total_rooms=len(view.rooms),
            by_status=dict(Counter(r.status for r in view.rooms)),
            rooms_with_problems=len(ordered),
            by_health=dict(by_health),
        ),
        problem_rooms=page,
        sources=view.sources,
        notes=view.notes,
        resolution=resolution_out(where.resolution) if where.resolution is not None else None,
        next_cursor=next_cursor,
        data_as_of=iso(view.freshness.rooms_as_of or tree.read_at) or "",
        freshness=freshness_out(view.freshness),
        coverage=coverage_out(view.coverage),
    )
