"""Configuration checks: each variable set or unset and from where (never its value), URLs, the HTTP token."""

from __future__ import annotations

import os
from pathlib import Path

from zoom_rooms_mcp.doctor.report import APP_PAGE, DoctorReport
from zoom_rooms_mcp.settings import CREDENTIAL_VARS, ConfigError, Settings, dotenv_present, env_source, load_settings

CREDENTIAL_LABELS = {
    "ZOOM_ACCOUNT_ID": "Account ID",
    "ZOOM_CLIENT_ID": "Client ID",
    "ZOOM_CLIENT_SECRET": "Client Secret",
}
OTHER_VARS = ("ZOOM_API_BASE_URL", "ZOOM_OAUTH_TOKEN_URL", "ZOOM_API_PLAN", "TOKEN_CACHE_DIR")


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
