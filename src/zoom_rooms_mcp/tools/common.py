"""Pieces every tool module uses: annotations, the app context, argument types, lean output models
(rows, freshness, coverage), location resolution as the tools show it, times, limits and cursors."""

from __future__ import annotations

import base64
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from weakref import WeakKeyDictionary

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.fleet.service import Coverage, FleetService, Freshness, Scope
from zoom_rooms_mcp.fleet.tree import TreeSnapshot
from zoom_rooms_mcp.locations.resolver import Resolution
from zoom_rooms_mcp.zoom.errors import sanitize
from zoom_rooms_mcp.zoom.records import ROOM_STATUSES, ROOM_TYPES, Room

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
MAX_CANDIDATES = 50  # an ambiguous place lists every candidate up to this many
MAX_SUGGESTIONS = 5  # a place that matches nothing lists this many close names

RoomStatus = Literal["Available", "InMeeting", "Offline", "UnderConstruction"]
ResolutionStatus = Literal["exact", "fuzzy", "ambiguous", "none"]


def canonical_status(value: object) -> object:
    """'offline', 'in meeting' → the enum's spelling, so status is matched case-insensitively like room_type."""
    if isinstance(value, str):
        wanted = value.replace(" ", "").replace("_", "").lower()
        for status in ROOM_STATUSES:
            if status.lower() == wanted:
                return status
    return value


Limit = Annotated[int, Field(ge=1, le=500, description="Items per page (1-500).")]
Cursor = Annotated[
    str | None,
    Field(
        max_length=512,
        description="`next_cursor` of the previous page (same other arguments); omit at first.",
    ),
]
LocationQuery = Annotated[
    str | None,
    Field(
        max_length=200,
        description="A place in free text or a location id, e.g. 'Seattle', 'Munich Campus', 'seattle building 2 "
        "floor 3', 'SEA / B2 / L3'; includes everything below. Omit for all.",
    ),
]
RoomRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Room id (from get_zoom_rooms) or name (exact, or a unique close match), e.g. 'Everest'.",
    ),
]
StatusFilter = Annotated[
    RoomStatus | None,
    BeforeValidator(canonical_status),
    Field(description="Only rooms in this state (any case)."),
]


class Place(BaseModel):
    id: str = Field(description="Location id (accepted wherever a location query is).")
    name: str = Field(description="The location's own name.")
    type: str = Field(description="Level: country, states, city, campus, building or floor.")
    path: str = Field(description="Full path from the top, names joined by ' > '.")


class Candidate(Place):
    score: float = Field(description="How well it fits the query (0-1).")


class ResolutionOut(BaseModel):
    """How a location phrase was understood; on an exact match only the matched locations are shown."""

    query: str = Field(description="The query as received.")
    status: ResolutionStatus = Field(
        description="exact/fuzzy: `locations` is the match (with everything below). ambiguous: several fit, ask "
        "which `candidates` entry. none: `candidates` are the closest."
    )
    locations: list[Place] = Field(description="Matched locations (empty unless exact or fuzzy).")
    candidates: list[Candidate] | None = Field(
        default=None, description="Places that fit (all when ambiguous, up to 50); null on an exact match."
    )
    message: str | None = Field(default=None, description="What to do next; null on an exact match.")


# Tools that resolve a location return the same object as resolve_location; its schema is published there
# once, and referred to here, so that tools/list does not repeat it.
ResolutionField = Annotated[
    ResolutionOut | None,
    WithJsonSchema(
        {
            "type": ["object", "null"],
            "description": "How the location was understood (as resolve_location returns it); ambiguous or none: "
            "no results, see `candidates`. Null without one.",
        }
    ),
]


class RoomRow(BaseModel):
    id: str = Field(description="Zoom Room id (use with get_room_details).")
    name: str = Field(description="Room name.")
    status: str = Field(description="Available, InMeeting, Offline or UnderConstruction.")
    room_type: str | None = Field(description="ZoomRoom, Kiosk, SchedulingDisplayOnly, …")
    capacity: int | None = Field(description="Seats, when Zoom's room profile has been read; else null.")
    location_path: str | None = Field(description="Full location path, e.g. 'United States > … > Floor 3'.")


class FreshnessOut(BaseModel):
    rooms_as_of: str | None
    devices_as_of: str | None
    dashboard_as_of: str | None


class CoverageOut(BaseModel):
    rooms: int
    devices_checked: int
    dashboard_checked: int


# The same two objects in every fleet answer: published once each as a short description (the field names
# say the rest), so that tools/list does not repeat their schemas.
FreshnessField = Annotated[
    FreshnessOut,
    WithJsonSchema(
        {
            "type": "object",
            "description": "{rooms_as_of, devices_as_of, dashboard_as_of}: when Zoom was read (UTC), oldest data of "
            "each source used; null: not used.",
        }
    ),
]
CoverageField = Annotated[
    CoverageOut,
    WithJsonSchema(
        {
            "type": "object",
            "description": "{rooms, devices_checked, dashboard_checked}: rooms in scope; how many had devices, "
            "Dashboard considered.",
        }
    ),
]


