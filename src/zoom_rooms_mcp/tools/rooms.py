"""Room tools: list and filter rooms (``get_zoom_rooms``) and inspect one room (``get_room_details``)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.fleet import Room, RoomLookupError, TreeSnapshot
from zoom_rooms_mcp.health import assess_room, newest_versions, normalise_dashboard_health
from zoom_rooms_mcp.locations.resolver import Resolution
from zoom_rooms_mcp.locations.text import fold
from zoom_rooms_mcp.policy import degraded_note
from zoom_rooms_mcp.tools.common import (
    NAME_LIMIT,
    Cursor,
    Limit,
    LocationQuery,
    ResolutionField,
    RoomRef,
    RoomRow,
    StatusFilter,
    app,
    check_room_type,
    location_path,
    paginate,
    query_fingerprint,
    resolution_out,
    resolve,
    room_row,
    room_types,
    unresolved_message,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.errors import ZoomError, clean, sanitize

T = TypeVar("T")
Match = Literal["id", "exact", "fuzzy"]


class RoomsResult(BaseModel):
    rooms: list[RoomRow] = Field(
        description="This page of matching rooms (capacity null until read), by location path then name."
    )
    total_count: int = Field(description="Rooms matching all filters, across all pages.")
    status_counts: dict[str, int] = Field(description="Matching rooms per status, across all pages.")
    status_counts_in_scope: dict[str, int] = Field(
        description="Rooms per status ignoring the `status` filter ('5 of 48 rooms are offline')."
    )
    resolution: ResolutionField
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null when done.")
    data_as_of: str = Field(description="When Zoom was read (UTC).")
    message: str = Field(description="Summary; what to do when nothing matched.")


class DeviceInfo(BaseModel):
    device_type: str = Field(description="Zoom Rooms Computer, Controller, Scheduling Display, …")
    status: str = Field(description="Online or Offline.")
    app_version: str | None = Field(description="Zoom Rooms app version on the device.")
    device_system: str | None = Field(description="Operating system.")
    device_model: str | None = Field(description="Hardware model.")
    device_manufacturer: str | None = Field(description="Hardware manufacturer.")
    ip_address: str | None = Field(description="Device IP address.")


class RoomDetails(BaseModel):
    id: str = Field(description="Zoom Room id.")
    room_id: str = Field(description="Dashboard room id.")
    name: str = Field(description="Room name.")
    match: Match = Field(description="How `room` was found: id, exact name, or a close (fuzzy) name.")
    status: str = Field(description="Available, InMeeting, Offline or UnderConstruction.")
    room_type: str | None = Field(description="ZoomRoom, Kiosk, …")
    capacity: int | None = Field(description="Seats.")
    location_id: str | None = Field(description="Location id.")
    location_path: str | None = Field(description="Full location path.")
    devices: list[DeviceInfo] | None = Field(
        description="Devices (type, status, app version, OS, model, IP); null if unreadable."
    )
    health: Literal["healthy", "warning", "critical", "unknown"] = Field(
        description="Verdict from status, devices and Zoom's dashboard."
    )
    dashboard_health: str | None = Field(description="The Zoom Dashboard's own health value.")
    issues: list[str] = Field(description="Current problems, worst first.")
    notes: list[str] = Field(description="What could not be read and why; a guessed name.")


# Room names repeat across calls (and fold() normalises Unicode): fold each distinct name once.
fold_name = functools.lru_cache(maxsize=65_536)(fold)


async def scoped_rooms(
    state: AppContext, location_query: str | None, room_type: str | None
) -> tuple[TreeSnapshot, Resolution | None, list[Room] | None, str]:
    """Rooms under the resolved location (None when the location could not be resolved) and their age."""
    fleet = state.fleet
    if location_query is None or not location_query.strip():
        snapshot, listing = await fleet.tree_and_rooms(room_type=room_type)
        return snapshot, None, listing.rooms, listing.as_of
    snapshot = await fleet.tree()
    resolution = resolve(snapshot, location_query)
    if resolution.status in ("ambiguous", "none"):
        return snapshot, resolution, None, snapshot.as_of
    ids = snapshot.tree.subtree_ids(loc.id for loc in resolution.locations)
    rooms = await fleet.rooms_in(ids, room_type=room_type, estimated_total=snapshot.estimated_rooms)
    return snapshot, resolution, rooms.rooms, rooms.as_of


async def find_room_or_explain(state: AppContext, room: str) -> tuple[Room, Match]:
    try:
        found = await state.fleet.find_room(room)
    except RoomLookupError as exc:
        if exc.candidates:
            names = ", ".join(
                f"'{sanitize(c.get('name'), 60)}' (id {sanitize(c.get('id'), 40)})" for c in exc.candidates[:5]
            )
            raise ToolError(
                f"No single room matches '{sanitize(room, 80)}'. Closest: {names}. Call again with one of these "
                "ids, or use get_zoom_rooms with name_query to search."
            ) from None
        raise ToolError(
            f"No room matches '{sanitize(room, 80)}'. Use get_zoom_rooms (optionally with name_query or "
            "location_query) to find the room's id or exact name."
        ) from None
    text = room.strip()
    if text in (found.get("id"), found.get("room_id")):
        return found, "id"
    return found, "exact" if fold(text) == fold(str(found.get("name", ""))) else "fuzzy"


async def get_zoom_rooms(
    ctx: Context,
    location_query: LocationQuery = None,
    status: StatusFilter = None,
    name_query: Annotated[
        str | None,
        Field(
            max_length=100,
            description="Only rooms whose name contains this text (case and accents ignored). Example: 'everest'.",
        ),
    ] = None,
    room_type: Annotated[
        str | None,
        Field(
            max_length=40,
            description="Only rooms of this Zoom type (any case): ZoomRoom, Kiosk, StandaloneWhiteboard, "
            "SchedulingDisplayOnly, DigitalSignageOnly or PersonalZoomRoom.",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RoomsResult:
    """List Zoom Rooms with their status and type, filtered by location (free text), status, name and type.

    Use this for 'which rooms in Seattle are offline?' or 'list the rooms on floor 3 of building 2 in
    Denver'. The location phrase is resolved against the account's real hierarchy and includes everything
    below it. `total_count` and `status_counts` cover all matches, not just this page; page with
    `next_cursor`. For counts per city use get_zoom_sites(level='city'). Next: get_room_details for one
    room, get_fleet_health for a problem report.
    """
    state = app(ctx)
    kind = check_room_type(room_type)
    with zoom_errors():
        snapshot, resolution, rooms, as_of = await scoped_rooms(state, location_query, kind)
        types = {} if kind is not None else await room_types(state.fleet)
    if rooms is None:
        assert resolution is not None
        return RoomsResult(
            rooms=[],
            total_count=0,
            status_counts={},
            status_counts_in_scope={},
            resolution=resolution_out(resolution),
            next_cursor=None,
            data_as_of=as_of,
            message=unresolved_message(resolution),
        )
    if name_query and name_query.strip():
        needle = fold(name_query)
        rooms = [r for r in rooms if needle in fold_name(str(r.get("name", "")))]
    in_scope = Counter(str(r.get("status", "")) for r in rooms)
    # Filter and sort the raw rows; build output models for the returned page only.
    matches = [r for r in rooms if status is None or r.get("status") == status]
    paths = snapshot.paths
    matches.sort(key=lambda r: (paths.get(str(r.get("location_id")), "~"), str(r.get("name", "")).casefold()))
    fingerprint = query_fingerprint("rooms", location_query, status, name_query, kind)
    rows, next_cursor = paginate(matches, limit, cursor, fingerprint)
    page = [room_row(r, snapshot, types if kind is None else {str(r.get("id")): kind}) for r in rows]
    where = f" in {resolution.locations[0].path}" if resolution and resolution.locations else ""
    message = f"{len(matches)} room(s){where}" + (f" with status {status}" if status else "")
    if not matches:
        message += ". Nothing matched; try fewer filters or check the name with get_zoom_rooms."
    return RoomsResult(
        rooms=page,
        total_count=len(matches),
        status_counts=dict(Counter(str(r.get("status", "")) for r in matches)),
        status_counts_in_scope=dict(in_scope),
        resolution=resolution_out(resolution) if resolution is not None else None,
        next_cursor=next_cursor,
        data_as_of=as_of,
        message=message + ("." if matches else ""),
    )


async def get_room_details(ctx: Context, room: RoomRef) -> RoomDetails:
    """Everything about one Zoom Room: status, type, capacity, location, devices (with app versions and
    IPs), an overall health verdict and the current problems.

    Use this for 'what is wrong with Everest?' or before troubleshooting a room. Accepts a room id or a
    name; `match` says whether the name was exact or a guess (fuzzy: say so to the user). Parts that need a
    scope the app lacks are left out and named in `notes`. Next: get_room_issues for its issue history.
    """
    state = app(ctx)
    with zoom_errors():
        found, match = await find_room_or_explain(state, room)
        snapshot = await state.fleet.tree()
    room_key = str(found.get("id", ""))
    dashboard_key = str(found.get("room_id") or room_key)
    notes: list[str] = []
    if match == "fuzzy":
        notes.append(f"No room is named '{sanitize(room, 80)}'; this is the closest name. Check it is the one meant.")
    profile: dict[str, Any] | None = None
    devices: list[dict[str, Any]] | None = None
    dashboard: dict[str, Any] | None = None

    async def read_profile() -> None:
        nonlocal profile
        profile = await optional(lambda: state.fleet.profile(room_key), "Room type and capacity", notes)

    async def read_devices() -> None:
        nonlocal devices
        devices = await optional(lambda: state.fleet.devices(room_key), "Devices", notes)

    async def read_dashboard() -> None:
        nonlocal dashboard
        rows = await optional(lambda: state.fleet.dashboard_rows([dashboard_key]), "Dashboard health", notes)
        dashboard = rows.get(dashboard_key) if rows is not None else None

    async with anyio.create_task_group() as tg:
        for reader in (read_profile, read_devices, read_dashboard):
            tg.start_soon(reader)
    basic = profile.get("basic", {}) if isinstance(profile, dict) else {}
    capacity = basic.get("capacity")
    assessment = assess_room(found, devices=devices, dashboard=dashboard, newest=newest_versions(devices or []))
    return RoomDetails(
        id=room_key,
        room_id=dashboard_key,
        name=clean(found.get("name", ""), NAME_LIMIT),
        match=match,
        status=str(found.get("status", "")),
        room_type=str(basic["zoom_room_type"]) if basic.get("zoom_room_type") else None,
        capacity=int(capacity) if isinstance(capacity, int | float) else None,
        location_id=str(found.get("location_id")) if found.get("location_id") else None,
        location_path=location_path(snapshot, found.get("location_id")),
        devices=[device_info(d) for d in devices] if devices is not None else None,
        health=assessment.verdict,
        dashboard_health=normalise_dashboard_health(dashboard.get("health")) if dashboard else None,
        issues=assessment.problems,
        notes=notes[:1] + sorted(set(notes[1:])) if match == "fuzzy" else sorted(set(notes)),
    )


def device_info(device: dict[str, Any]) -> DeviceInfo:
    def text(key: str) -> str | None:
        value = device.get(key)
        return clean(value, 120) if value not in (None, "") else None

    return DeviceInfo(
        device_type=text("device_type") or "Unknown",
        status=text("status") or "Unknown",
        app_version=text("app_version"),
        device_system=text("device_system"),
        device_model=text("device_model"),
        device_manufacturer=text("device_manufacturer"),
        ip_address=text("ip_address"),
    )


async def optional(read: Callable[[], Awaitable[T]], what: str, notes: list[str]) -> T | None:
    """Run one read; any Zoom failure becomes a note (worded by the error policy) instead of failing the tool."""
    try:
        return await read()
    except ZoomError as exc:
        notes.append(degraded_note(exc, what))
    return None
