"""Room tools: list and filter rooms (``get_zoom_rooms``) and inspect one room (``get_room_details``)."""

from __future__ import annotations

import functools
from collections import Counter
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.fleet import Room, RoomLookupError, TreeSnapshot
from zoom_rooms_mcp.health import assess_room, newest_versions, normalise_dashboard_health
from zoom_rooms_mcp.locations.resolver import Resolution
from zoom_rooms_mcp.locations.text import fold
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
from zoom_rooms_mcp.tools.errors import describe, zoom_errors
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS, Endpoint
from zoom_rooms_mcp.zoom.errors import (
    ZoomError,
    ZoomNotFoundError,
    ZoomPlanError,
    ZoomScopeError,
    clean,
    sanitize,
)

RoomStatus = Literal["Available", "InMeeting", "Offline", "UnderConstruction"]
ROOM_TYPES = (
    "ZoomRoom",
    "Kiosk",
    "StandaloneWhiteboard",
    "SchedulingDisplayOnly",
    "DigitalSignageOnly",
    "PersonalZoomRoom",
)
NAME_LIMIT = 200


class RoomSummary(BaseModel):
    id: str = Field(description="Zoom Room id (use with get_room_details).")
    room_id: str = Field(description="Dashboard room id (Zoom uses it for dashboard data).")
    name: str = Field(description="Room name.")
    status: str = Field(description="Available, InMeeting, Offline or UnderConstruction.")
    location_id: str | None = Field(description="Id of the location the room is assigned to.")
    location_path: str | None = Field(description="Full path of that location, e.g. 'United States > … > Floor 3'.")


