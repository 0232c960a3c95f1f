"""Turn typed Zoom failures into ``ToolError`` text: what happened and what to do next.

Only our own wording (and sanitised fragments) reaches the model; anything unexpected is left to the
SDK, which masks it as a generic failure and logs the traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mcp.server.mcpserver.exceptions import ToolError

from zoom_rooms_mcp.zoom.errors import (
    InvalidIdentifierError,
    ZoomAuthError,
    ZoomError,
    ZoomNetworkError,
    ZoomNotFoundError,
    ZoomPlanError,
    ZoomRateLimitError,
    ZoomResponseError,
    ZoomScopeError,
    ZoomServerError,
)


def describe(exc: ZoomError) -> str:
    if isinstance(exc, ZoomScopeError):
        return exc.message + " Until then, tools that do not need it keep working."
    if isinstance(exc, ZoomAuthError):
        return f"Authentication with Zoom failed. {exc.message} Tell the user; retrying will not help."
    if isinstance(exc, ZoomRateLimitError):
        if exc.daily:
            return exc.message
        return exc.message + " Do not retry immediately in a loop."
    if isinstance(exc, ZoomNotFoundError):
        return (
            f"Zoom has no {exc.resource} with that id. Call get_zoom_rooms (rooms) or get_zoom_sites (locations) "
            "to find valid ids, or pass a name instead."
        )
    if isinstance(exc, ZoomServerError):
        return f"{exc.message} Zoom is having trouble; it was retried already. Try again in a minute."
    if isinstance(exc, ZoomNetworkError):
        return f"{exc.message} It was retried already. Check the server's network access to Zoom, then try again."
    if isinstance(exc, ZoomResponseError):
        return f"{exc.message} It was retried already; try again shortly."
    if isinstance(exc, ZoomPlanError | InvalidIdentifierError):
        return exc.message
    return exc.message + " Check the arguments and try again."


@contextmanager
def zoom_errors() -> Iterator[None]:
    try:
        yield
    except ZoomError as exc:
        raise ToolError(describe(exc)) from exc
