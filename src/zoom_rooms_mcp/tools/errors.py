"""Typed Zoom failures become ``ToolError`` text at the tool boundary, worded by ``policy``.

Anything that is not a ``ZoomError`` is left to the SDK, which masks it as a generic failure and logs
the traceback, so only our own wording reaches the model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mcp.server.mcpserver.exceptions import ToolError

from zoom_rooms_mcp.policy import tool_text
from zoom_rooms_mcp.zoom.errors import ZoomError


@contextmanager
def zoom_errors() -> Iterator[None]:
    try:
        yield
    except ZoomError as exc:
        raise ToolError(tool_text(exc)) from exc
    except BaseExceptionGroup as group:
        # Concurrent reads (a task group) fail as a group: when every failure is Zoom's, report the first.
        first = first_zoom_error(group)
        if first is None:
            raise
        raise ToolError(tool_text(first)) from first


def first_zoom_error(group: BaseExceptionGroup[BaseException]) -> ZoomError | None:
    """The first Zoom failure of a group made of Zoom failures only (anything else: None)."""
    matched, rest = group.split(ZoomError)
    if matched is None or rest is not None:
        return None
    leaf: BaseException = matched
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    return leaf if isinstance(leaf, ZoomError) else None
