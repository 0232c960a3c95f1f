"""Typed Zoom failures. Every ``message`` here is written by us (trusted), never raw upstream text.

The tool layer turns these into ``ToolError`` text for the model (``tools/errors.py``); the CLI prints them.
"""

from __future__ import annotations

import re
from datetime import datetime

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f<>`]")
_CONTROL_ONLY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: object, limit: int = 120) -> str:
    """Make untrusted text safe to quote: strip control and markup characters, collapse space, truncate."""
    cleaned = " ".join(_CONTROL.sub(" ", str(text)).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def clean(text: object, limit: int = 200) -> str:
    """Zoom data returned as data (a room name): keep its characters, drop control and bidi-override
    characters that could disguise it, flatten newlines, and cap its length."""
    cleaned = _CONTROL_ONLY.sub("", str(text)).replace("\n", " ").replace("\t", " ").strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


class ZoomError(Exception):
    """Base class. ``message`` is safe to show to a model or a person."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class ZoomAuthError(ZoomError):
    """The token endpoint refused our credentials, or the API keeps refusing a fresh token.

    ``oauth_error`` is the token endpoint's ``error`` value (``invalid_client``, …) when it gave one.
    """

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, oauth_error: str | None = None
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.oauth_error = oauth_error


class ZoomScopeError(ZoomError):
    """Zoom code 4711/4700: the app lacks a scope. ``scopes`` are the names Zoom asked for."""

    def __init__(self, message: str, *, scopes: list[str], status: int | None = 400, code: int | None = 4711) -> None:
        super().__init__(message, status=status, code=code)
        self.scopes = scopes


class ZoomNotFoundError(ZoomError):
    """Zoom code 1012 (room) or 4801 (location), or a plain 404."""

    def __init__(
        self, message: str, *, resource: str, resource_id: str = "", status: int = 404, code: int | None = None
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.resource = resource
        self.resource_id = resource_id


class ZoomRateLimitError(ZoomError):
    """HTTP 429 that we did not (or could no longer) retry."""

    def __init__(
        self,
        message: str,
        *,
        daily: bool,
        category: str | None,
        retry_after: float | None = None,
        reset_at: datetime | None = None,
    ) -> None:
        super().__init__(message, status=429, code=429)
        self.daily = daily
        self.category = category
        self.retry_after = retry_after
        self.reset_at = reset_at


class ZoomServerError(ZoomError):
    """Zoom answered 5xx on every attempt."""


class ZoomNetworkError(ZoomError):
    """Timeouts, refused or dropped connections on every attempt."""


class ZoomResponseError(ZoomError):
    """Zoom answered 2xx but the body was not the JSON we expected (HTML, truncated, wrong shape)."""


class ZoomRequestError(ZoomError):
    """Any other 4xx: bad filter, invalid page token (code 300), no Zoom Rooms subscription (code 200)."""


class ZoomPageTokenExpiredError(ZoomRequestError):
    """Zoom code 300: a ``next_page_token`` expired (15 minutes) or was rejected mid-listing."""


class ZoomPlanError(ZoomRequestError):
    """The account's plan or feature set does not include this data (e.g. Dashboard on a Pro plan)."""


class InvalidIdentifierError(ZoomError):
    """A path parameter we refused to send (empty, too long, or with characters no Zoom id has)."""
