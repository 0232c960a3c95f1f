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
