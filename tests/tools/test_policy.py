"""The error policy: every ZoomError kind has its three texts, written once."""

from __future__ import annotations

import pytest

from zoom_rooms_mcp.policy import OAUTH_FIXES, advise, degraded_note, operator_fix, tool_text
from zoom_rooms_mcp.zoom.errors import (
    InvalidIdentifierError,
    ZoomAuthError,
    ZoomError,
    ZoomNetworkError,
    ZoomNotFoundError,
    ZoomPlanError,
    ZoomRateLimitError,
    ZoomRequestError,
    ZoomResponseError,
    ZoomScopeError,
    ZoomServerError,
)

KINDS: list[ZoomError] = [
    ZoomScopeError("Missing scope.", scopes=["dashboard:read:issues_zoomroom:admin"]),
    ZoomAuthError("Refused.", oauth_error="invalid_client"),
    ZoomAuthError("Refused."),
    ZoomRateLimitError("Daily quota used.", daily=True, category="Heavy"),
    ZoomRateLimitError("Slow down.", daily=False, category="Medium"),
    ZoomNotFoundError("Gone.", resource="room"),
    ZoomPlanError("The Dashboard needs a Business plan."),
    ZoomServerError("Zoom answered 503."),
    ZoomNetworkError("Timed out."),
    ZoomResponseError("Not JSON."),
    InvalidIdentifierError("Bad id."),
    ZoomRequestError("Bad filter."),
]


@pytest.mark.parametrize("exc", KINDS, ids=lambda e: type(e).__name__)
def test_every_kind_has_three_texts(exc: ZoomError) -> None:
    advice = advise(exc)
    assert advice.tool_text
    assert advice.degraded_note
    assert advice.operator_fix
    if not isinstance(exc, ZoomNotFoundError):  # its own wording points to the tools that list ids
        assert exc.message in advice.tool_text
    assert degraded_note(exc, "Devices").startswith("Devices not shown: ")
    assert tool_text(exc) == advice.tool_text
    assert operator_fix(exc) == advice.operator_fix


def test_scope_texts_name_granular_and_classic_scopes() -> None:
    exc = ZoomScopeError("Missing scope.", scopes=["dashboard:read:issues_zoomroom:admin"])
    note = degraded_note(exc, "Issue history")
    assert "dashboard:read:issues_zoomroom:admin" in note
    assert "dashboard_home:read:admin" in note
    assert "Scopes" in operator_fix(exc)


def test_oauth_fixes_live_in_the_policy() -> None:
    for key, fix in OAUTH_FIXES.items():
        assert operator_fix(ZoomAuthError("Refused.", oauth_error=key)) == fix


def test_the_token_stage_points_at_the_token_url_and_names_the_host() -> None:
    """`check` gets every fix from here: a failed token request points at ZOOM_OAUTH_TOKEN_URL, an API call at
    ZOOM_API_BASE_URL, each naming the host it tried."""
    network = ZoomNetworkError("Timed out.")
    assert "ZOOM_OAUTH_TOKEN_URL" in operator_fix(network, "token", "zoom.us")
    assert "reach zoom.us over HTTPS" in operator_fix(network, "token", "zoom.us")
    assert "ZOOM_API_BASE_URL" in operator_fix(network, "api", "api.zoom.us")
    assert "reach api.zoom.us over HTTPS" in operator_fix(network, "api", "api.zoom.us")
    for key, fix in OAUTH_FIXES.items():  # the OAuth fixes are the same at either stage
        assert operator_fix(ZoomAuthError("Refused.", oauth_error=key), "token") == fix
