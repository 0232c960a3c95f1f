"""``zoom-rooms-mcp check``: the configuration and connectivity doctor, and the token cache inspection used by
``zoom-rooms-mcp token``.

``run_checks`` returns a ``DoctorReport`` (data only; the CLI renders it as a table or JSON). Each failed item
carries a specific fix. Nothing here prints or returns a credential value: the credential variables are
reported as set/unset with their source, the access token never leaves ``TokenManager``.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx2
from pydantic import SecretStr

from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.settings import (
    CREDENTIAL_VARS,
    ConfigError,
    Settings,
    dotenv_present,
    env_source,
    load_settings,
)
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS, OPTIONAL_ENDPOINTS, TOOL_ENDPOINTS
from zoom_rooms_mcp.zoom.errors import (
    ZoomAuthError,
    ZoomError,
    ZoomNetworkError,
    ZoomPlanError,
    ZoomRateLimitError,
    ZoomResponseError,
    ZoomScopeError,
    ZoomServerError,
)
from zoom_rooms_mcp.zoom.token import TokenFile, TokenManager, client_fingerprint

Status = Literal["pass", "warn", "fail", "info", "skip"]
Section = Literal["config", "cache", "token", "scopes", "api"]
SECTION_TITLES: dict[Section, str] = {
    "config": "Configuration",
    "cache": "Token cache",
    "token": "Zoom token",
    "scopes": "Scopes per tool",
    "api": "Zoom API",
}
APP_PAGE = "Zoom App Marketplace → Manage → your Server-to-Server OAuth app"
CREDENTIAL_LABELS = {
    "ZOOM_ACCOUNT_ID": "Account ID",
    "ZOOM_CLIENT_ID": "Client ID",
    "ZOOM_CLIENT_SECRET": "Client Secret",
}
OTHER_VARS = ("ZOOM_API_BASE_URL", "ZOOM_OAUTH_TOKEN_URL", "ZOOM_API_PLAN", "TOKEN_CACHE_DIR")
SCOPE_FIX_TAIL = (
    "then make sure the app is activated and run `zoom-rooms-mcp token --clear` so that servers fetch a token "
    "with the new scopes (running servers: restart them, or call test_zoom_connection with force_refresh=true)."
)

# Fixes per token-endpoint "error" value; keyed like token.py's hints so that the two stay in step.
OAUTH_FIXES = {
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


@dataclass(slots=True)
class CheckItem:
    id: str
    section: Section
    title: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass(slots=True)
class DoctorReport:
    demo: bool
    checks: list[CheckItem] = field(default_factory=list)
    granted_scopes: list[str] = field(default_factory=list)
    missing_scopes: list[str] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)
    strict: bool = False

    def add(
        self, id: str, section: Section, title: str, status: Status, detail: str, fix: str | None = None
    ) -> CheckItem:
        item = CheckItem(id, section, title, status, detail, fix)
        self.checks.append(item)
        return item

    @property
    def failures(self) -> list[CheckItem]:
        bad: tuple[Status, ...] = ("fail", "warn") if self.strict else ("fail",)
        return [c for c in self.checks if c.status in bad]

    @property
    def warnings(self) -> list[CheckItem]:
        return [c for c in self.checks if c.status == "warn"]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0: everything works; 2: the configuration is missing or malformed; 1: anything else failed."""
        if any(c.section == "config" and c.status == "fail" for c in self.checks):
            return 2
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "version": __version__,
            "demo": self.demo,
            "checks": [asdict(c) for c in self.checks],
            "scopes": {"granted": self.granted_scopes, "missing": self.missing_scopes},
            "tools": self.tools,
        }


# ---------------------------------------------------------------------------------------------------------------
# configuration


def _problem_for(problems: list[str], name: str) -> str | None:
    for problem in problems:
        if problem.startswith(name + ":"):
            return problem.removeprefix(name + ":").strip()
    return None


