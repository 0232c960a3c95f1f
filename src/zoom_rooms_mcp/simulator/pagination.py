"""``page_size`` / ``next_page_token`` / ``page_number`` handling shared by every list endpoint.

A ``next_page_token`` is self-contained (offset + issue time + an HMAC over the request's filters), so the
simulator keeps no per-listing state. It is refused, with Zoom's 400/300 error, when it is malformed, older than
15 minutes by the injected clock, or used with a different endpoint, path or filters than the listing that issued
it. Simulator choices (Zoom leaves them open): ``page_size`` above 300 is clamped and the clamped value is echoed
(or refused with 400/300 under the ``page_size_over_max="reject"`` variant); a ``page_size`` below 1 means the
default 30.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import ZoomApiError, invalid_fields

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 30, 300
PAGE_TOKEN_TTL = 15 * 60


def invalid_page_token() -> ZoomApiError:
    return ZoomApiError(400, 300, "The next page token is invalid or expired.")


@dataclass(frozen=True, slots=True)
class Window:
    """The slice ``[start:stop]`` of a listing to return, and the paging fields to echo."""

    start: int
    stop: int
    page_size: int
    page_number: int
    page_count: int
    next_page_token: str


class PageTokens:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._key = secrets.token_bytes(32)

    def _mac(self, payload: str, context: str) -> str:
        digest = hmac.new(self._key, f"{payload}|{context}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:12]).decode()

    def issue(self, offset: int, context: str) -> str:
        payload = f"{offset}.{round(self._clock() * 1000)}"
        return base64.urlsafe_b64encode(f"{payload}.{self._mac(payload, context)}".encode()).decode().rstrip("=")

    def offset(self, token: str, context: str) -> int:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            offset, issued_ms, mac = raw.split(".")
            valid = hmac.compare_digest(mac, self._mac(f"{offset}.{issued_ms}", context))
            if valid and 0 <= self._clock() - int(issued_ms) / 1000 < PAGE_TOKEN_TTL:
                return int(offset)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            pass
        raise invalid_page_token()

    def window(
        self,
        query: Mapping[str, str],
        total: int,
        context: str,
        *,
        page_numbers: bool = False,
        reject_oversize: bool = False,
    ) -> Window:
        """Which items to return; ``page_numbers`` also honours the legacy ``page_number`` parameter."""
        page_size = _page_size(query.get("page_size"), reject_oversize)
        token = query.get("next_page_token", "")
        if token:
            start = self.offset(token, context)
        elif page_numbers:
            start = (_positive(query, "page_number") - 1) * page_size
        else:
            start = 0
        stop = min(start + page_size, total)
        return Window(
            start=min(start, total),
            stop=stop,
            page_size=page_size,
            page_number=start // page_size + 1,
            page_count=math.ceil(total / page_size),
            next_page_token=self.issue(stop, context) if stop < total else "",
        )


def _page_size(raw: str | None, reject_oversize: bool) -> int:
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise invalid_fields("page_size") from None
    if reject_oversize and size > MAX_PAGE_SIZE:
        raise invalid_fields("page_size")
    return DEFAULT_PAGE_SIZE if size < 1 else min(size, MAX_PAGE_SIZE)


def _positive(query: Mapping[str, str], name: str) -> int:
    raw = query.get(name) or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise invalid_fields(name)
    return int(raw)
