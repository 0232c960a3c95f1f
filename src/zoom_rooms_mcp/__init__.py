"""zoom-rooms-mcp: a read-only MCP server for inspecting a Zoom Rooms fleet."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zoom-rooms-mcp")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
