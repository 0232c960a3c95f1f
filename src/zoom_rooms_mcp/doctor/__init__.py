"""``zoom-rooms-mcp check``: the configuration and connectivity doctor, and the token cache inspection used by
``zoom-rooms-mcp token``.

``run_checks`` returns a ``DoctorReport`` (data only; the CLI renders it as a table or JSON). Each failed item
carries a specific fix. Nothing here prints or returns a credential value: the credential variables are reported
as set/unset with their source, the access token never leaves ``TokenManager``. The checks live in three modules:
``config`` (variables), ``cache`` (the token file) and ``live`` (token, scopes, one API call).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2

from zoom_rooms_mcp.doctor.cache import TokenCacheState, check_cache, clear_token_cache, token_cache_state
from zoom_rooms_mcp.doctor.config import check_configuration
from zoom_rooms_mcp.doctor.live import check_zoom
from zoom_rooms_mcp.doctor.report import SECTION_TITLES, CheckItem, DoctorReport, Section

__all__ = [
    "SECTION_TITLES",
    "CheckItem",
    "DoctorReport",
    "TokenCacheState",
    "clear_token_cache",
    "run_checks",
    "token_cache_state",
]


async def run_checks(
    *,
    demo: bool | None = None,
    env_file: str | Path | None = ".env",
    strict: bool = False,
    transport: httpx2.AsyncBaseTransport | None = None,
    progress: Callable[[str], None] | None = None,
) -> DoctorReport:
    """Every check, in order; later ones are skipped when what they need is broken."""
    report = DoctorReport(demo=bool(demo), strict=strict)
    settings = check_configuration(report, demo=demo, env_file=env_file)
    if settings is None:
        skipped: tuple[tuple[Section, str], ...] = (
            ("cache", "Token cache"),
            ("token", "Token request"),
            ("api", "API call"),
        )
        for section, title in skipped:
            report.add(section, section, title, "skip", "skipped: fix the configuration first")
        return report
    cache_usable = check_cache(report, settings)
    await check_zoom(report, settings, cache_usable=cache_usable, transport=transport, progress=progress)
    return report