def _source(name: str, env_file: str | Path | None) -> str:
    if env_file is None:
        return "environment" if os.environ.get(name) else "unset"
    return env_source(name, env_file)


def _fallback_settings(env_file: str | Path | None) -> Settings | None:
    """Settings for display when the real load failed only on missing credentials."""
    try:
        return load_settings(demo=True, env_file=env_file).model_copy(update={"zoom_rooms_demo": False})
    except ConfigError:
        return None


def check_configuration(
    report: DoctorReport, *, demo: bool | None, env_file: str | Path | None = ".env"
) -> Settings | None:
    """Add the configuration items; return the settings when they are complete and valid."""
    settings: Settings | None
    try:
        settings = load_settings(demo=demo, env_file=env_file)
        problems: list[str] = []
    except ConfigError as exc:
        settings = None
        problems = list(exc.problems)
    shown = settings or _fallback_settings(env_file)
    is_demo = settings.zoom_rooms_demo if settings is not None else bool(demo)
    report.demo = is_demo

    cwd = Path.cwd()
    if env_file is not None and dotenv_present(env_file):
        report.add(
            "dotenv", "config", ".env file", "info", f"found in {cwd} (real environment variables take precedence)"
        )
    else:
        report.add("dotenv", "config", ".env file", "info", f"not found in {cwd}; using environment variables only")
    if is_demo:
        report.add(
            "demo",
            "config",
            "Demo mode",
            "info",
            "on: checks run against the built-in simulated Zoom account; no credentials needed",
        )

    for name in CREDENTIAL_VARS:
        source = _source(name, env_file)
        problem = _problem_for(problems, name)
        label = CREDENTIAL_LABELS[name]
        if is_demo:
            detail = f"set ({source}); not used in demo mode" if source != "unset" else "not needed in demo mode"
            report.add(f"env.{name}", "config", name, "info", detail)
        elif problem is not None:
            report.add(
                f"env.{name}",
                "config",
                name,
                "fail",
                "unset" if "required" in problem else problem,
                f"Set {name} in the environment or in .env: the {label} from {APP_PAGE} → App Credentials.",
            )
        elif _quoted(_credential(settings, name)):
            report.add(
                f"env.{name}",
                "config",
                name,
                "warn",
                f"set ({source}), but the value is wrapped in quotes",
                f"Remove the quotes around {name}: `docker --env-file`, systemd and some MCP clients keep them "
                "literally, and Zoom then rejects the credentials.",
            )
        else:
            report.add(f"env.{name}", "config", name, "pass", f"set ({source})")

    for name in OTHER_VARS:
        problem = _problem_for(problems, name)
        source = _source(name, env_file)
        origin = "default" if source == "unset" else source
        if problem is not None:
            report.add(f"env.{name}", "config", name, "fail", problem, _fix_for_var(name))
            continue
        value = _display_value(shown, name)
        if is_demo and name in ("ZOOM_API_BASE_URL", "ZOOM_OAUTH_TOKEN_URL", "ZOOM_API_PLAN"):
            report.add(f"env.{name}", "config", name, "info", f"{value} ({origin}); replaced by the simulator's")
        else:
            report.add(f"env.{name}", "config", name, "pass", f"{value} ({origin})")

    for name in ("ZOOM_ROOMS_DEMO",):
        problem = _problem_for(problems, name)
        if problem is not None:
            report.add(f"env.{name}", "config", name, "fail", problem, "Use ZOOM_ROOMS_DEMO=1 (on) or 0 (off).")

    token_var = "ZOOM_ROOMS_MCP_HTTP_TOKEN"
    token_source = _source(token_var, env_file)
    secret = shown.zoom_rooms_mcp_http_token if shown is not None else None
    if secret is None:
        report.add(
            f"env.{token_var}",
            "config",
            token_var,
            "info",
            "unset: `serve --transport http` accepts unauthenticated requests on loopback only",
        )
    elif len(secret.get_secret_value().strip()) < 16:
        report.add(
            f"env.{token_var}",
            "config",
            token_var,
            "warn",
            f"set ({token_source}) but shorter than 16 characters",
            "Use a long random value, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`.",
        )
    else:
        report.add(f"env.{token_var}", "config", token_var, "pass", f"set ({token_source}); HTTP clients must send it")

    known = {*CREDENTIAL_VARS, *OTHER_VARS, "ZOOM_ROOMS_DEMO", token_var}
    for problem in problems:
        if not any(problem.startswith(name + ":") for name in known):
            report.add("config", "config", "Configuration", "fail", problem, "Fix the configuration named above.")
    return settings


