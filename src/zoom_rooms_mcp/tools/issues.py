"""Issue tools: a room's Zoom Dashboard issue history (``get_room_issues``)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.policy import scope_names
from zoom_rooms_mcp.tools.common import (
    NAME_LIMIT,
    Cursor,
    Limit,
    RoomRef,
    app,
    location_path,
    paginate,
    query_fingerprint,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.tools.rooms import find_room_or_explain
from zoom_rooms_mcp.zoom.errors import ZoomScopeError, clean


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
    issue_counts: dict[str, int] = Field(description="Events per issue over the period.")
    next_cursor: str | None = Field(description="Pass as `cursor` for older events; null when done.")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


async def get_room_issues(
    ctx: Context,
    room: RoomRef,
    days: Annotated[int, Field(ge=1, le=30, description="How many days back to look (1-30). Default 7.")] = 7,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RoomIssues:
    """A room's Zoom Dashboard issue history: each event (device disconnected, room offline, high CPU, …)
    with its time, newest first, plus counts per issue.

    Use this to see whether one room's problem is new or recurring, e.g. 'how often did Everest go offline
    this week?'. Needs the Dashboard (Business plan or higher) and a dashboard scope; the error says which.
    Next: get_room_details for the room's current state.
    """
    state = app(ctx)
    with zoom_errors():
        found, _ = await find_room_or_explain(state, room)
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
                f"Reading the room's issue history needs a Dashboard scope the app lacks: {scope_names(cause)}. "
                "Add it in the Zoom Marketplace (Manage → your Server-to-Server OAuth app → Scopes). Meanwhile "
                "get_room_details shows the current state."
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
