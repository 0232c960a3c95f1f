"""What every command shares: logging on stderr, the group's options, settings loading and exit statuses.

Conventions: results go to stdout, logs/progress/errors to stderr; a configuration problem prints the
``ConfigError`` text and exits 2 (never a traceback); a failed check or tool call exits 1. Heavy imports (the MCP
SDK, the server, rich) happen inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from zoom_rooms_mcp.cli.invocation import PROG, hint_command

if TYPE_CHECKING:
    from zoom_rooms_mcp.settings import ConfigError, Settings

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
T = TypeVar("T")

__all__ = ["CONTEXT", "LEVELS", "PROG", "config_exit", "demo_flag", "load", "log_level", "run", "setup_logging"]


def setup_logging(level: str) -> None:
    """Every log line goes to stderr (stdout is the JSON-RPC channel on stdio)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric)
    # One line per outbound request at INFO is noise (and would show every Zoom URL); keep it for DEBUG.
    quiet = logging.DEBUG if numeric <= logging.DEBUG else logging.WARNING
    for name in ("httpx2", "httpcore2", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(quiet)


def group_options(ctx: click.Context) -> dict[str, Any]:
    """The options given to the group (``zoom-rooms-mcp --demo check``), shared with every sub-command."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    obj: dict[str, Any] = root.obj
    return obj


def demo_flag(ctx: click.Context, demo: bool) -> bool | None:
    """``--demo`` on the command or the group → True; otherwise None, so ZOOM_ROOMS_DEMO decides."""
    return True if demo or group_options(ctx).get("demo") else None


def log_level(ctx: click.Context, level: str | None, default: str) -> str:
    return (level or group_options(ctx).get("log_level") or default).upper()


def config_exit(exc: ConfigError, *, hint: bool = True) -> NoReturn:
    click.echo(f"{PROG}: {exc}", err=True)
    if hint:
        command = hint_command()
        click.echo(
            f"Run `{command} check` for a full diagnosis, or `{command} demo` to try the simulated account.",
            err=True,
        )
    sys.exit(2)


def load(demo: bool | None, **overrides: Any) -> Settings:
    from zoom_rooms_mcp.settings import ConfigError, load_settings

    try:
        return load_settings(demo=demo, **overrides)
    except ConfigError as exc:
        config_exit(exc)


def run(func: Callable[[], Awaitable[T]]) -> T:
    import anyio

    return anyio.run(func)
