"""Alert tool: what broke or recovered lately, from the fleet store's event log (``get_room_alerts``).

The log is written by whoever sees a change (the background sync, a tool's on-demand read, a Zoom
webhook), so this tool only reads it. Before reading it refreshes the room listing when that is older
than its target, which turns any status change since the last listing into an event first.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, BeforeValidator, Field

from zoom_rooms_mcp.fleet.lookup import RoomLookupError, RoomMatch
from zoom_rooms_mcp.fleet.service import FleetService
from zoom_rooms_mcp.store.api import EventQuery, Severity
from zoom_rooms_mcp.tools.common import (
    NOTHING_READ,
    Cursor,
    FreshnessField,
    FreshnessOut,
    Limit,
    LocationQuery,
    ResolutionField,
    app,
    iso,
    query_fingerprint,
    resolution_out,
    scope,
    unresolved_message,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.errors import clean, sanitize
from zoom_rooms_mcp.zoom.records import Room

MAX_MINUTES = 30 * 24 * 60  # the event log keeps 30 days


def lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


class Alert(BaseModel):
    time: str = Field(description="When it happened or was seen (UTC).")
    room_id: str | None = Field(description="Zoom Room id (as in get_zoom_rooms); null for a location event.")
    room_name: str = Field(description="Room name.")
    location_path: str | None = Field(description="Full location path.")
    kind: str = Field(description="room_offline, room_online, device_disconnected, issue_raised, …")
    severity: Severity = Field(description="critical, warning or info (recoveries are info).")
    message: str = Field(description="What happened.")
    source: Literal["webhook", "sync"] = Field(description="Zoom webhook, or a change seen when Zoom was read.")


class RoomAlerts(BaseModel):
    events: list[Alert] = Field(description="Newest first.")
    total_count: int = Field(description="All matches.")
    counts_by_kind: dict[str, int] = Field(description="All matches per kind.")
    resolution: ResolutionField
    freshness: FreshnessField
    notes: list[str] = Field(description="Guessed room name; log gaps.")
    next_cursor: str | None = Field(description="Pass as `cursor` for older events; null when done.")


async def get_room_alerts(
    ctx: Context,
    location_query: LocationQuery = None,
    room: Annotated[
        str | None,
        Field(min_length=1, max_length=200, description="Only this room (id or name)."),
    ] = None,
    since_minutes: Annotated[int, Field(ge=1, le=MAX_MINUTES, description="Minutes back (1-43200).")] = 60,
    severity: Annotated[
        Severity | None,
        BeforeValidator(lower),
        Field(description="Only this severity."),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RoomAlerts:
    """What broke or recovered lately, newest first: rooms offline/online, devices disconnected/reconnected,
    Dashboard issues raised/cleared, rooms added/moved/removed. Next: get_room_details for a room,
    get_top_issues for the week.
    """
    state = app(ctx)
    service = state.service
    notes: list[str] = []
    fingerprint = query_fingerprint("alerts", location_query, room, since_minutes, severity)
    offset, until = decode_cursor(cursor, fingerprint) if cursor else (0, service.now())
    since = until - since_minutes * 60
    with zoom_errors():
        where = await scope(service, location_query)
        if not where.resolved:
            assert where.resolution is not None
            return RoomAlerts(
                events=[],
                total_count=0,
                counts_by_kind={},
                resolution=resolution_out(where.resolution),
                freshness=NOTHING_READ,
                notes=[unresolved_message(where.resolution)],
                next_cursor=None,
            )
        rooms = await service.rooms(where)  # a listing older than its target is read now: changes become events
        found = await find_or_explain(service, room) if room is not None else None
    room_ids: frozenset[str] | None = None
    if found is not None:
        room_ids = frozenset({found.room.id})
        rooms = [found.room]
        if found.match == "fuzzy":
            notes.append(
                f"No room is named '{sanitize(room, 80)}'; these are the alerts of '{clean(found.room.name, 80)}', "
                "the closest name. Check it is the one meant."
            )
    page = await service.events(
        EventQuery(
            since=since,
            until=until,
            room_ids=room_ids,
            location_ids=where.location_ids,
            severity=severity,
            limit=limit,
            offset=offset,
        )
    )
    end = offset + len(page.events)
    if not state.sync.enabled:
        notes.append(
            "The background sync is off: the log holds only changes seen by tool calls and Zoom webhooks, so it "
            "may miss some; `freshness` says when each source was last read."
        )
    return RoomAlerts(
        events=[
            Alert(
                time=iso(e.time) or "",
                room_id=e.room_id,
                room_name=clean(e.room_name, 200),
                location_path=where.tree.path(e.location_id),
                kind=e.kind,
                severity=e.severity,
                message=clean(e.message, 300),
                source=e.source,
            )
            for e in page.events
        ],
        total_count=page.total,
        counts_by_kind=dict(sorted(page.counts_by_kind.items(), key=lambda item: (-item[1], item[0]))),
        resolution=resolution_out(where.resolution) if where.resolution is not None else None,
        freshness=freshness(service, rooms),
        notes=notes,
        next_cursor=encode_cursor(end, until, fingerprint) if end < page.total else None,
    )


def freshness(service: FleetService, rooms: list[Room]) -> FreshnessOut:
    """Up to when the log is complete for these rooms: the oldest reading of each source among them."""
    state = service.state
    return FreshnessOut(
        rooms_as_of=iso(state.rooms_read_at),
        devices_as_of=iso(min((state.devices[r.id].read_at for r in rooms if r.id in state.devices), default=None)),
        dashboard_as_of=iso(
            min((state.dashboard[r.id].read_at for r in rooms if r.id in state.dashboard), default=None)
        ),
    )


async def find_or_explain(service: FleetService, query: str) -> RoomMatch:
    try:
        return await service.find_room(query)
    except RoomLookupError as exc:
        if exc.candidates:
            names = ", ".join(f"'{clean(c.name, 60)}' (id {sanitize(c.id, 40)})" for c in exc.candidates[:5])
            raise ToolError(
                f"No single room matches '{sanitize(query, 80)}'. Closest: {names}. Call again with one of these ids."
            ) from None
        raise ToolError(
            f"No room matches '{sanitize(query, 80)}'. Use get_zoom_rooms (name_query or location_query) to find it."
        ) from None


# The cursor pins the window's end (``until``): events logged after the first page never shift later pages.
def encode_cursor(offset: int, until: float, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "u": until, "q": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> tuple[int, float]:
    invalid = ToolError("The cursor is not valid. Omit `cursor` to start from the first page.")
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, until, belongs = data["o"], data["u"], data["q"] == fingerprint
    except (ValueError, KeyError, TypeError):
        raise invalid from None
    if not isinstance(offset, int) or offset < 0 or not isinstance(until, int | float):
        raise invalid
    if not belongs:
        raise ToolError(
            "The cursor belongs to a call with different arguments. Repeat the same arguments with the cursor, "
            "or omit `cursor` to start over."
        )
    return offset, float(until)
