"""Health tools: a fleet or site health report (``get_fleet_health``) and a room's issue history."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet import DashboardTooLargeError, Room, gather
from zoom_rooms_mcp.health import assess_room, newest_versions
from zoom_rooms_mcp.locations.resolver import Resolution
from zoom_rooms_mcp.tools.common import (
    READ_ONLY,
    Cursor,
    Limit,
    LocationQuery,
    RoomRef,
    app,
    paginate,
    query_fingerprint,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.tools.rooms import (
    NAME_LIMIT,
    find_room_or_explain,
    location_path,
    scope_list,
    scoped_rooms,
    unresolved_message,
)
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS
from zoom_rooms_mcp.zoom.errors import ZoomError, ZoomPlanError, ZoomScopeError, clean

MAX_DEVICE_CHECKS = 500
Source = Literal["rooms", "devices", "dashboard"]


class HealthSummary(BaseModel):
    total_rooms: int = Field(description="Rooms in scope.")
    by_status: dict[str, int] = Field(description="Rooms per status (Available, InMeeting, Offline, …).")
    rooms_with_problems: int = Field(description="Rooms with at least one problem.")
    by_health: dict[str, int] = Field(description="Rooms per verdict: healthy, warning, critical, unknown.")


class ProblemRoom(BaseModel):
    id: str = Field(description="Zoom Room id (use with get_room_details).")
    name: str = Field(description="Room name.")
    location_path: str | None = Field(description="Full location path.")
    status: str = Field(description="Room status.")
    health: Literal["warning", "critical"] = Field(description="Severity.")
    problems: list[str] = Field(description="What is wrong, most important first.")


class FleetHealth(BaseModel):
    summary: HealthSummary = Field(description="Totals over every room in scope.")
    problem_rooms: list[ProblemRoom] = Field(description="This page of rooms with problems, critical first.")
    sources: list[Source] = Field(description="Data used: rooms (status), devices, dashboard.")
    notes: list[str] = Field(description="Limits of this report (skipped sources, scopes to add).")
    resolution: Resolution | None = Field(description="How location_query was understood; null without one.")
    next_cursor: str | None = Field(description="Pass as `cursor` for more problem rooms; null when done.")
    data_as_of: str = Field(description="When room statuses were read from Zoom (UTC, ISO 8601).")


class IssueRoom(BaseModel):
    id: str = Field(description="Zoom Room id.")
    room_id: str = Field(description="Dashboard room id.")
    name: str = Field(description="Room name.")
    location_path: str | None = Field(description="Full location path.")


class IssueEvent(BaseModel):
    issue: str = Field(description="What happened, e.g. 'Zoom room is offline', 'Room Controller disconnected'.")
    time: str = Field(description="When (UTC, ISO 8601).")


class RoomIssues(BaseModel):
    room: IssueRoom = Field(description="The room.")
    from_: str = Field(alias="from", serialization_alias="from", description="First day covered (YYYY-MM-DD).")
    to: str = Field(description="Last day covered (YYYY-MM-DD).")
    issues: list[IssueEvent] = Field(description="This page of issue events, newest first.")
    total_count: int = Field(description="Issue events in the whole period.")
    issue_counts: dict[str, int] = Field(description="Events per issue name over the whole period.")
    next_cursor: str | None = Field(description="Pass as `cursor` for older events; null when done.")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


def register(server: MCPServer) -> None:
    @server.tool(title="Fleet health report", annotations=READ_ONLY)
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
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> FleetHealth:
        """Health report for the whole fleet or one site: room status counts plus every room with a problem
        (offline, offline or outdated devices, dashboard warnings), worst first.

        Use this for 'give me a health report for the Munich campus' or 'what needs attention in Seattle?'.
        Combines room status, device status and, when the plan and scopes allow, Zoom's dashboard; `sources`
        and `notes` say what was used. Reports progress while it checks devices. Next: get_room_details on a
        problem room, get_room_issues for its history.
        """
        state = app(ctx)
        fleet = state.fleet
        with zoom_errors():
            snapshot, resolution, rooms, as_of = await scoped_rooms(state, location_query, None)
        if rooms is None:
            assert resolution is not None
            return FleetHealth(
                summary=HealthSummary(total_rooms=0, by_status={}, rooms_with_problems=0, by_health={}),
                problem_rooms=[],
                sources=[],
                notes=[unresolved_message(resolution)],
                resolution=resolution,
                next_cursor=None,
                data_as_of=as_of,
            )
        notes: list[str] = []
        sources: list[Source] = ["rooms"]
        active = [r for r in rooms if r.get("status") != "UnderConstruction"]

        dashboard: dict[str, dict[str, Any]] | None = None
        try:
            with zoom_errors():
                try:
                    dashboard = await fleet.dashboard_rows([str(r.get("room_id") or r.get("id")) for r in active])
                    sources.append("dashboard")
                except ZoomScopeError as exc:
                    endpoint = ENDPOINTS["dashboard_rooms"]
                    notes.append(f"Dashboard health skipped: add {scope_list(exc, endpoint)} to the app.")
                except ZoomPlanError:
                    notes.append("Dashboard health skipped: the account's plan has no Zoom Dashboard (Business+).")
                except DashboardTooLargeError as exc:
                    notes.append(
                        f"Dashboard health skipped: it would take {exc.pages} dashboard list requests, and Zoom allows "
                        "only 10-20 per minute. Narrow location_query to 100 rooms or fewer to include it."
                    )
        except ToolError as exc:  # other dashboard failures degrade too; status and devices still tell a lot
            notes.append(f"Dashboard health skipped: {exc}")

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
            if assessment.problems and assessment.verdict in ("warning", "critical"):
                problem_rooms.append(
                    (
                        assessment.severity,
                        ProblemRoom(
                            id=key,
                            name=clean(room.get("name", ""), NAME_LIMIT),
                            location_path=location_path(snapshot, room.get("location_id")),
                            status=str(room.get("status", "")),
                            health=assessment.verdict,
                            problems=assessment.problems,
                        ),
                    )
                )
        problem_rooms.sort(key=lambda item: (-item[0], item[1].location_path or "", item[1].name))
        ordered = [p for _, p in problem_rooms]
        fingerprint = query_fingerprint("health", location_query, include_devices)
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
            resolution=resolution,
            next_cursor=next_cursor,
            data_as_of=as_of,
        )

    @server.tool(title="Room issue history", annotations=READ_ONLY)
    async def get_room_issues(
        ctx: Context,
        room: RoomRef,
        days: Annotated[int, Field(ge=1, le=30, description="How many days back to look (1-30). Default 7.")] = 7,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> RoomIssues:
        """A room's Zoom Dashboard issue history: each event (device disconnected, room offline, high CPU, …)
        with its time, newest first, plus counts per issue.

        Use this to see whether a problem is new or recurring, e.g. 'how often did Everest go offline this
        week?'. Needs the Dashboard (Business plan or higher) and a dashboard scope; the error says which.
        Next: get_room_details for the room's current state.
        """
        state = app(ctx)
        with zoom_errors():
            found = await find_room_or_explain(state, room)
            snapshot = await state.fleet.tree()
        dashboard_id = str(found.get("room_id") or found.get("id"))
        end = datetime.now(UTC).date()
        start = end - timedelta(days=days - 1)
        try:
            with zoom_errors():
                events = await state.fleet.issue_history(dashboard_id, start, end)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ZoomScopeError):
                raise ToolError(
                    "Reading the room's issue history needs a Dashboard scope the app lacks: "
                    f"{scope_list(cause, ENDPOINTS['dashboard_room_issues'])}. "
                    "Add it in the Zoom Marketplace (Manage → "
                    "your Server-to-Server OAuth app → Scopes). Meanwhile get_room_details shows the current state."
                ) from None
            raise
        parsed = sorted(
            (IssueEvent(issue=clean(e.get("issue", ""), 200), time=str(e.get("time", ""))) for e in events),
            key=lambda e: e.time,
            reverse=True,
        )
        fingerprint = query_fingerprint("issues", dashboard_id, days, start.isoformat())
        page, next_cursor = paginate(parsed, limit, cursor, fingerprint)
        return RoomIssues(
            room=IssueRoom(
                id=str(found.get("id", "")),
                room_id=dashboard_id,
                name=clean(found.get("name", ""), NAME_LIMIT),
                location_path=location_path(snapshot, found.get("location_id")),
            ),
            from_=start.isoformat(),
            to=end.isoformat(),
            issues=page,
            total_count=len(parsed),
            issue_counts=dict(Counter(e.issue for e in parsed).most_common()),
            next_cursor=next_cursor,
        )


async def check_devices(ctx: Context, rooms: list[Room]) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
    """Read each room's devices with bounded concurrency, reporting MCP progress as rooms complete."""
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
    scope_error = next((f for f in failures if isinstance(f, ZoomScopeError)), None)
    if scope_error is not None:
        return results, f"Device checks skipped: add {scope_list(scope_error, ENDPOINTS['list_devices'])} to the app."
    return results, f"Devices of {len(failures)} room(s) could not be read ({failures[0].message})"
