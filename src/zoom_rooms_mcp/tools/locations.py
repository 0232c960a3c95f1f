"""Location tools: the site tree (``get_zoom_sites``) and free-text resolution (``resolve_location``)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet.tree import TreeSnapshot
from zoom_rooms_mcp.locations.model import _LEVEL_RANK, LEVELS
from zoom_rooms_mcp.tools.common import (
    NO_ROOMS,
    NOTHING_READ,
    CoverageField,
    Cursor,
    FreshnessField,
    ResolutionField,
    ResolutionOut,
    app,
    coverage_out,
    freshness_out,
    iso,
    paginate,
    query_fingerprint,
    resolution_out,
    scope,
)
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.records import ROOM_STATUSES, Room

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
    locations: list[SiteLocation] = Field(description="Tree order (parents first); counts include everything below.")
    total_count: int = Field(description="Locations listed, all pages.")
    structure: list[str] = Field(description="The account's levels, top first.")
    resolution: ResolutionField
    next_cursor: str | None = Field(description="The next page's `cursor`; null when done.")
    data_as_of: str = Field(description="When Zoom was read (UTC).")
    freshness: FreshnessField
    coverage: CoverageField


def level_rank(level: str) -> int:
    """A level's depth among Zoom's levels, whatever the spelling ('state' and 'states' are one level)."""
    return _LEVEL_RANK.get(level, len(LEVELS))


def site_locations(
    tree: TreeSnapshot, rooms: list[Room], roots: list[str] | None = None, level: str | None = None
) -> list[SiteLocation]:
    """The (sub)tree in walk order, down to ``level``, each location with counts including descendants."""
    by_status = {
        status: tree.tree.room_counts(Counter(r.location_id or "" for r in rooms if r.status == status))
        for status in ROOM_STATUSES
    }
    deepest = level_rank(level) if level is not None else len(LEVELS)
    listed = []
    for loc in tree.tree.walk(roots):
        if level_rank(loc.type) > deepest and loc.id not in (roots or ()):
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
            description="Only this place and everything below it, in free text or a location id, e.g. 'Seattle', "
            "'Denver building 2'. Omit for all.",
        ),
    ] = None,
    level: Annotated[
        Level | None,
        Field(
            description="List down to this level only, e.g. 'city': one row per country, state and city. Omit for "
            "every level."
        ),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=500, description="Locations per page (1-500). Default 200.")] = 200,
    cursor: Cursor = None,
) -> SitesResult:
    """List the account's locations (country → state → city → campus → building → floor) with full paths,
    room counts and rooms per status, each including everything below it.

    Use for 'how many rooms per city, and how many are offline?' (level='city': one small answer) or to see
    which sites, buildings and floors exist; `query` lists one part of the tree. Next: get_zoom_rooms or
    get_fleet_health with location_query.
    """
    service = app(ctx).service
    with zoom_errors():
        where = await scope(service, query)
        tree = where.tree
        if level is not None and all(level_rank(s) != level_rank(level) for s in tree.structure):
            raise ToolError(f"This account has no '{level}' level. Its levels are: {', '.join(tree.structure)}.")
        if not where.resolved:
            assert where.resolution is not None
            return SitesResult(
                locations=[],
                total_count=0,
                structure=tree.structure,
                resolution=resolution_out(where.resolution),
                next_cursor=None,
                data_as_of=iso(tree.read_at) or "",
                freshness=NOTHING_READ,
                coverage=NO_ROOMS,
            )
        view = await service.view(where, devices=False, dashboard=False)
    roots = [loc.id for loc in where.resolution.locations] if where.resolution is not None else None
    ordered = site_locations(tree, view.rooms, roots, level)
    page, next_cursor = paginate(ordered, limit, cursor, query_fingerprint("sites", query, level))
    return SitesResult(
        locations=page,
        total_count=len(ordered),
        structure=tree.structure,
        resolution=resolution_out(where.resolution) if where.resolution is not None else None,
        next_cursor=next_cursor,
        data_as_of=iso(view.freshness.rooms_as_of or tree.read_at) or "",
        freshness=freshness_out(view.freshness),
        coverage=coverage_out(view.coverage),
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
    """Which location a free-text phrase means, from the account's real hierarchy.

    Tolerates case, accents, abbreviations (bldg, flr, B2, L3), ordinals ('3rd floor'), initials and typos.
    'ambiguous' (e.g. 'Building 2' in two cities): ask the user which `candidates` entry, or add more of
    the path. Other tools take the same phrases: use this only to check or explain one.
    """
    if not query.strip():
        raise ToolError("The query is empty. Pass a place name such as 'Seattle' or a location id.")
    with zoom_errors():
        where = await scope(app(ctx).service, query)
    assert where.resolution is not None  # a non-blank query always has one
    return resolution_out(where.resolution)
