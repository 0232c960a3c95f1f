"""Zoom-shaped error bodies: ``{"code": <int>, "message": "<text>"}`` with Zoom's codes (REFERENCE §2.1)."""

from __future__ import annotations

from typing import Any


class ZoomApiError(Exception):
    """Raised by endpoint code; the dispatcher turns it into a JSON error response."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid_fields(*fields: str) -> ZoomApiError:
    """Zoom's validation error (docs-errors.md): code 300 "Validation Failed." listing the fields."""
    return ZoomApiError(
        400, 300, "Validation Failed.", errors=[{"field": field, "message": "Invalid field."} for field in fields]
    )


def room_not_found(room_id: str) -> ZoomApiError:
    return ZoomApiError(404, 1012, f"Room not found: {room_id}.")


def location_not_found(location_id: str) -> ZoomApiError:
    return ZoomApiError(404, 4801, f"Location not found: {location_id}.")


def unknown_endpoint() -> ZoomApiError:
    # Zoom documents code 2300 under HTTP 400 for the Users API; a 404 status is the simulator's choice.
    return ZoomApiError(404, 2300, "This API endpoint is not recognized.")


def invalid_token(message: str = "Invalid access token.", status: int = 401) -> ZoomApiError:
    """Code 124; Zoom has been seen answering it with 401 and documents 400 (a variant)."""
    return ZoomApiError(status, 124, message)
