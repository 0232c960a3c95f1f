"""Live checks: a fresh token, the granted scopes against what each tool needs, and one real API call."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx2

from zoom_rooms_mcp.doctor.report import APP_PAGE, DoctorReport, duration, scope_fix_tail
from zoom_rooms_mcp.policy import operator_fix
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.zoom.errors import (
    ZoomAuthError,
    ZoomError,
)
from zoom_rooms_mcp.zoom.stack import open_zoom_stack


def _token_failure(report: DoctorReport, exc: ZoomError, settings: Settings) -> None:
    key = exc.oauth_error if isinstance(exc, ZoomAuthError) else None
    detail = f"Zoom answered {key!r}: {exc.message}" if key else exc.message
    host = httpx2.URL(settings.zoom_oauth_token_url).host
    report.add("token", "token", "Token request", "fail", detail, operator_fix(exc, "token", host))


def _scope_items(report: DoctorReport, granted: frozenset[str]) -> None:
    from zoom_rooms_mcp.tools.registry import scope_report  # imports the MCP SDK: only when needed

    scopes = scope_report(granted)
    missing, access = scopes.missing_scopes, scopes.tools
    report.granted_scopes = sorted(granted)
    report.missing_scopes = missing
    report.tools = [a.model_dump() for a in access]
    report.add(
        "scopes",
        "scopes",
        "Granted scopes",
        "info",
        ", ".join(sorted(granted)) if granted else "none (the token carries no scopes)",
    )
    for tool in access:
        needs = ", ".join(tool.missing_scopes)
        if not tool.available:
            required = scopes.blocking.get(tool.tool, [])
            alternatives = "; ".join(
                f"{e.path}: {' or '.join(e.granular_scopes)} (classic: {' or '.join(e.classic_scopes)})"
                for e in required
            )
            if all(e.dashboard for e in required):
                # Dashboard scopes are optional (and need a Business+ plan): the tool is off, nothing is broken.
                report.add(
                    f"tool.{tool.tool}",
                    "scopes",
                    tool.tool,
                    "warn",
                    f"unavailable: needs the optional dashboard scope {needs}",
                    f"Optional: in {APP_PAGE} → Scopes, add {alternatives} (the Zoom Dashboard needs a Business, "
                    f"Education or Enterprise plan); {scope_fix_tail()}",
                )
                continue
            report.add(
                f"tool.{tool.tool}",
                "scopes",
                tool.tool,
                "fail",
                f"cannot run: missing {needs}",
                f"In {APP_PAGE} → Scopes, add {alternatives}; {scope_fix_tail()}",
            )
        elif tool.degraded:
            report.add(
                f"tool.{tool.tool}",
                "scopes",
                tool.tool,
                "warn",
                f"works, without the optional data that needs {needs}",
                f"Optional: add {needs} in {APP_PAGE} → Scopes (the Zoom Dashboard needs a Business, Education or "
                f"Enterprise plan); {scope_fix_tail()}",
            )
        else:
            report.add(f"tool.{tool.tool}", "scopes", tool.tool, "pass", "all scopes granted")


def _api_failure(report: DoctorReport, exc: ZoomError, settings: Settings, url: str) -> None:
    host = httpx2.URL(settings.zoom_api_base_url).host
    report.add("api", "api", f"GET {url}", "fail", exc.message, operator_fix(exc, "api", host))


async def check_zoom(
    report: DoctorReport,
    settings: Settings,
    *,
    cache_usable: bool,
    transport: httpx2.AsyncBaseTransport | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Fetch a fresh token, compare scopes with what each tool needs, and make one real API call, through the
    same client stack the server runs on (``open_zoom_stack``)."""
    from zoom_rooms_mcp.server import demo_wiring

    say = progress or (lambda message: None)
    if settings.zoom_rooms_demo:
        settings, transport = demo_wiring(settings)
    token_url, api_base = settings.zoom_oauth_token_url, settings.zoom_api_base_url
    cache_dir = settings.token_cache_dir if cache_usable else None
    async with open_zoom_stack(settings, transport=transport, cache_dir=cache_dir) as stack:
        tokens = stack.tokens
        say(f"Requesting a token from {httpx2.URL(token_url).host}…")
        started = time.perf_counter()
        try:
            # Always a fresh token: a cached one would hide rotated credentials or changed scopes.
            result = await tokens.get_token(force_refresh=True)
        except ZoomError as exc:
            _token_failure(report, exc, settings)
            report.add("scopes", "scopes", "Scopes", "skip", "skipped: no token")
            report.add("api", "api", "API call", "skip", "skipped: no token")
            return
        elapsed = time.perf_counter() - started
        where = f" and saved to {tokens.cache_path}" if tokens.cache_path else ""
        report.add(
            "token",
            "token",
            "Token request",
            "pass",
            f"new token from {token_url} in {elapsed:.1f}s{where} "
            f"(valid {duration(tokens.seconds_left(result.token))}, {len(result.token.scopes)} scopes)",
        )
        _scope_items(report, result.token.scopes)
        url = f"{api_base}/rooms?page_size=1"
        say(f"Calling GET {url}…")
        try:
            body = await stack.client.get("list_rooms", params={"page_size": 1})
        except ZoomError as exc:
            _api_failure(report, exc, settings, url)
            return
        rooms = body.get("rooms")
        count = len(rooms) if isinstance(rooms, list) else 0
        more = " and more" if body.get("next_page_token") else ""
        report.add("api", "api", f"GET {url}", "pass", f"answered with {count} room(s){more}")
