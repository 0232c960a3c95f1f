"""``test_zoom_connection``: is the Zoom app configured, authorised and reachable, and with which scopes."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, Field

from zoom_rooms_mcp.tools.common import READ_ONLY, app
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS, OPTIONAL_ENDPOINTS, TOOL_ENDPOINTS
from zoom_rooms_mcp.zoom.token import TokenResult


class ToolAccess(BaseModel):
    tool: str = Field(description="Tool name.")
    available: bool = Field(description="True when the app has every scope the tool needs.")
    degraded: bool = Field(description="True when the tool works but some optional data needs scopes it lacks.")
    missing_scopes: list[str] = Field(description="Scopes to add for full results from this tool.")


class ConnectionResult(BaseModel):
    status: Literal["success"] = Field(description="Always 'success'; failures are returned as errors instead.")
    account_id: str = Field(description="Zoom account id the server is connected to.")
    client_id: str = Field(description="Client id of the Server-to-Server OAuth app in use.")
    token_cached: bool = Field(description="True when the access token came from the memory or file cache.")
    token_expires_in: int = Field(description="Seconds until the access token expires (renewed automatically).")
    scopes: list[str] = Field(description="Scopes granted to the app's token.")
    missing_scopes: list[str] = Field(description="Scopes the tools of this server need that the app lacks.")
    tools: list[ToolAccess] = Field(description="Per tool: whether it can run and which scopes it misses.")
    api_base_url: str = Field(description="Zoom REST base URL in use.")
    plan: str = Field(description="Configured Zoom plan (ZOOM_API_PLAN), which sets request pacing.")
    demo: bool = Field(description="True when serving the built-in simulated account, not a real Zoom account.")
    message: str = Field(description="One-line summary for the user.")


def scope_report(granted: frozenset[str]) -> tuple[list[str], list[ToolAccess]]:
    """Missing scopes per tool; suggests classic names to apps that use classic scopes, granular otherwise."""
    classic_style = any(":" in s and s.count(":") == 2 and not s.startswith("zoom_rooms:") for s in granted)
    all_missing: list[str] = []
    access: list[ToolAccess] = []
    for tool, keys in TOOL_ENDPOINTS.items():
        missing: list[str] = []
        required_ok = True
        optional_missing = False
        for key in keys:
            endpoint = ENDPOINTS[key]
            if endpoint.allowed_by(granted):
                continue
            names = endpoint.classic_scopes[:1] if classic_style else endpoint.granular_scopes
            missing.extend(n for n in names if n not in missing)
            if key in OPTIONAL_ENDPOINTS:
                optional_missing = True
            else:
                required_ok = False
        access.append(ToolAccess(tool=tool, available=required_ok, degraded=optional_missing, missing_scopes=missing))
        all_missing.extend(n for n in missing if n not in all_missing)
    return all_missing, access


def register(server: MCPServer) -> None:
    @server.tool(title="Test Zoom connection", annotations=READ_ONLY)
    async def test_zoom_connection(
        ctx: Context,
        force_refresh: Annotated[
            bool,
            Field(
                description="Fetch a new access token (e.g. after adding scopes to the app) and drop cached fleet "
                "data so the next calls read fresh data from Zoom. Default false."
            ),
        ] = False,
    ) -> ConnectionResult:
        """Check that the Zoom Server-to-Server OAuth app works: credentials, token, scopes and one API call.

        Use this first when the user asks whether the Zoom connection works, when another tool reports an
        authentication or scope error, or after the user changed the app's scopes (with force_refresh=true).
        The result lists the granted scopes and, per tool, which scopes are missing. Next: get_zoom_sites or
        get_zoom_rooms.
        """
        state = app(ctx)
        with zoom_errors():
            if force_refresh:
                state.fleet.invalidate()
            result = await state.tokens.get_token(force_refresh=force_refresh)
            # One real call proves the token is accepted by the API, not only issued.
            await state.client.get("list_rooms", params={"page_size": 1})
        current = state.tokens.cached_token
        if current is not None and current.value != result.token.value:
            # Zoom refused the cached token and the call recovered with a new one: report the token in use.
            result = TokenResult(current, "endpoint")
        granted = result.token.scopes
        missing, access = scope_report(granted)
        unavailable = [a.tool for a in access if not a.available]
        if unavailable:
            message = f"Connected, but {', '.join(unavailable)} cannot run until the app gets: {', '.join(missing)}."
        elif missing:
            message = f"Connected. Optional data (e.g. dashboard health) needs: {', '.join(missing)}."
        else:
            message = "Connected; every tool has the scopes it needs."
        if state.demo:
            message = "DEMO MODE (simulated Zoom account, no real data). " + message
        return ConnectionResult(
            status="success",
            account_id=state.account_id,
            client_id=state.client_id,
            token_cached=result.cached,
            token_expires_in=state.tokens.seconds_left(result.token),
            scopes=sorted(granted),
            missing_scopes=missing,
            tools=access,
            api_base_url=state.client.base_url,
            plan=state.settings.zoom_api_plan,
            demo=state.demo,
            message=message,
        )
