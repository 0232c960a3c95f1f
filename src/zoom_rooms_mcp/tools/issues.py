"""Issue tools: a room's Zoom Dashboard issue history (``get_room_issues``)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.policy import scope_names
from zoom_rooms_mcp.tools.common import Cursor, Limit, RoomRef, app, paginate, query_fingerprint
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.tools.rooms import find_room_or_explain
from zoom_rooms_mcp.zoom.errors import ZoomScopeError


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
    issues: list[IssueEvent] = Field(description="This page, newest first.")
    total_count: int = Field(description="Events in the period.")
    issue_counts: dict[str, int] = Field(description="Events per issue.")
    next_cursor: str | None = Field(description="The next (older) page's `cursor`; null when done.")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


async def get_room_issues(
    ctx: Context,
    room: RoomRef,
    days: Annotated[int, Field(ge=1, le=30, description="How many days back to look (1-30). Default 7.")] = 7,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RoomIssues:
    """A room's Zoom Dashboard issue history: each event (device disconnected, room offline, high CPU, …)
    newest first, with counts per issue.

    Use to tell a new problem from a recurring one ('how often did Everest go offline this week?'). Needs
    the Dashboard (Business plan or higher) and a dashboard scope. Next: get_room_details for its state now.
    """
    service = app(ctx).service
    with zoom_errors():
        found = (await find_room_or_explain(service, room)).room
        tree = await service.tree()
    start, end = service.window(days)
    try:
        with zoom_errors():
            events = await service.issue_history(found, start, end)
    except ToolError as exc:
        cause = exc.__cause__
        if isinstance(cause, ZoomScopeError):
            raise ToolError(
                f"Reading the room's issue history needs a Dashboard scope the app lacks: {scope_names(cause)}. "
                "Add it in the Zoom Marketplace (Manage → your Server-to-Server OAuth app → Scopes). Meanwhile "
                "get_room_details shows the current state."
            ) from None
        raise
    parsed = sorted((IssueEvent(issue=e.issue, time=e.time) for e in events), key=lambda e: e.time, reverse=True)
    fingerprint = query_fingerprint("issues", found.dashboard_id, days, start.isoformat())
    page, next_cursor = paginate(parsed, limit, cursor, fingerprint)
    return RoomIssues(
        room=IssueRoom(
            id=found.id, room_id=found.dashboard_id, name=found.name, location_path=tree.path(found.location_id)
        ),
        from_=start.isoformat(),
        to=end.isoformat(),
        issues=page,
        total_count=len(parsed),
        issue_counts=dict(Counter(e.issue for e in parsed).most_common()),
        next_cursor=next_cursor,
    )
