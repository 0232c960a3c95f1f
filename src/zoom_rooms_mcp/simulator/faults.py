"""Fault rules: what to break, for which requests, how many times. Applied by ``middleware.FaultMiddleware``.

A rule matches a request when its ``path`` glob (``fnmatch``, so ``*`` also crosses ``/``) matches the request
path, e.g. ``"/v2/rooms*"`` or ``"/oauth/token"``, and its ``method`` (any when ``None``) matches. The first
active rule in insertion order wins and uses up one of its ``times`` (``None`` = until removed).

Kinds:
- ``status``: answer ``status`` (default 500) with ``{"code": code or status, "message": message or reason}``.
- ``rate_limit_qps``: Zoom's per-second 429, with ``Retry-After: retry_after`` when ``retry_after`` is set.
- ``rate_limit_daily``: Zoom's daily 429 (``Retry-After`` = next 00:00 UTC).
- ``malformed_json``: the real response with its body cut in half.
- ``html``: a proxy's HTML error page with ``status`` (default 502).
- ``slow``: wait ``delay`` seconds (default 1) before answering normally.
- ``timeout``: in-process, ``httpx2.ReadTimeout`` at once; on a socket, wait ``delay`` (default 30) first.
- ``drop``: in-process, ``httpx2.RemoteProtocolError``; on a socket, a partial response, then the
  connection is closed.
- ``revoke``: revoke every token issued so far, then handle the request (which then gets a 401).
"""

from __future__ import annotations

import threading
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal[
    "status", "rate_limit_qps", "rate_limit_daily", "malformed_json", "html", "slow", "timeout", "drop", "revoke"
]


class Fault(BaseModel):
    """One rule. Over HTTP it is this model as JSON (``id`` and ``remaining`` are filled in by the simulator)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FaultKind
    path: str = "*"
    method: str | None = None
    times: int | None = Field(default=1, ge=1)
    status: int | None = Field(default=None, ge=400, le=599)
    code: int | None = None
    message: str | None = None
    retry_after: float | None = Field(default=None, ge=0)
    delay: float | None = Field(default=None, ge=0)
    id: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method.upper()) and fnmatchcase(path, self.path)


class FaultController:
    """Thread-safe: a test thread may add rules while the simulator serves on another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[int, Fault] = {}
        self._remaining: dict[int, int | None] = {}
        self._next_id = 1
        self.latency = 0.0  # seconds added to every Zoom request (not the control routes)

    def add(
        self,
        kind: FaultKind,
        path: str = "*",
        *,
        method: str | None = None,
        times: int | None = 1,
        status: int | None = None,
        code: int | None = None,
        message: str | None = None,
        retry_after: float | None = None,
        delay: float | None = None,
    ) -> Fault:
        return self.add_rule(
            Fault(
                kind=kind,
                path=path,
                method=method,
                times=times,
                status=status,
                code=code,
                message=message,
                retry_after=retry_after,
                delay=delay,
            )
        )

    def add_rule(self, fault: Fault) -> Fault:
        with self._lock:
            stored = fault.model_copy(update={"id": self._next_id})
            self._next_id += 1
            self._rules[stored.id] = stored
            self._remaining[stored.id] = stored.times
        return stored

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            self._remaining.pop(fault_id, None)
            return self._rules.pop(fault_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._remaining.clear()
            self.latency = 0.0

    @property
    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules.values())

    def remaining(self, fault_id: int) -> int | None:
        """Uses left (``None`` = unlimited); a used-up rule is removed, so this raises ``KeyError`` then."""
        with self._lock:
            return self._remaining[fault_id]

    def take(self, method: str, path: str) -> Fault | None:
        """The rule for this request, if any, using up one of its ``times``."""
        with self._lock:
            for fault in self._rules.values():
                if fault.matches(method, path):
                    left = self._remaining[fault.id]
                    if left is not None:
                        if left <= 1:
                            del self._rules[fault.id], self._remaining[fault.id]
                        else:
                            self._remaining[fault.id] = left - 1
                    return fault
        return None
