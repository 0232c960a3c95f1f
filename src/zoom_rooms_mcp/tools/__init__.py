"""MCP tools, one module per domain; each exposes ``register(server)``."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from zoom_rooms_mcp.tools import connection, health, locations, rooms


def register_all(server: MCPServer) -> None:
    for module in (connection, locations, rooms, health):
        module.register(server)
