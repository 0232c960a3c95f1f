"""One error policy: each kind of ``ZoomError`` maps, once, to the three texts it is ever shown as.

* ``tool_text``: the tool's error (what happened and what the model should do next);
* ``degraded_note``: a ``notes`` entry when an optional part of an answer could not be read;
* ``operator_fix``: what the person running the server changes (printed by ``zoom-rooms-mcp check``).

Every text is our own wording plus the error's trusted ``message``; nothing upstream is quoted raw.
The OAuth fixes per token-endpoint ``error`` value live here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zoom_rooms_mcp.zoom.catalog import ENDPOINTS
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

APP_PAGE = "Zoom App Marketplace → Manage → your Server-to-Server OAuth app"
SCOPE_FIX_TAIL = (
    "then make sure the app is activated and run `zoom-rooms-mcp token --clear` so that servers fetch a token "
    "with the new scopes (running servers: restart them, or call test_zoom_connection with force_refresh=true)."
)
DASHBOARD_PLAN = "the Zoom Dashboard needs a Business, Education or Enterprise plan with the Dashboard enabled"

# Token-endpoint "error" values (REFERENCE §1.4) → what the operator changes.
OAUTH_FIXES: dict[str, str] = {
    "invalid_client": "Copy the Client ID and Client Secret again from "
    f"{APP_PAGE} → App Credentials into ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET (no quotes, no spaces). If the "
    "secret was regenerated, every server using the old one must be updated.",
    "invalid_request": f"Set ZOOM_ACCOUNT_ID to the Account ID shown on {APP_PAGE} → App Credentials (not a user "
    "id or an e-mail address); check that ZOOM_OAUTH_TOKEN_URL belongs to the same Zoom cloud as the app.",
    "unsupported_grant_type": "Create a Server-to-Server OAuth app (Zoom App Marketplace → Develop → Build App → "
    "Server-to-Server OAuth) and use its credentials: General (OAuth) and JWT apps cannot use the "
    "account_credentials grant.",
    "access_denied": f"Activate the app ({APP_PAGE} → Activation), or ask an account admin to re-enable it.",
}
AUTH_FIX = (
    f"Check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET against {APP_PAGE} → App Credentials, that the "
    "app is activated, and that ZOOM_API_BASE_URL and ZOOM_OAUTH_TOKEN_URL belong to the same Zoom cloud."
)


@dataclass(frozen=True, slots=True)
class Advice:
    tool_text: str
    degraded_note: str
    operator_fix: str


def scope_names(exc: ZoomScopeError) -> str:
    """The scopes Zoom asked for, with the classic scope that unlocks the same endpoint."""
    granular = " or ".join(exc.scopes) or "the scope named by Zoom"
    classic = sorted(
        {c for e in ENDPOINTS.values() if set(e.granular_scopes) & set(exc.scopes) for c in e.classic_scopes}
    )
    return f"{granular} (classic apps: {' or '.join(classic)})" if classic else granular


def advise(exc: ZoomError) -> Advice:
    """The three texts for ``exc``; the one place each kind of failure is worded."""
    if isinstance(exc, ZoomScopeError):
        scopes = scope_names(exc)
        return Advice(
            f"{exc.message} Until then, tools that do not need it keep working.",
            f"the app lacks the scope {scopes}",
            f"In {APP_PAGE} → Scopes, add {scopes}; {SCOPE_FIX_TAIL}",
        )
    if isinstance(exc, ZoomAuthError):
        return Advice(
            f"Authentication with Zoom failed. {exc.message} Tell the user; retrying will not help.",
            "Zoom refused the app's credentials",
            OAUTH_FIXES.get(exc.oauth_error or "", AUTH_FIX),
        )
    if isinstance(exc, ZoomRateLimitError):
        if exc.daily:
            return Advice(exc.message, "the account's daily Zoom quota is used up", exc.message)
        return Advice(
            exc.message + " Do not retry immediately in a loop.",
            "Zoom rate-limited the request; ask again in a few seconds",
            "Other apps on this account share its rate limit; lower their load or ZOOM_ROOMS_SYNC_SHARE.",
        )
    if isinstance(exc, ZoomNotFoundError):
        return Advice(
            f"Zoom has no {exc.resource} with that id. Call get_zoom_rooms (rooms) or get_zoom_sites (locations) "
            "to find valid ids, or pass a name instead.",
            f"Zoom no longer knows this {exc.resource} (it may have just been removed)",
            "Nothing to fix in the configuration: the id is unknown to Zoom.",
        )
    if isinstance(exc, ZoomPlanError):
        return Advice(
            exc.message,
            "the account's plan has no Zoom Dashboard (Business+)"
            if "Dashboard" in exc.message
            else "Zoom refused access for this account",
            f"Use an account with a Zoom Rooms subscription; {DASHBOARD_PLAN}.",
        )
    if isinstance(exc, ZoomServerError):
        return Advice(
            f"{exc.message} Zoom is having trouble; it was retried already. Try again in a minute.",
            "Zoom answered with a server error",
            "Zoom is having trouble; check https://status.zoom.us and try again in a few minutes.",
        )
    if isinstance(exc, ZoomNetworkError):
        return Advice(
            f"{exc.message} It was retried already. Check the server's network access to Zoom, then try again.",
            "Zoom could not be reached",
            "Check that this machine can reach Zoom over HTTPS (firewall, proxy: set HTTPS_PROXY) and that "
            "ZOOM_API_BASE_URL is right: https://api.zoom.us/v2 (https://api.zoomgov.com/v2 for Zoom for Government).",
        )
    if isinstance(exc, ZoomResponseError):
        return Advice(
            f"{exc.message} It was retried already; try again shortly.",
            "Zoom's answer could not be read",
            "Check that ZOOM_API_BASE_URL and ZOOM_OAUTH_TOKEN_URL point at Zoom (unset them for the defaults).",
        )
    if isinstance(exc, InvalidIdentifierError):
        return Advice(exc.message, "an id was not valid", "Nothing to fix in the configuration.")
    return Advice(
        exc.message + " Check the arguments and try again.",
        "Zoom refused the request",
        "Run `zoom-rooms-mcp check`; if it persists, see docs/troubleshooting.md.",
    )


def tool_text(exc: ZoomError) -> str:
    return advise(exc).tool_text


def degraded_note(exc: ZoomError, what: str) -> str:
    """``"Devices not shown: the app lacks the scope …."`` for a part of an answer that could not be read."""
    return f"{what} not shown: {advise(exc).degraded_note}."


Stage = Literal["token", "api"]

# Where a failure of the token request (not the REST API) points the operator instead.
_TOKEN_STAGE_FIXES: dict[type[ZoomError], str] = {
    ZoomNetworkError: "Check that this machine can reach {host} over HTTPS (firewall, proxy: set HTTPS_PROXY), and "
    "that ZOOM_OAUTH_TOKEN_URL is right: https://zoom.us/oauth/token (https://zoomgov.com/oauth/token for Zoom for "
    "Government), or the simulator's URL.",
    ZoomServerError: "Zoom's token endpoint is failing; check https://status.zoom.us and try again in a few minutes.",
    ZoomResponseError: "ZOOM_OAUTH_TOKEN_URL does not point at a Zoom OAuth token endpoint; unset it for the default.",
}


def operator_fix(exc: ZoomError, stage: Stage = "api", host: str = "Zoom") -> str:
    """What the operator changes. ``stage`` says which request failed, the token request or an API call (a
    network failure or an odd answer then means a different URL); ``host`` names the machine it tried."""
    fix = _TOKEN_STAGE_FIXES.get(type(exc)) if stage == "token" else None
    if fix is None:
        fix = advise(exc).operator_fix
    return fix.replace("{host}", host).replace("reach Zoom over", f"reach {host} over")
