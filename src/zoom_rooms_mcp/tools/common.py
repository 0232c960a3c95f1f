"""Pieces every tool module uses: annotations, the app context, limits and cursors."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from zoom_rooms_mcp.context import AppContext

T = TypeVar("T")

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

Limit = Annotated[int, Field(ge=1, le=500, description="Maximum items to return in this page (1-500). Default 50.")]
Cursor = Annotated[
    str | None,
    Field(
        max_length=512,
        description="Opaque `next_cursor` from the previous call with the same other arguments, to get the next page. "
        "Omit for the first page.",
    ),
]
LocationQuery = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Where to look, in free text: a city, campus, building or floor name, a path, or a location id. "
        "Examples: 'Seattle', 'Munich Campus', 'seattle building 2 floor 3', 'Bldg 2, 3rd floor, Denver', "
        "'SEA / B2 / L3'. Includes everything below the matched location. Omit for the whole account.",
    ),
]
RoomRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="The room: its `id` or `room_id` from get_zoom_rooms, or its name (exact, or a unique close "
        "match). Examples: 'Everest', 'qMOLddnySIGGVycz8aX_JQ'.",
    ),
]


def app(ctx: Context) -> AppContext:
    state: object = ctx.request_context.lifespan_context
    if not isinstance(state, AppContext):  # only if a tool runs outside create_server's lifespan
        raise TypeError("zoom-rooms-mcp tools need the server created by create_server()")
    return state


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
