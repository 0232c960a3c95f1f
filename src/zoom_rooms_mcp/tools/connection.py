"""``test_zoom_connection``: is the Zoom app configured, authorised and reachable, and with which scopes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field, WithJsonSchema

from zoom_rooms_mcp.policy import scope_names
from zoom_rooms_mcp.tools.common import app, iso
from zoom_rooms_mcp.tools.errors import zoom_errors
from zoom_rooms_mcp.zoom.errors import ZoomScopeError
from zoom_rooms_mcp.zoom.token import TokenResult


class ToolAccess(BaseModel):
    tool: str
    available: bool
    degraded: bool
    missing_scopes: list[str]


class SyncReport(BaseModel):
    state: Literal["off", "starting", "syncing", "current", "error"]
    leader: bool
    rooms_total: int
    rooms_as_of: str | None
    devices_checked: int
    dashboard_checked: int
    last_error: str | None
    read_error: str | None = None
    device_cycle_seconds: int | None = None
    census: dict[str, Any] | None = None


class StoreReport(BaseModel):
    backend: Literal["memory", "sqlite", "postgresql"]
    sync: SyncReport
    fallback_reason: str | None = None
    write_error: str | None = None


# The store report's shape is spelled out in its description once (nested field lists cost tools/list space).
StoreField = Annotated[
    StoreReport,
    WithJsonSchema(
        {
            "type": "object",
            "description": "Where fleet data is kept and how current: {backend (memory, sqlite, postgresql), sync: "
            "{state (off, starting, syncing, current, error), leader, rooms_total, rooms_as_of, devices_checked, "
            "dashboard_checked, last_error}}.",
        }
    ),
]


class ConnectionResult(BaseModel):
    status: Literal["success"] = Field(description="Zoom issued a token.")
    account_id: str
    client_id: str
    token_cached: bool = Field(description="The token came from a cache.")
    token_expires_in: int = Field(description="Seconds left (renewed automatically).")
    scopes: list[str] = Field(description="Granted to the token.")
    missing_scopes: list[str] = Field(description="Needed by some tool, not granted.")
    tools: list[ToolAccess] = Field(description="Per tool: can it run; degraded: optional data missing.")
    api_base_url: str
    plan: str = Field(description="ZOOM_API_PLAN (sets request pacing).")
    demo: bool = Field(description="The built-in simulated account.")
    store: StoreField
    message: str = Field(description="Summary for the user.")


async def zoom_connection(
    ctx: Context,
    force_refresh: Annotated[
        bool,
        Field(
            description="Fetch a new token (e.g. after adding scopes) and treat fleet data read so far as stale. "
            "Default false."
        ),
    ] = False,
) -> ConnectionResult:
    """Check the Zoom Server-to-Server OAuth app (credentials, token, scopes, one API call) and how current
    the fleet store is.

    Use when the user asks whether Zoom works, when a tool reports an authentication or scope error, or
    after the app's scopes changed (force_refresh=true). Missing scopes are reported per tool, not as
    errors. Next: get_zoom_sites or get_zoom_rooms.
    """
    from zoom_rooms_mcp.tools.registry import scope_report  # the registry imports this module

    state = app(ctx)
    refused: ZoomScopeError | None = None
    with zoom_errors():
        if force_refresh:
            state.service.invalidate()
        result = await state.tokens.get_token(force_refresh=force_refresh)
        try:
            # One real call proves the API accepts the token, not only that the token endpoint issued it.
            await state.client.get("list_rooms", params={"page_size": 1})
        except ZoomScopeError as exc:
            # Zoom checked the token and then the scope: the token works, the report below names what is missing.
            refused = exc
    current = state.tokens.cached_token
    if current is not None and current.value != result.token.value:
        # Zoom refused the cached token and the call recovered with a new one: report the token in use.
        result = TokenResult(current, "endpoint")
    granted = result.token.scopes
    report = scope_report(granted)
    unavailable = [a.tool for a in report.tools if not a.available]
    missing = report.missing_scopes
    probe_note = " (the token works; listing rooms needs a scope it lacks)" if refused else ""
    if unavailable:
        message = (
            f"Connected{probe_note}, but {', '.join(unavailable)} cannot run until the app gets: {', '.join(missing)}."
        )
    elif refused is not None:
        # The token names the scope but Zoom refused it: the app's scopes changed after the token was issued.
        message = (
            f"Connected (the token works), but Zoom refused to list rooms without {scope_names(refused)}. Add it to "
            "the app, then call again with force_refresh=true."
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
        store=store_out(state.store_report()),
        message=message,
    )


def store_out(report: dict[str, object]) -> StoreReport:
    """The server's store report with its read time as ISO-8601 (the report keeps epoch seconds)."""
    sync = report.get("sync")
    sync = dict(sync) if isinstance(sync, dict) else {}
    as_of = sync.get("rooms_as_of")
    sync["rooms_as_of"] = iso(float(as_of)) if isinstance(as_of, int | float) else None
    return StoreReport.model_validate({**report, "sync": sync})
