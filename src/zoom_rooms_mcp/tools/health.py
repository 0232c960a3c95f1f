"""``get_fleet_health``: a fleet or site health report, optionally for one kind of problem."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet import DashboardTooLargeError, Room, gather
from zoom_rooms_mcp.health import Problem, assess_room, newest_versions
from zoom_rooms_mcp.policy import degraded_note
from zoom_rooms_mcp.tools.common import (
    NAME_LIMIT,
    Cursor,
    Limit,
    LocationQuery,
    ResolutionField,
    app,
    location_path,
    paginate,
    query_fingerprint,
    resolution_out,
    room_types,
    unresolved_message,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.tools.rooms import scoped_rooms
from zoom_rooms_mcp.zoom.errors import ZoomError, clean

MAX_DEVICE_CHECKS = 500
Source = Literal["rooms", "devices", "dashboard"]


class HealthSummary(BaseModel):
    total_rooms: int = Field(description="Rooms in scope.")
    by_status: dict[str, int] = Field(description="Rooms per status (Available, InMeeting, Offline, …).")
    rooms_with_problems: int = Field(description="Rooms with at least one problem (of the requested kind).")
    by_health: dict[str, int] = Field(
        description="Rooms per verdict: healthy, warning, critical, or unknown (neither devices nor dashboard "
        "were checked, so nothing says the room is fine)."
    )


class ProblemRoom(BaseModel):
    id: str = Field(description="Zoom Room id (use with get_room_details).")
    name: str = Field(description="Room name.")
    status: str = Field(description="Room status.")
    room_type: str | None = Field(description="ZoomRoom, Kiosk, SchedulingDisplayOnly, …")
    location_path: str | None = Field(description="Full location path.")
    health: Literal["warning", "critical"] = Field(description="Severity.")
    problems: list[str] = Field(description="What is wrong, most important first.")


class FleetHealth(BaseModel):
    summary: HealthSummary = Field(
        description="Totals over every room in scope; by_health counts unchecked rooms as unknown."
    )
    problem_rooms: list[ProblemRoom] = Field(description="This page of rooms with problems, critical first.")
    sources: list[Source] = Field(description="Data used.")
    notes: list[str] = Field(description="Limits of this report (skipped sources, scopes to add).")
    resolution: ResolutionField
    next_cursor: str | None = Field(description="Pass as `cursor` for more problem rooms; null when done.")
    data_as_of: str = Field(description="When Zoom was read (UTC).")


async def get_fleet_health(
    ctx: Context,
    location_query: LocationQuery = None,
    include_devices: Annotated[
        bool,
        Field(
            description="Also check every room's devices (one Zoom request per room, paced under the rate "
            "limit; slower for large scopes). Default true."
        ),
    ] = True,
    problem: Annotated[
        Problem | None,
        Field(
            description="Only rooms with this kind of problem: offline (the room), device (a device offline), "
            "outdated (an app version behind the fleet's newest) or dashboard (Zoom Dashboard issues). "
            "Omit for every problem."
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FleetHealth:
    """Health report for the whole fleet or one site: room status counts plus every room with a problem
    (offline, offline or outdated devices, dashboard warnings), worst first.

    Use this for 'give me a health report for the Munich campus' or 'what needs attention in Seattle?';
    `problem` lists one kind only (e.g. problem='outdated'). Combines room status, device status and, when
    the plan and scopes allow, Zoom's dashboard; `sources` and `notes` say what was used, and rooms nothing
    checked count as `unknown`, never healthy. Reports progress while it checks devices. Next:
    get_room_details on a problem room, get_room_issues for its history.
    """
    state = app(ctx)
    fleet = state.fleet
    with zoom_errors():
        snapshot, resolution, rooms, as_of = await scoped_rooms(state, location_query, None)
        types = await room_types(fleet) if rooms else {}
    if rooms is None:
        assert resolution is not None
        return FleetHealth(
            summary=HealthSummary(total_rooms=0, by_status={}, rooms_with_problems=0, by_health={}),
            problem_rooms=[],
            sources=[],
            notes=[unresolved_message(resolution)],
            resolution=resolution_out(resolution),
            next_cursor=None,
            data_as_of=as_of,
        )
    notes: list[str] = []
    sources: list[Source] = ["rooms"]
    active = [r for r in rooms if r.get("status") != "UnderConstruction"]

    dashboard: dict[str, dict[str, Any]] | None = None
    try:
        dashboard = await fleet.dashboard_rows([str(r.get("room_id") or r.get("id")) for r in active])
        sources.append("dashboard")
    except ZoomError as exc:  # status and devices still tell a lot without the dashboard
        notes.append(degraded_note(exc, "Dashboard health"))
    except DashboardTooLargeError as exc:
        notes.append(
            f"Dashboard health not shown: it would take {exc.pages} dashboard list requests, and Zoom allows "
            "only 10-20 per minute. Narrow location_query to 100 rooms or fewer to include it."
        )

    devices: dict[str, list[dict[str, Any]]] = {}
    if include_devices and active:
        checked = active[:MAX_DEVICE_CHECKS]
        if len(active) > MAX_DEVICE_CHECKS:
            notes.append(
                f"Devices were checked for the first {MAX_DEVICE_CHECKS} of {len(active)} rooms; narrow "
                "location_query for a complete device check."
            )
        devices, device_note = await check_devices(ctx, checked)
        if device_note:
            notes.append(device_note)
        if devices:
            sources.append("devices")

    newest = newest_versions(d for ds in devices.values() for d in ds)
    problem_rooms: list[tuple[int, ProblemRoom]] = []
    by_health: Counter[str] = Counter()
    for room in rooms:
        key = str(room.get("id"))
        row = dashboard.get(str(room.get("room_id") or key)) if dashboard is not None else None
        assessment = assess_room(room, devices=devices.get(key), dashboard=row, newest=newest)
        by_health[assessment.verdict] += 1
        wanted = problem is None or problem in assessment.kinds
        if wanted and assessment.problems and assessment.verdict in ("warning", "critical"):
            problem_rooms.append(
                (
                    assessment.severity,
                    ProblemRoom(
                        id=key,
                        name=clean(room.get("name", ""), NAME_LIMIT),
                        status=str(room.get("status", "")),
                        room_type=types.get(key, "ZoomRoom"),
                        location_path=location_path(snapshot, room.get("location_id")),
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
            total_rooms=len(rooms),
            by_status=dict(Counter(str(r.get("status", "")) for r in rooms)),
            rooms_with_problems=len(ordered),
            by_health=dict(by_health),
        ),
        problem_rooms=page,
        sources=sources,
        notes=notes,
        resolution=resolution_out(resolution) if resolution is not None else None,
        next_cursor=next_cursor,
        data_as_of=as_of,
    )


async def check_devices(ctx: Context, rooms: list[Room]) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
    """Read each room's devices with bounded concurrency, reporting MCP progress as rooms complete.

    A room whose read fails is left out (and counted in the note); the others keep their data.
    """
    fleet = app(ctx).fleet
    results: dict[str, list[dict[str, Any]]] = {}
    failures: list[ZoomError] = []
    total = len(rooms)
    await ctx.report_progress(0, total, f"Checking devices in {total} rooms")

    async def one(room_id: str) -> None:
        try:
            results[room_id] = await fleet.devices(room_id)
        except ZoomError as exc:
            failures.append(exc)
        done = len(results) + len(failures)
        if done == total or done % 10 == 0:
            await ctx.report_progress(done, total, f"Checked devices in {done} of {total} rooms")

    await gather(one, [str(r.get("id")) for r in rooms])
    if not failures:
        return results, None
    if not results:
        return results, degraded_note(failures[0], "Devices")
    return results, f"Devices of {len(failures)} room(s) not shown: {degraded_note(failures[0], 'Devices')}"
