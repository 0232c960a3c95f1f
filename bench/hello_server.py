"""The smallest useful MCP server on the same SDK: the yardstick for cold start (d) and per-call floor (b)."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("hello")


@server.tool()
def hello(name: str = "world") -> str:
    """Say hello."""
    return f"Hello, {name}!"


if __name__ == "__main__":
    server.run()
