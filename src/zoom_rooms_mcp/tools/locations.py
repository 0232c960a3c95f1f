"""Location tools: the site tree (``get_zoom_sites``) and free-text resolution (``resolve_location``)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from zoom_rooms_mcp.fleet import FleetService, RoomsSnapshot, TreeSnapshot
from zoom_rooms_mcp.locations.resolver import Resolution
from zoom_rooms_mcp.tools.common import READ_ONLY, Cursor, app, paginate, query_fingerprint
from zoom_rooms_mcp.tools.errors import zoom_errors


class SiteLocation(BaseModel):
    id: str = Field(description="Location id (accepted wherever a location query is).")
    name: str = Field(description="Location name.")
    type: str = Field(description="Level: country, states, city, campus, building or floor.")
    parent_id: str | None = Field(description="Parent location id; null for a top-level location.")
    depth: int = Field(description="0 for top-level locations, +1 per level below.")
    path: str = Field(description="Full path from the top, e.g. 'United States > Washington > Seattle'.")
    room_count: int = Field(description="Rooms at this location and everything below it.")


class SitesResult(BaseModel):
    locations: list[SiteLocation] = Field(description="Locations in tree order (each parent before its children).")
    total_count: int = Field(description="Number of locations in the whole (sub)tree, across all pages.")
    structure: list[str] = Field(description="The account's location levels, top first.")
    resolution: Resolution | None = Field(description="How `query` was understood; null without a query.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null when done.")
    data_as_of: str = Field(description="When the room counts were read from Zoom (UTC, ISO 8601).")


def site_locations(snapshot: TreeSnapshot, rooms: RoomsSnapshot, roots: list[str] | None = None) -> list[SiteLocation]:
    """The (sub)tree in walk order, each location with its room count including descendants."""
    counts = snapshot.tree.room_counts(Counter(str(r.get("location_id")) for r in rooms.rooms))
    return [
        SiteLocation(
            id=loc.id,
            name=loc.name,
            type=loc.type,
            parent_id=loc.parent_id,
            depth=loc.depth,
            path=loc.path_str,
            room_count=counts.get(loc.id, 0),
        )
        for loc in snapshot.tree.walk(roots)
    ]


async def resolve_or_explain(fleet: FleetService, query: str) -> tuple[TreeSnapshot, Resolution]:
    snapshot = await fleet.tree()
    return snapshot, snapshot.resolver.resolve(query)


def register(server: MCPServer) -> None:
    @server.tool(title="List Zoom Rooms locations", annotations=READ_ONLY)
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
        limit: Annotated[
            int, Field(ge=1, le=500, description="Maximum locations in this page (1-500). Default 200.")
        ] = 200,
        cursor: Cursor = None,
    ) -> SitesResult:
        """List the account's Zoom Rooms location hierarchy (country → state → city → campus → building → floor)
        with full paths and room counts (including everything below each location).

        Use this to see which sites, buildings and floors exist, or how many rooms each has. With `query`, only
        that part of the tree is listed. If the query is ambiguous or unknown, `resolution` explains it and
        suggests candidates. Next: get_zoom_rooms or get_fleet_health with a location_query.
        """
        fleet = app(ctx).fleet
        with zoom_errors():
            snapshot, rooms = await fleet.tree_and_rooms(max_age=fleet.placement_ttl)
        resolution: Resolution | None = None
        roots: list[str] | None = None
        if query is not None and query.strip():
            resolution = snapshot.resolver.resolve(query)
            if resolution.status in ("ambiguous", "none"):
                return SitesResult(
                    locations=[],
                    total_count=0,
                    structure=snapshot.structure,
                    resolution=resolution,
                    next_cursor=None,
                    data_as_of=rooms.as_of,
                )
            roots = [loc.id for loc in resolution.locations]
        ordered = site_locations(snapshot, rooms, roots)
        page, next_cursor = paginate(ordered, limit, cursor, query_fingerprint("sites", query))
        return SitesResult(
            locations=page,
            total_count=len(ordered),
            structure=snapshot.structure,
            resolution=resolution,
            next_cursor=next_cursor,
            data_as_of=rooms.as_of,
        )

    @server.tool(title="Resolve a location name", annotations=READ_ONLY)
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
    ) -> Resolution:
        """Work out which Zoom Rooms location a free-text phrase means, using the account's real hierarchy.

        Tolerates case, accents, punctuation, abbreviations (bldg, flr, B2, L3), ordinals ('3rd floor'),
        initials, prefixes and typos. status 'exact' or 'fuzzy': `locations` holds the match. 'ambiguous':
        several places fit (e.g. 'Building 2' in two cities); ask the user which `candidates` entry they mean
        or re-query with more of its path. 'none': nothing fits; `candidates` are the closest suggestions.
        Other tools accept the same phrases directly, so call this only to check or explain a location.
        """
        if not query.strip():
            raise ToolError("The query is empty. Pass a place name such as 'Seattle' or a location id.")
        with zoom_errors():
            _, resolution = await resolve_or_explain(app(ctx).fleet, query)
        return resolution
