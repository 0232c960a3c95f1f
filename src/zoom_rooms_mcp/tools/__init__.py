"""MCP tools, one module per domain; ``registry`` declares them and registers them on a server."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer


def register_all(server: MCPServer) -> None:
    from zoom_rooms_mcp.tools.registry import register_all as register  # the registry imports every tool module

    register(server)
