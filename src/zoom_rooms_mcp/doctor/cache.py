"""Token cache checks, and the cache-file inspection behind ``zoom-rooms-mcp token``: never the token itself."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from zoom_rooms_mcp.doctor.report import DoctorReport, duration
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.zoom.stack import inspect_token_file, token_file
from zoom_rooms_mcp.zoom.token import TokenFileProblem


@dataclass(slots=True)
class TokenCacheState:
    """The cache file as ``zoom-rooms-mcp token --json`` reports it (from ``TokenFile.inspect()``)."""

    path: str
    exists: bool
    usable: bool = False
    for_this_app: bool | None = None  # written for this client id and token URL
    current_credentials: bool | None = None  # ... and this secret; None when no secret was given to check
    private: bool | None = None
    expires_at: str | None = None
    expires_in: int | None = None
    expired: bool | None = None
    scopes: list[str] = field(default_factory=list)
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _without_secret(settings: Settings) -> Settings:
    """Settings whose file inspection leaves the secret unchecked (the ``token`` command needs no secret)."""
    return settings.model_copy(update={"zoom_client_secret": SecretStr("")})


def token_cache_state(settings: Settings, *, with_secret: bool = True, now: float | None = None) -> TokenCacheState:
    """What the cache file holds, without the token: expiry, scopes, whether the server would use it."""
    now = time.time() if now is None else now
    info = inspect_token_file(settings if with_secret else _without_secret(settings), now=now)
    state = TokenCacheState(path=str(info.path), exists=info.exists, usable=info.valid, private=info.private)
    state.current_credentials = info.current_credentials
    state.problem = info.problem.description if info.problem else None
    if info.expires_at is not None:  # the file was parsed
        expires_at = info.expires_at.timestamp()
        state.for_this_app = info.problem != TokenFileProblem.OTHER_CLIENT
        state.expires_at = info.expires_at.isoformat(timespec="seconds").replace("+00:00", "Z")
        state.expires_in = int(expires_at - now)
        state.expired = expires_at <= now
        state.scopes = list(info.scopes)
    return state


def clear_token_cache(settings: Settings, *, lock_timeout: float = 10.0) -> tuple[str, bool]:
    """Delete the cache file (under its lock, like the server); returns (path, whether a file was deleted)."""
    file = token_file(settings)
    if not file.path.exists() and not file.path.is_symlink():
        return str(file.path), False
    with file.lock.acquire(timeout=lock_timeout):
        try:
            os.unlink(file.path)
        except FileNotFoundError:
            return str(file.path), False
    return str(file.path), True


def probe_cache_dir(directory: Path) -> str | None:
    """None when ``directory`` can hold the token cache, else the reason it cannot."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
    except OSError as exc:
        return exc.strerror or exc.__class__.__name__
    return None


def check_cache(report: DoctorReport, settings: Settings) -> bool:
    """Add the token-cache item; returns whether the file cache is usable."""
    if settings.zoom_rooms_demo:
        report.add("cache", "cache", "Token cache", "info", "not used in demo mode (tokens stay in memory)")
        return False
    directory = settings.token_cache_dir
    reason = probe_cache_dir(directory)
    file = token_file(settings)
    if reason is not None:
        report.add(
            "cache",
            "cache",
            "Cache directory",
            "warn",
            f"{directory} is not writable ({reason}): tokens will be cached in memory only, so every server "
            "process fetches its own token",
            f"Make {directory} writable by this user, or set TOKEN_CACHE_DIR to a writable directory.",
        )
        return False
    report.add("cache", "cache", "Cache directory", "pass", f"{directory} is writable")
    state = token_cache_state(settings)
    if not state.exists:
        detail = f"{file.path} (not created yet)"
    elif state.problem:
        detail = f"{file.path} ({state.problem})"
    else:
        detail = f"{file.path} (valid for {duration(state.expires_in or 0)})"
    report.add("cache.file", "cache", "Cache file", "info", detail)
    return True
