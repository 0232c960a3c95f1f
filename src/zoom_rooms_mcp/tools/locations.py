"""Location tools: the site tree (``get_zoom_sites``) and free-text resolution (``resolve_location``)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet import RoomsSnapshot, TreeSnapshot
from zoom_rooms_mcp.tools.common import (
    Cursor,
    ResolutionField,
    ResolutionOut,
    app,
    paginate,
    query_fingerprint,
    resolution_out,
    resolve,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.records import ROOM_STATUSES

Level = Literal["country", "states", "city", "campus", "building", "floor"]


class SiteLocation(BaseModel):
    id: str = Field(description="Location id (accepted wherever a location query is).")
    name: str = Field(description="Location name.")
    type: str = Field(description="Level: country, states, city, campus, building or floor.")
    parent_id: str | None = Field(description="Parent location id; null for a top-level location.")
    depth: int = Field(description="0 for top-level locations, +1 per level below.")
    path: str = Field(description="Full path from the top, e.g. 'United States > Washington > Seattle'.")
    room_count: int = Field(description="Rooms at this location and everything below it.")
    status_counts: dict[str, int] = Field(
        description="Rooms per status (Available, InMeeting, Offline, UnderConstruction) at this location and "
        "everything below it; statuses with no room are left out."
    )


class SitesResult(BaseModel):
    locations: list[SiteLocation] = Field(
        description="Locations in tree order (parents first); counts include everything below."
    )
    total_count: int = Field(description="Locations listed, across all pages.")
    structure: list[str] = Field(description="The account's location levels, top first.")
    resolution: ResolutionField
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null when done.")
    data_as_of: str = Field(description="When Zoom was read (UTC).")


def site_locations(
    snapshot: TreeSnapshot, rooms: RoomsSnapshot, roots: list[str] | None = None, level: str | None = None
) -> list[SiteLocation]:
    """The (sub)tree in walk order, down to ``level``, each location with counts including descendants."""
    tree = snapshot.tree
    by_status = {
        status: tree.room_counts(Counter(str(r.get("location_id")) for r in rooms.rooms if r.get("status") == status))
        for status in ROOM_STATUSES
    }
    deepest = tree.structure.index(level) if level is not None else len(tree.structure)
    listed = []
    for loc in tree.walk(roots):
        rank = tree.structure.index(loc.type) if loc.type in tree.structure else len(tree.structure)
        if rank > deepest and loc.id not in (roots or ()):
            continue
        counts = {status: by_status[status].get(loc.id, 0) for status in ROOM_STATUSES}
        listed.append(
            SiteLocation(
                id=loc.id,
                name=loc.name,
                type=loc.type,
                parent_id=loc.parent_id,
                depth=loc.depth,
                path=loc.path_str,
                room_count=sum(counts.values()),
                status_counts={status: n for status, n in counts.items() if n},
            )
        )
    return listed


async def get_zoom_sites(
    ctx: Context,
    query: Annotated[
        str | None,
        Field(
            max_length=200,
            description="Restrict to one place and everything below it, in free text or as a location id. "
            "Examples: 'Seattle', 'Munich Campus', 'Denver building 2'. Omit for the whole account.",
        ),
    ] = None,
    level: Annotated[
        Level | None,
        Field(
            description="List locations only down to this level, e.g. 'city' for one row per country, state and "
            "city. Omit to list every level down to the floors."
        ),
    ] = None,
    limit: Annotated[
        int, Field(ge=1, le=500, description="Maximum locations in this page (1-500). Default 200.")
    ] = 200,
    cursor: Cursor = None,
) -> SitesResult:
    """List the account's Zoom Rooms locations (country → state → city → campus → building → floor) with full
    paths, room counts and rooms per status, each including everything below the location.

    Use this for 'how many rooms per city, and how many are offline?' (level='city': one small answer), to see
    which sites, buildings and floors exist, or to count rooms anywhere. With `query`, only that part of the
    tree is listed. If the query is ambiguous or unknown, `resolution` explains it and lists candidates.
    Next: get_zoom_rooms or get_fleet_health with a location_query.
    """
    fleet = app(ctx).fleet
    with zoom_errors():
        snapshot, rooms = await fleet.tree_and_rooms(max_age=fleet.placement_ttl)
    if level is not None and level not in snapshot.structure:
        raise ToolError(f"This account has no '{level}' level. Its levels are: {', '.join(snapshot.structure)}.")
    resolution = None
    roots: list[str] | None = None
    if query is not None and query.strip():
        resolution = resolve(snapshot, query)
        if resolution.status in ("ambiguous", "none"):
            return SitesResult(
                locations=[],
                total_count=0,
                structure=snapshot.structure,
                resolution=resolution_out(resolution),
                next_cursor=None,
                data_as_of=rooms.as_of,
            )
        roots = [loc.id for loc in resolution.locations]
    ordered = site_locations(snapshot, rooms, roots, level)
    page, next_cursor = paginate(ordered, limit, cursor, query_fingerprint("sites", query, level))
    return SitesResult(
        locations=page,
        total_count=len(ordered),
        structure=snapshot.structure,
        resolution=resolution_out(resolution) if resolution is not None else None,
        next_cursor=next_cursor,
        data_as_of=rooms.as_of,
    )


async def resolve_location(
    ctx: Context,
    query: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            description="A place in free text or a location id. Examples: 'Seattle', 'Munchen', "
            "'seattle building 2 floor 3', 'Bldg 2, 3rd floor, Denver', 'SEA / B2 / L3', 'Denvr'.",
        ),
    ],
) -> ResolutionOut:
    """Work out which Zoom Rooms location a free-text phrase means, using the account's real hierarchy.

    Tolerates case, accents, punctuation, abbreviations (bldg, flr, B2, L3), ordinals ('3rd floor'),
    initials, prefixes and typos. status 'exact' or 'fuzzy': `locations` holds the match. 'ambiguous':
    several places fit (e.g. 'Building 2' in two cities); every one is in `candidates` (up to 50): ask the
    user which one or re-query with more of its path. 'none': nothing fits; `candidates` are the closest.
    Other tools accept the same phrases directly, so call this only to check or explain a location.
    """
    if not query.strip():
        raise ToolError("The query is empty. Pass a place name such as 'Seattle' or a location id.")
    with zoom_errors():
        snapshot = await app(ctx).fleet.tree()
    return resolution_out(resolve(snapshot, query))
