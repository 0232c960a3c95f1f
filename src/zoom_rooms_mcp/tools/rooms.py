"""Room tools: list and filter rooms (``get_zoom_rooms``) and inspect one room (``get_room_details``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, WithJsonSchema

from zoom_rooms_mcp.fleet.lookup import Match, RoomLookupError, RoomMatch, fold_name
from zoom_rooms_mcp.fleet.service import FleetService, FleetView
from zoom_rooms_mcp.health import assess_room, normalise_dashboard_health
from zoom_rooms_mcp.locations.text import fold
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
    RoomRef,
    RoomRow,
    StatusFilter,
    app,
    check_room_type,
    coverage_out,
    freshness_out,
    iso,
    paginate,
    query_fingerprint,
    resolution_out,
    room_row,
    scope,
    unresolved_message,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.errors import sanitize
from zoom_rooms_mcp.zoom.records import Device, Room


class RoomsResult(BaseModel):
    rooms: list[RoomRow] = Field(description="This page, by location path then name (capacity: null until read).")
    total_count: int = Field(description="Matches, all pages.")
    status_counts: dict[str, int] = Field(description="Matches per status, all pages.")
    status_counts_in_scope: dict[str, int] = Field(description="Per status, ignoring the `status` filter.")
    resolution: ResolutionField
    next_cursor: str | None = Field(description="The next page's `cursor`; null when done.")
    data_as_of: str = Field(description="When Zoom was read (UTC).")
    freshness: FreshnessField
    coverage: CoverageField
    message: str = Field(description="Summary; what to do when nothing matched.")


class DeviceInfo(BaseModel):
    device_type: str
    status: str
    app_version: str | None
    device_system: str | None
    device_model: str | None
    device_manufacturer: str | None
    ip_address: str | None


class Peripherals(BaseModel):
    camera: str | None
    microphone: str | None
    speaker: str | None


class Support(BaseModel):
    email: str | None
    phone: str | None


class Sensors(BaseModel):
    values: dict[str, float | str]
    as_of: str | None


class Occupancy(BaseModel):
    occupied: bool
    as_of: str | None


def _shape(description: str, kind: str = "object") -> WithJsonSchema:
    """A nested part of the room details, published as its description alone (its fields are listed there)."""
    return WithJsonSchema({"type": [kind, "null"], "description": description})


class RoomDetails(BaseModel):
    id: str = Field(description="Zoom Room id.")
    room_id: str = Field(description="Dashboard room id.")
    name: str
    match: Match = Field(description="How `room` was found: id, exact name, or a close (fuzzy) name.")
    status: str
    room_type: str | None
    capacity: int | None = Field(description="Seats.")
    location_id: str | None
    location_path: str | None
    devices: Annotated[
        list[DeviceInfo] | None,
        _shape(
            "[{device_type, status, app_version, device_system, device_model, device_manufacturer, ip_address}]; "
            "null if not read.",
            "array",
        ),
    ]
    health: Literal["healthy", "warning", "critical", "unknown"] = Field(
        description="unknown: neither devices nor Dashboard read."
    )
    dashboard_health: str | None = Field(description="The Zoom Dashboard's own value.")
    issues: list[str] = Field(description="Current problems, worst first ('outdated': against the whole fleet).")
    peripherals: Annotated[Peripherals | None, _shape("{camera, microphone, speaker} in use (Dashboard).")]
    support: Annotated[Support | None, _shape("{email, phone}: support contact, if set.")]
    live_meeting_start: str | None = Field(description="The current meeting's start (UTC).")
    last_start_time: str | None = Field(description="Zoom Rooms app's last start (UTC).")
    offline_since: str | None = Field(description="When it went offline, if seen (UTC).")
    sensors: Annotated[Sensors | None, _shape("Latest sensor readings {values, as_of}.")]
    occupancy: Annotated[Occupancy | None, _shape("{occupied, as_of}.")]
    freshness: FreshnessField
    notes: list[str] = Field(description="What could not be read, and why; a guessed name.")


def room_not_found(room: str, exc: RoomLookupError) -> ToolError:
    """No single room fits ``room``: say which came closest and how to find the right one."""
    if exc.candidates:
        names = ", ".join(f"'{sanitize(c.name, 60)}' (id {sanitize(c.id, 40)})" for c in exc.candidates[:5])
        return ToolError(
            f"No single room matches '{sanitize(room, 80)}'. Closest: {names}. Call again with one of these "
            "ids, or use get_zoom_rooms with name_query to search."
        )
    return ToolError(
        f"No room matches '{sanitize(room, 80)}'. Use get_zoom_rooms (optionally with name_query or "
        "location_query) to find the room's id or exact name."
    )


async def find_room_or_explain(service: FleetService, room: str) -> RoomMatch:
    try:
        return await service.find_room(room)
    except RoomLookupError as exc:
        raise room_not_found(room, exc) from None


async def get_zoom_rooms(
    ctx: Context,
    location_query: LocationQuery = None,
    status: StatusFilter = None,
    name_query: Annotated[
        str | None,
        Field(
            max_length=100,
            description="Only names containing this (case and accents ignored), e.g. 'everest'.",
        ),
    ] = None,
    room_type: Annotated[
        str | None,
        Field(
            max_length=40,
            description="Only this Zoom type (any case): ZoomRoom, Kiosk, StandaloneWhiteboard, "
            "SchedulingDisplayOnly, DigitalSignageOnly, PersonalZoomRoom.",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RoomsResult:
    """List Zoom Rooms with status and type, filtered by location (free text, with everything below), status,
    name and type.

    Use for 'which rooms in Seattle are offline?' or 'rooms on floor 3 of building 2 in Denver'. Counts
    cover all matches, not just this page. Counts per city: get_zoom_sites(level='city'). Next:
    get_room_details for one room, get_fleet_health for problems.
    """
    service = app(ctx).service
    kind = check_room_type(room_type)
    needle = fold(name_query) if name_query and name_query.strip() else None

    def wanted(room: Room) -> bool:
        return (kind is None or room.room_type == kind) and (needle is None or needle in fold_name(room.name))

    generation = service.state.rooms_generation
    with zoom_errors():
        where = await scope(service, location_query)
        if not where.resolved:
            assert where.resolution is not None
            return RoomsResult(
                rooms=[],
                total_count=0,
                status_counts={},
                status_counts_in_scope={},
                resolution=resolution_out(where.resolution),
                next_cursor=None,
                data_as_of=iso(where.tree.read_at) or "",
                freshness=NOTHING_READ,
                coverage=NO_ROOMS,
                message=unresolved_message(where.resolution),
            )
        filtered = kind is not None or needle is not None
        view = await service.view(where, devices=False, dashboard=False, room_filter=wanted if filtered else None)
    tree = view.tree
    # The ordered matches depend only on the listing (its generation), the tree's paths, the scope and the
    # filters: when the listing did not change while the view was made, they are cached under those.
    key: ListingKey | None = None
    if service.state.rooms_generation == generation:
        key = (generation, id(tree.paths), where.location_ids, kind, needle, status)
    found = listing(view, status, service, key)
    matches = found.matches
    fingerprint = query_fingerprint("rooms", location_query, status, name_query, kind)
    rows, next_cursor = paginate(matches, limit, cursor, fingerprint)
    resolution = where.resolution
    place = f" in {resolution.locations[0].path}" if resolution and resolution.locations else ""
    message = f"{len(matches)} room(s){place}" + (f" with status {status}" if status else "")
    message += "." if matches else ". Nothing matched; try fewer filters or check the name with get_zoom_rooms."
    return RoomsResult(
        rooms=[room_row(r, tree) for r in rows],
        total_count=len(matches),
        status_counts=dict(found.status_counts),
        status_counts_in_scope=dict(found.status_counts_in_scope),
        resolution=resolution_out(resolution) if resolution is not None else None,
        next_cursor=next_cursor,
        data_as_of=iso(view.freshness.rooms_as_of or tree.read_at) or "",
        freshness=freshness_out(view.freshness),
        coverage=coverage_out(view.coverage),
        message=message,
    )


ListingKey = tuple[int, int, frozenset[str] | None, str | None, str | None, str | None]
LISTINGS = 16  # cached listings per server (scopes × filters); each holds references, not copies


@dataclass(frozen=True, slots=True)
class Listing:
    paths: dict[str, str]  # the tree's paths it was sorted by (its key holds their id: checked on a hit)
    matches: tuple[Room, ...]  # by location path, then folded name
    status_counts: dict[str, int]
    status_counts_in_scope: dict[str, int]


_listings: PerService[LruCache[ListingKey, Listing]] = PerService(lambda: LruCache(LISTINGS))


def listing(view: FleetView, status: str | None, service: FleetService, key: ListingKey | None) -> Listing:
    cache = _listings(service)
    paths = view.tree.paths
    if key is not None:
        found = cache.get(key)
        if found is not None and found.paths is paths:
            return found
    path = view.tree.path
    matches = [r for r in view.rooms if status is None or r.status == status]
    matches.sort(key=lambda r: (path(r.location_id) or "~", r.name.casefold()))
    made = Listing(
        paths=paths,
        matches=tuple(matches),
        status_counts=dict(Counter(r.status for r in matches)),
        status_counts_in_scope=dict(Counter(r.status for r in view.rooms)),
    )
    return cache.put(key, made) if key is not None else made


async def get_room_details(ctx: Context, room: RoomRef) -> RoomDetails:
    """One Zoom Room in full: status, type, capacity, location, devices (app versions, IPs), a health verdict
    with current problems, peripherals, support contact, meeting, sensor and offline times.

    Use for 'what is wrong with Everest?'. `match` says how the room was found (fuzzy: a guess, tell the
    user). Parts Zoom would not give (scope, plan) are null and named in `notes`. Next: get_room_issues.
    """
    service = app(ctx).service
    with zoom_errors():
        try:
            view = await service.room_view(room)
        except RoomLookupError as exc:
            raise room_not_found(room, exc) from None
    found, profile, row = view.room, view.profile, view.dashboard
    notes = list(view.notes)
    if view.match.match == "fuzzy":
        notes.insert(
            0, f"No room is named '{sanitize(room, 80)}'; this is the closest name. Check it is the one meant."
        )
    assessment = assess_room(found, devices=view.devices, dashboard=row, newest=view.newest)
    return RoomDetails(
        id=found.id,
        room_id=found.dashboard_id,
        name=found.name,
        match=view.match.match,
        status=found.status,
        room_type=found.room_type or (profile.room_type if profile else None),
        capacity=profile.capacity if profile and profile.capacity is not None else found.capacity,
        location_id=found.location_id,
        location_path=view.tree.path(found.location_id),
        devices=[device_info(d) for d in view.devices] if view.devices is not None else None,
        health=assessment.verdict,
        dashboard_health=normalise_dashboard_health(row.health) if row else None,
        issues=assessment.problems,
        peripherals=Peripherals(camera=row.camera, microphone=row.microphone, speaker=row.speaker) if row else None,
        support=Support(email=profile.support_email, phone=profile.support_phone)
        if profile and (profile.support_email or profile.support_phone)
        else None,
        live_meeting_start=row.live_meeting_start if row else None,
        last_start_time=row.last_start_time if row else None,
        offline_since=iso(view.offline_since),
        sensors=Sensors(values=dict(view.sensors.values), as_of=iso(view.sensors.read_at)) if view.sensors else None,
        occupancy=Occupancy(occupied=view.occupancy.occupied, as_of=iso(view.occupancy.at)) if view.occupancy else None,
        freshness=freshness_out(view.freshness),
        notes=notes,
    )


def device_info(device: Device) -> DeviceInfo:
    return DeviceInfo(
        device_type=device.device_type,
        status=device.status,
        app_version=device.app_version,
        device_system=device.device_system,
        device_model=device.device_model,
        device_manufacturer=device.device_manufacturer,
        ip_address=device.ip_address,
    )