def iso(moment: float | None) -> str | None:
    """Epoch seconds → ISO-8601 UTC with a trailing Z (None stays None)."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def freshness_out(freshness: Freshness) -> FreshnessOut:
    return FreshnessOut(
        rooms_as_of=iso(freshness.rooms_as_of),
        devices_as_of=iso(freshness.devices_as_of),
        dashboard_as_of=iso(freshness.dashboard_as_of),
    )


def coverage_out(coverage: Coverage) -> CoverageOut:
    return CoverageOut(
        rooms=coverage.rooms, devices_checked=coverage.devices_checked, dashboard_checked=coverage.dashboard_checked
    )


NOTHING_READ = FreshnessOut(rooms_as_of=None, devices_as_of=None, dashboard_as_of=None)
NO_ROOMS = CoverageOut(rooms=0, devices_checked=0, dashboard_checked=0)


def app(ctx: Context) -> AppContext:
    state: object = ctx.request_context.lifespan_context
    if not isinstance(state, AppContext):  # only if a tool runs outside create_server's lifespan
        raise TypeError("zoom-rooms-mcp tools need the server created by create_server()")
    return state


async def scope(service: FleetService, query: str | None) -> Scope:
    """Where a question looks; an ambiguous place lists every candidate (up to 50), others the closest few."""
    found = await service.scope(query, max_candidates=MAX_CANDIDATES)
    resolution = found.resolution
    if resolution is not None and resolution.status != "ambiguous":
        trimmed = replace(resolution, candidates=resolution.candidates[:MAX_SUGGESTIONS])
        found = Scope(tree=found.tree, resolution=trimmed, location_ids=found.location_ids)
    return found


def resolution_out(resolution: Resolution) -> ResolutionOut:
    exact = resolution.status == "exact"
    return ResolutionOut(
        query=resolution.query,
        status=resolution.status,
        locations=[Place(id=loc.id, name=loc.name, type=loc.type, path=loc.path) for loc in resolution.locations],
        candidates=None
        if exact
        else [Candidate(id=c.id, name=c.name, type=c.type, path=c.path, score=c.score) for c in resolution.candidates],
        message=None if exact else resolution.message or None,
    )


def unresolved_message(resolution: Resolution) -> str:
    query = sanitize(resolution.query, 80)
    if resolution.status == "ambiguous":
        return (
            f"'{query}' matches several places ({len(resolution.candidates)}, all in resolution.candidates). Ask the "
            "user which one, or call again with more of the path (e.g. the city) or a candidate's id."
        )
    if resolution.candidates:
        options = "; ".join(c.path for c in resolution.candidates)
        return f"No location matches '{query}'. Closest: {options}."
    return f"No location matches '{query}'. Call get_zoom_sites to see the locations."


def room_row(room: Room, tree: TreeSnapshot) -> RoomRow:
    return RoomRow(
        id=room.id,
        name=room.name,
        status=room.status,
        room_type=room.room_type,
        capacity=room.capacity,
        location_path=tree.path(room.location_id),
    )


def check_room_type(room_type: str | None) -> str | None:
    if room_type is None or not room_type.strip():
        return None
    wanted = room_type.strip().replace(" ", "").lower()
    for known in ROOM_TYPES:
        if known.lower() == wanted:
            return known
    raise ToolError(f"Unknown room_type {sanitize(room_type, 40)!r}. Use one of: {', '.join(ROOM_TYPES)}.")


def query_fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:12]


def paginate(items: Sequence[T], limit: int, cursor: str | None, fingerprint: str) -> tuple[list[T], str | None]:
    """Slice one page; the cursor carries the offset and the query it belongs to (stateless, any replica)."""
    offset = decode_cursor(cursor, fingerprint) if cursor else 0
    page = list(items[offset : offset + limit])
    end = offset + len(page)
    return page, (encode_cursor(end, fingerprint) if end < len(items) else None)


def encode_cursor(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "q": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = data["o"]
        belongs = data["q"] == fingerprint
    except (ValueError, KeyError, TypeError):
        raise ToolError("The cursor is not valid. Omit `cursor` to start from the first page.") from None
    if not isinstance(offset, int) or offset < 0:
        raise ToolError("The cursor is not valid. Omit `cursor` to start from the first page.")
    if not belongs:
        raise ToolError(
            "The cursor belongs to a call with different arguments. Repeat the same arguments with the cursor, "
            "or omit `cursor` to start over."
        )
    return offset


# --- answers derived from the fleet state, cached per server ---------------------------------------------


class LruCache(Generic[K, V]):
    """A bounded map of derived answers, least recently used first out. Keys name every input the value
    depends on (the fleet state's generation, the scope, the filters), so an entry is never stale: a
    changed input is a different key, and the old entry ages out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)


class PerService(Generic[V]):
    """One ``V`` per fleet service (one per server), made on first use and dropped with the service."""

    def __init__(self, factory: Callable[[], V]) -> None:
        self._factory = factory
        self._by_service: WeakKeyDictionary[FleetService, V] = WeakKeyDictionary()

    def __call__(self, service: FleetService) -> V:
        found = self._by_service.get(service)
        if found is None:
            found = self._by_service[service] = self._factory()
        return found
