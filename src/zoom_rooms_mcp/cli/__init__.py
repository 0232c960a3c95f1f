"""The ``zoom-rooms-mcp`` command (DESIGN §2): one module per sub-command, rendering in ``render.py``.

``serve`` (the default), ``check``, ``call``, ``demo``, ``simulator``, ``token`` and ``config``; the shared
conventions (stdout for results, stderr for logs and errors, exit statuses) are in ``common.py``.
"""

from __future__ import annotations

import sys

import click

from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.cli.call import call_command
from zoom_rooms_mcp.cli.check import check_command
from zoom_rooms_mcp.cli.common import CONTEXT, LEVELS, PROG, group_options
from zoom_rooms_mcp.cli.config import config_command
from zoom_rooms_mcp.cli.demo import demo_command
from zoom_rooms_mcp.cli.serve import serve_command
from zoom_rooms_mcp.cli.simulator import simulator_command
from zoom_rooms_mcp.cli.token import token_command

__all__ = ["cli", "main"]


def _version_message() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        sdk = version("mcp")
    except PackageNotFoundError:  # pragma: no cover - mcp is a dependency
        sdk = "?"
    return f"%(prog)s %(version)s (MCP SDK {sdk}, Python {sys.version.split()[0]})"


@click.group(
    invoke_without_command=True,
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG}                      serve over stdio (what MCP clients run)
  {PROG} --demo               the same against the built-in simulated Zoom account
  {PROG} config claude-desktop   a ready-to-paste client configuration for this installation
  {PROG} demo                 a guided tour in the terminal
  {PROG} check                diagnose configuration, credentials and scopes
  {PROG} call get_zoom_rooms '{{"location_query": "Seattle", "status": "Offline"}}' --demo
  {PROG} serve --transport http --port 8000

\b
Configuration (environment variables, or a .env file in the working directory):
  ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET   Server-to-Server OAuth app credentials
  TOKEN_CACHE_DIR             token cache directory (default: the user cache dir)
  ZOOM_API_BASE_URL           default https://api.zoom.us/v2
  ZOOM_OAUTH_TOKEN_URL        default https://zoom.us/oauth/token
  ZOOM_API_PLAN               free, pro (default) or business: sets request pacing
  ZOOM_ROOMS_DEMO=1           same as --demo
  ZOOM_ROOMS_MCP_HTTP_TOKEN   bearer token HTTP clients must present

Docs: docs/clients.md, docs/zoom-app-setup.md, docs/troubleshooting.md""",
)
@click.option("--demo", is_flag=True, help="Use the built-in simulated Zoom account (no credentials needed).")
@click.option(
    "--log-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    help="Log level on stderr for any sub-command [default: WARNING for stdio, INFO for http, ERROR otherwise].",
)
@click.version_option(__version__, "--version", "-V", prog_name=PROG, message=_version_message())
@click.pass_context
def cli(ctx: click.Context, demo: bool, log_level: str | None) -> None:
    """Read-only MCP server for inspecting a Zoom Rooms fleet: rooms, locations, devices, health and issues.

    Without a sub-command it serves MCP over stdio (the same as `serve`).
    """
    options = group_options(ctx)
    options["demo"] = demo
    options["log_level"] = log_level
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve_command, demo=demo, log_level=log_level)


for _command in (
    serve_command,
    check_command,
    call_command,
    demo_command,
    simulator_command,
    token_command,
    config_command,
):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name=PROG)