def _credential(settings: Settings | None, name: str) -> str:
    if settings is None:
        return ""
    if name == "ZOOM_CLIENT_SECRET":
        return settings.client_secret
    return str(getattr(settings, name.lower()) or "")


def _quoted(value: str) -> bool:
    return len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""


def _display_value(settings: Settings | None, name: str) -> str:
    if settings is None:
        return "?"
    value = getattr(settings, name.lower())
    return str(value)


def _fix_for_var(name: str) -> str:
    if name == "ZOOM_API_BASE_URL":
        return (
            "Use https://api.zoom.us/v2 (or https://api.zoomgov.com/v2 for Zoom for Government), or unset it for "
            "the default; plain http:// is accepted only for localhost / 127.0.0.1 / ::1 (the simulator)."
        )
    if name == "ZOOM_OAUTH_TOKEN_URL":
        return (
            "Use https://zoom.us/oauth/token (or https://zoomgov.com/oauth/token for Zoom for Government), or "
            "unset it for the default; plain http:// is accepted only for loopback hosts (the simulator)."
        )
    if name == "ZOOM_API_PLAN":
        return "Set ZOOM_API_PLAN to free, pro or business (the account's plan; it sets the request pacing)."
    return f"Set {name} to a directory path, or unset it for the default."


# ---------------------------------------------------------------------------------------------------------------
# token cache (also used by `zoom-rooms-mcp token`)


@dataclass(slots=True)
class TokenCacheState:
    path: str
    exists: bool
    usable: bool = False
    for_this_app: bool | None = None
    private: bool | None = None
    expires_at: str | None = None
    expires_in: int | None = None
    expired: bool | None = None
    scopes: list[str] = field(default_factory=list)
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def token_file(settings: Settings) -> TokenFile:
    return TokenFile(
        settings.token_cache_dir,
        settings.zoom_account_id or "",
        client_fingerprint(settings.zoom_client_id or "", settings.zoom_oauth_token_url),
    )