class RoomsResult(BaseModel):
    rooms: list[RoomSummary] = Field(description="This page of matching rooms, sorted by location path then name.")
    total_count: int = Field(description="Number of rooms matching all filters, across all pages.")
    status_counts: dict[str, int] = Field(description="Matching rooms per status, across all pages.")
    status_counts_in_scope: dict[str, int] = Field(
        description="Rooms per status for the location/name/type filters ignoring `status`, e.g. to report "
        "'5 of 48 rooms are offline'."
    )
    resolution: Resolution | None = Field(
        description="How location_query was understood; null without one. If status is 'ambiguous' or 'none', "
        "no rooms are returned: ask the user or retry with a candidate's path."
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null when done.")
    data_as_of: str = Field(description="When the room statuses were read from Zoom (UTC, ISO 8601).")
    message: str = Field(description="Short summary, including what to do when nothing matched.")


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
    status: str = Field(description="Available, InMeeting, Offline or UnderConstruction.")
    room_type: str | None = Field(description="ZoomRoom, Kiosk, StandaloneWhiteboard, …; null if unreadable.")
    capacity: int | None = Field(description="Seats; null if unknown.")
    location_id: str | None = Field(description="Location id.")
    location_path: str | None = Field(description="Full location path.")
    devices: list[DeviceInfo] | None = Field(description="Devices in the room; null if they could not be read.")
    health: Literal["healthy", "warning", "critical", "unknown"] = Field(
        description="Overall verdict from status, devices and (when available) Zoom's dashboard."
    )
    dashboard_health: str | None = Field(description="Zoom dashboard's own health value; null if unavailable.")
    issues: list[str] = Field(description="Current problems, most important first. Empty when healthy.")
    notes: list[str] = Field(description="What could not be read and why (e.g. a missing scope to add).")


def location_path(snapshot: TreeSnapshot, location_id: object) -> str | None:
    return snapshot.paths.get(str(location_id)) if location_id else None


# Room names repeat across calls (and fold() normalises Unicode): fold each distinct name once.
fold_name = functools.lru_cache(maxsize=65_536)(fold)


def summarise(room: Room, snapshot: TreeSnapshot) -> RoomSummary:
    return RoomSummary(
        id=str(room.get("id", "")),
        room_id=str(room.get("room_id") or room.get("id", "")),
        name=clean(room.get("name", ""), NAME_LIMIT),
        status=str(room.get("status", "")),
        location_id=str(room["location_id"]) if room.get("location_id") else None,
        location_path=location_path(snapshot, room.get("location_id")),
    )


def check_room_type(room_type: str | None) -> str | None:
    if room_type is None or not room_type.strip():
        return None
    wanted = room_type.strip().replace(" ", "").lower()
    for known in ROOM_TYPES:
        if known.lower() == wanted:
            return known
    raise ToolError(f"Unknown room_type {sanitize(room_type, 40)!r}. Use one of: {', '.join(ROOM_TYPES)}.")


async def scoped_rooms(
    state: AppContext, location_query: str | None, room_type: str | None
) -> tuple[TreeSnapshot, Resolution | None, list[Room] | None, str]:
    """Rooms under the resolved location (None when the location could not be resolved) and their age."""
    fleet = state.fleet
    if location_query is None or not location_query.strip():
        snapshot, listing = await fleet.tree_and_rooms(room_type=room_type)
        return snapshot, None, listing.rooms, listing.as_of
    snapshot = await fleet.tree()
    resolution = snapshot.resolver.resolve(location_query)
    if resolution.status in ("ambiguous", "none"):
        return snapshot, resolution, None, snapshot.as_of
    ids = snapshot.tree.subtree_ids(loc.id for loc in resolution.locations)
    rooms = await fleet.rooms_in(ids, room_type=room_type, estimated_total=snapshot.estimated_rooms)
    return snapshot, resolution, rooms.rooms, rooms.as_of


def unresolved_message(resolution: Resolution) -> str:
    if resolution.status == "ambiguous":
        options = "; ".join(c.path for c in resolution.candidates[:5])
        return (
            f"'{sanitize(resolution.query, 80)}' matches several places: {options}. Ask the user which one, "
            "or call again with more of the path (e.g. the city)."
        )
    if resolution.candidates:
        options = "; ".join(c.path for c in resolution.candidates[:5])
        return f"No location matches '{sanitize(resolution.query, 80)}'. Closest: {options}."
    return f"No location matches '{sanitize(resolution.query, 80)}'. Call get_zoom_sites to see the locations."


async def find_room_or_explain(state: AppContext, room: str) -> Room:
    try:
        return await state.fleet.find_room(room)
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


def register(server: MCPServer) -> None:
    @server.tool(title="List Zoom Rooms", annotations=READ_ONLY)
    async def get_zoom_rooms(
        ctx: Context,
        location_query: LocationQuery = None,
        status: Annotated[
            RoomStatus | None,
            Field(description="Only rooms in this state: Available, InMeeting, Offline or UnderConstruction."),
        ] = None,
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
                description="Only rooms of this Zoom type: ZoomRoom, Kiosk, StandaloneWhiteboard, "
                "SchedulingDisplayOnly, DigitalSignageOnly or PersonalZoomRoom.",
            ),
        ] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> RoomsResult:
        """List Zoom Rooms with their status, filtered by location (free text), status, name and type.

        Use this for questions like 'which rooms in Seattle are offline?' or 'list the rooms on floor 3 of
        building 2 in Denver'. The location phrase is resolved against the account's real hierarchy and
        includes everything below it. `total_count` and `status_counts` cover all matches, not just this page;
        page with `next_cursor`. Next: get_room_details for one room, get_fleet_health for a problem report.
        """
        state = app(ctx)
        kind = check_room_type(room_type)
        with zoom_errors():
            snapshot, resolution, rooms, as_of = await scoped_rooms(state, location_query, kind)
        if rooms is None:
            assert resolution is not None
            return RoomsResult(
                rooms=[],
                total_count=0,
                status_counts={},
                status_counts_in_scope={},
                resolution=resolution,
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
        page = [summarise(r, snapshot) for r in rows]
        where = f" in {resolution.locations[0].path}" if resolution and resolution.locations else ""
        message = f"{len(matches)} room(s){where}" + (f" with status {status}" if status else "")
        if not matches:
            message += ". Nothing matched; try fewer filters or check the name with get_zoom_rooms."
        return RoomsResult(
            rooms=page,
            total_count=len(matches),
            status_counts=dict(Counter(str(r.get("status", "")) for r in matches)),
            status_counts_in_scope=dict(in_scope),
            resolution=resolution,
            next_cursor=next_cursor,
            data_as_of=as_of,
            message=message + ("." if matches else ""),
        )

    @server.tool(title="Get Zoom Room details", annotations=READ_ONLY)
    async def get_room_details(ctx: Context, room: RoomRef) -> RoomDetails:
        """Everything about one Zoom Room: status, type, capacity, location, devices (with app versions and
        IPs), an overall health verdict and the current problems.

        Use this for 'what is wrong with Everest?' or before troubleshooting a room. Accepts a room id or a
        name. Parts that need a scope the app lacks are left out and named in `notes`. Next: get_room_issues
        for the room's dashboard issue history.
        """
        state = app(ctx)
        with zoom_errors():
            found = await find_room_or_explain(state, room)
            snapshot = await state.fleet.tree()
        room_key = str(found.get("id", ""))
        dashboard_key = str(found.get("room_id") or room_key)
        notes: list[str] = []
        profile: dict[str, Any] | None = None
        devices: list[dict[str, Any]] | None = None
        dashboard: dict[str, Any] | None = None

        async def read_profile() -> None:
            nonlocal profile
            profile = await optional(lambda: state.fleet.profile(room_key), "get_room", notes)

        async def read_devices() -> None:
            nonlocal devices
            devices = await optional(lambda: state.fleet.devices(room_key), "list_devices", notes)

        async def read_dashboard() -> None:
            nonlocal dashboard
            rows = await optional(lambda: state.fleet.dashboard_rows([dashboard_key]), "dashboard_room", notes)
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
            status=str(found.get("status", "")),
            room_type=str(basic["zoom_room_type"]) if basic.get("zoom_room_type") else None,
            capacity=int(capacity) if isinstance(capacity, int | float) else None,
            location_id=str(found.get("location_id")) if found.get("location_id") else None,
            location_path=location_path(snapshot, found.get("location_id")),
            devices=[device_info(d) for d in devices] if devices is not None else None,
            health=assessment.verdict,
            dashboard_health=normalise_dashboard_health(dashboard.get("health")) if dashboard else None,
            issues=assessment.problems,
            notes=sorted(set(notes)),
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


async def optional(read: Any, key: str, notes: list[str]) -> Any:
    """Run one read; a missing scope or plan limit becomes a note instead of failing the whole tool."""
    endpoint = ENDPOINTS[key]
    try:
        return await read()
    except ZoomScopeError as exc:
        notes.append(f"{_WHAT[key]} not shown: the app lacks the scope {scope_list(exc, endpoint)}.")
    except ZoomPlanError:
        reason = "the account's plan has no Zoom Dashboard (Business+)" if endpoint.dashboard else "Zoom refused access"
        notes.append(f"{_WHAT[key]} not shown: {reason}.")
    except ZoomNotFoundError:
        notes.append(f"{_WHAT[key]} not shown: Zoom no longer knows this room (it may have just been removed).")
    except ZoomError as exc:
        notes.append(f"{_WHAT[key]} not shown: {describe(exc)}")
    return None


def scope_list(exc: ZoomScopeError, endpoint: Endpoint) -> str:
    """The scopes Zoom named (granular), with the classic alternative that also unlocks the endpoint."""
    return f"{' or '.join(exc.scopes)} (classic apps: {' or '.join(endpoint.classic_scopes)})"


_WHAT = {
    "get_room": "Room type and capacity",
    "list_devices": "Devices",
    "dashboard_room": "Dashboard health",
}
