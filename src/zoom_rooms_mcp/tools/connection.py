"""``test_zoom_connection``: is the Zoom app configured, authorised and reachable, and with which scopes."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from zoom_rooms_mcp.tools.common import app
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.errors import ZoomScopeError
from zoom_rooms_mcp.zoom.token import TokenResult


class ToolAccess(BaseModel):
    tool: str = Field(description="Tool name.")
    available: bool = Field(description="True when the app has every scope the tool needs.")
    degraded: bool = Field(description="True when the tool works but some optional data needs scopes it lacks.")
    missing_scopes: list[str] = Field(description="Scopes to add for full results from this tool.")


class ConnectionResult(BaseModel):
    status: Literal["success"] = Field(description="'success': Zoom issued a token.")
    account_id: str = Field(description="Zoom account id in use.")
    client_id: str = Field(description="Client id of the OAuth app.")
    token_cached: bool = Field(description="True when the token came from a cache.")
    token_expires_in: int = Field(description="Seconds until the token expires (renewed automatically).")
    scopes: list[str] = Field(description="Scopes granted to the token.")
    missing_scopes: list[str] = Field(description="Scopes some tool needs that the app lacks.")
    tools: list[ToolAccess] = Field(
        description="Per tool {tool, available, degraded (optional data missing), missing_scopes}."
    )
    api_base_url: str = Field(description="Zoom REST base URL.")
    plan: str = Field(description="ZOOM_API_PLAN (sets request pacing).")
    demo: bool = Field(description="True for the built-in simulated account.")
    message: str = Field(description="Summary for the user.")


async def zoom_connection(
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
    A missing scope is reported, not an error: the result lists the granted scopes and, per tool, whether
    it can run and which scopes it misses. Next: get_zoom_sites or get_zoom_rooms.
    """
    from zoom_rooms_mcp.tools.registry import scope_report  # the registry imports this module

    state = app(ctx)
    probe_note = ""
    with zoom_errors():
        if force_refresh:
            state.fleet.invalidate()
        result = await state.tokens.get_token(force_refresh=force_refresh)
        try:
            # One real call proves the API accepts the token, not only that the token endpoint issued it.
            await state.client.get("list_rooms", params={"page_size": 1})
        except ZoomScopeError:
            # Zoom checked the token and then the scope: the token works, the report below names what is missing.
            probe_note = " (the token works; listing rooms needs a scope it lacks)"
    current = state.tokens.cached_token
    if current is not None and current.value != result.token.value:
        # Zoom refused the cached token and the call recovered with a new one: report the token in use.
        result = TokenResult(current, "endpoint")
    granted = result.token.scopes
    report = scope_report(granted)
    unavailable = [a.tool for a in report.tools if not a.available]
    missing = report.missing_scopes
    if unavailable:
        message = (
            f"Connected{probe_note}, but {', '.join(unavailable)} cannot run until the app gets: {', '.join(missing)}."
        )
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
        tools=report.tools,
        api_base_url=state.client.base_url,
        plan=state.settings.zoom_api_plan,
        demo=state.demo,
        message=message,
    )


def scope_report(granted: frozenset[str]) -> tuple[list[str], list[ToolAccess]]:
    """The doctor's view of ``registry.scope_report`` (kept until ``check`` calls the registry directly)."""
    from zoom_rooms_mcp.tools.registry import scope_report as report_for

    report = report_for(granted)
    return report.missing_scopes, report.tools