def token_cache_state(settings: Settings, *, now: float | None = None) -> TokenCacheState:
    """What the cache file holds, without the token: expiry, scopes, whether it is valid for this app."""
    now = time.time() if now is None else now
    file = token_file(settings)
    state = TokenCacheState(path=str(file.path), exists=False)
    try:
        fd = os.open(file.path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            state.exists, state.problem = True, "the path is a symlink; the server ignores it"
        elif exc.errno != errno.ENOENT:
            state.exists, state.problem = True, f"unreadable ({exc.strerror})"
        return state
    state.exists = True
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        state.private = stat.S_ISREG(info.st_mode) and not info.st_mode & 0o077
        raw = fh.read(64_001)
    try:
        data = json.loads(raw)
        expires_at = float(data["expires_at"])
        scopes = data.get("scopes", [])
        fingerprint = data.get("client_fingerprint")
    except (ValueError, KeyError, TypeError):
        state.problem = "corrupt; the server will replace it"
        return state
    state.scopes = sorted(str(s) for s in scopes) if isinstance(scopes, list) else []
    state.expires_at = datetime.fromtimestamp(expires_at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    state.expires_in = int(expires_at - now)
    state.expired = expires_at <= now
    state.for_this_app = fingerprint == file.fingerprint
    if not state.private:
        state.problem = "not a private (0600) regular file; the server ignores it"
    elif not state.for_this_app:
        state.problem = "written for another client id or token URL; the server will replace it"
    elif state.expired:
        state.problem = "expired; the server will fetch a new token"
    state.usable = file.read(now) is not None
    if state.usable is False and state.problem is None:
        state.problem = "expires within 5 minutes; the server will fetch a new token"
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
        detail = f"{file.path} (valid for {_duration(state.expires_in or 0)})"
    report.add("cache.file", "cache", "Cache file", "info", detail)
    return True


# ---------------------------------------------------------------------------------------------------------------
# token, scopes, API


def _token_failure(report: DoctorReport, exc: ZoomError, settings: Settings) -> None:
    host = httpx2.URL(settings.zoom_oauth_token_url).host
    if isinstance(exc, ZoomAuthError):
        key = exc.oauth_error
        detail = f"Zoom answered {key!r}: {exc.message}" if key else exc.message
        fix = OAUTH_FIXES.get(key or "") or (
            f"Check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET against {APP_PAGE} → App Credentials, "
            "and that the app is activated."
        )
    elif isinstance(exc, ZoomNetworkError):
        detail = exc.message
        fix = (
            f"Check that this machine can reach {host} over HTTPS (firewall, proxy: set HTTPS_PROXY), and that "
            "ZOOM_OAUTH_TOKEN_URL is right: https://zoom.us/oauth/token (https://zoomgov.com/oauth/token for Zoom "
            "for Government), or the simulator's URL."
        )
    elif isinstance(exc, ZoomServerError):
        detail = exc.message
        fix = "Zoom's token endpoint is failing; check https://status.zoom.us and try again in a few minutes."
    elif isinstance(exc, ZoomResponseError):
        detail = exc.message
        fix = "ZOOM_OAUTH_TOKEN_URL does not point at a Zoom OAuth token endpoint; unset it for the default."
    else:
        detail = exc.message
        fix = "Run the check again; if it persists, see docs/troubleshooting.md."
    report.add("token", "token", "Token request", "fail", detail, fix)


def _scope_items(report: DoctorReport, granted: frozenset[str]) -> None:
    from zoom_rooms_mcp.tools.connection import scope_report  # imports the MCP SDK: only when needed

    missing, access = scope_report(granted)
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
            required = [
                k
                for k in TOOL_ENDPOINTS[tool.tool]
                if k not in OPTIONAL_ENDPOINTS and not ENDPOINTS[k].allowed_by(granted)
            ]
            alternatives = "; ".join(
                f"{ENDPOINTS[k].path}: {' or '.join(ENDPOINTS[k].granular_scopes)} (classic: "
                f"{' or '.join(ENDPOINTS[k].classic_scopes)})"
                for k in required
            )
            if all(ENDPOINTS[k].dashboard for k in required):
                # Dashboard scopes are optional (and need a Business+ plan): the tool is off, nothing is broken.
                report.add(
                    f"tool.{tool.tool}",
                    "scopes",
                    tool.tool,
                    "warn",
                    f"unavailable: needs the optional dashboard scope {needs}",
                    f"Optional: in {APP_PAGE} → Scopes, add {alternatives} (the Zoom Dashboard needs a Business, "
                    f"Education or Enterprise plan); {SCOPE_FIX_TAIL}",
                )
                continue
            report.add(
                f"tool.{tool.tool}",
                "scopes",
                tool.tool,
                "fail",
                f"cannot run: missing {needs}",
                f"In {APP_PAGE} → Scopes, add {alternatives}; {SCOPE_FIX_TAIL}",
            )
        elif tool.degraded:
            report.add(
                f"tool.{tool.tool}",
                "scopes",
                tool.tool,
                "warn",
                f"works, without the optional data that needs {needs}",
                f"Optional: add {needs} in {APP_PAGE} → Scopes (the Zoom Dashboard needs a Business, Education or "
                f"Enterprise plan); {SCOPE_FIX_TAIL}",
            )
        else:
            report.add(f"tool.{tool.tool}", "scopes", tool.tool, "pass", "all scopes granted")


def _api_failure(report: DoctorReport, exc: ZoomError, settings: Settings, url: str) -> None:
    host = httpx2.URL(settings.zoom_api_base_url).host
    if isinstance(exc, ZoomScopeError):
        fix = f"In {APP_PAGE} → Scopes, add {' or '.join(exc.scopes) or 'the scope named above'}; {SCOPE_FIX_TAIL}"
    elif isinstance(exc, ZoomAuthError):
        fix = (
            f"The API refused a freshly issued token: check that the app is activated ({APP_PAGE} → Activation) "
            "and that ZOOM_API_BASE_URL belongs to the same Zoom cloud as ZOOM_OAUTH_TOKEN_URL."
        )
    elif isinstance(exc, ZoomPlanError):
        fix = "Use an account with a Zoom Rooms subscription, with an app created by an account admin."
    elif isinstance(exc, ZoomNetworkError):
        fix = (
            f"Check that this machine can reach {host} over HTTPS (firewall, proxy: set HTTPS_PROXY) and that "
            "ZOOM_API_BASE_URL is right: https://api.zoom.us/v2 (https://api.zoomgov.com/v2 for Zoom for Government)."
        )
    elif isinstance(exc, ZoomRateLimitError):
        fix = "Other apps on this account are using its rate limit; try again later."
    elif isinstance(exc, ZoomServerError):
        fix = "Zoom is having trouble; check https://status.zoom.us and try again in a few minutes."
    else:
        fix = "Check ZOOM_API_BASE_URL (default https://api.zoom.us/v2); see docs/troubleshooting.md."
    report.add("api", "api", f"GET {url}", "fail", exc.message, fix)


async def check_zoom(
    report: DoctorReport,
    settings: Settings,
    *,
    cache_usable: bool,
    transport: httpx2.AsyncBaseTransport | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Fetch a fresh token, compare scopes with what each tool needs, and make one real API call."""
    from zoom_rooms_mcp.server import TIMEOUT, USER_AGENT, demo_wiring
    from zoom_rooms_mcp.zoom.client import ZoomClient
    from zoom_rooms_mcp.zoom.pacing import Pacer

    say = progress or (lambda message: None)
    if settings.zoom_rooms_demo:
        settings, transport = demo_wiring(settings)
    token_url, api_base = settings.zoom_oauth_token_url, settings.zoom_api_base_url
    account_id, client_id = settings.zoom_account_id or "", settings.zoom_client_id or ""
    secret = settings.zoom_client_secret or SecretStr("")
    plan = settings.zoom_api_plan
    async with httpx2.AsyncClient(
        transport=transport, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}, follow_redirects=False
    ) as http:
        tokens = TokenManager(
            http=http,
            token_url=token_url,
            account_id=account_id,
            client_id=client_id,
            client_secret=secret,
            cache_dir=settings.token_cache_dir if cache_usable else None,
        )
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
            f"(valid {_duration(tokens.seconds_left(result.token))}, {len(result.token.scopes)} scopes)",
        )
        _scope_items(report, result.token.scopes)

        client = ZoomClient(http=http, tokens=tokens, base_url=api_base, pacer=Pacer(plan))
        url = f"{api_base}/rooms?page_size=1"
        say(f"Calling GET {url}…")
        try:
            body = await client.get("list_rooms", params={"page_size": 1})
        except ZoomError as exc:
            _api_failure(report, exc, settings, url)
            return
        rooms = body.get("rooms")
        count = len(rooms) if isinstance(rooms, list) else 0
        more = " and more" if body.get("next_page_token") else ""
        report.add("api", "api", f"GET {url}", "pass", f"answered with {count} room(s){more}")


def _duration(seconds: int) -> str:
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{max(seconds, 0)} s"


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
