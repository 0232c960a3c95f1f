"""``zoom-rooms-mcp serve`` (the default command): MCP over stdio, or streamable HTTP."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.cli.common import CONTEXT, LEVELS, PROG, config_exit, demo_flag, load, log_level, setup_logging
from zoom_rooms_mcp.cli.invocation import hint_command

if TYPE_CHECKING:
    from zoom_rooms_mcp.settings import Settings


@click.command(
    "serve",
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} serve                                   stdio, configuration from the environment / .env
  {PROG} serve --demo                            stdio, simulated account
  {PROG} serve --transport http                  http://127.0.0.1:8000/mcp (no token needed on loopback)
  ZOOM_ROOMS_MCP_HTTP_TOKEN=... {PROG} serve --transport http --host 0.0.0.0 --allowed-host mcp.example.com

\b
HTTP transport: streamable HTTP at /mcp (stateless: any replica can serve any request; POST only), an
unauthenticated GET /healthz, bearer token ZOOM_ROOMS_MCP_HTTP_TOKEN (required for a non-loopback --host),
Host/Origin checks against DNS rebinding (loopback names, the --host address and each --allowed-host).""",
)
@click.option("--demo", is_flag=True, help="Serve the built-in simulated Zoom account (no credentials needed).")
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    help="stdio for local clients; http (streamable HTTP at /mcp) for remote ones.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP: address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="HTTP: port (0 picks a free one)."
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    envvar="ZOOM_ROOMS_MCP_ALLOWED_HOSTS",
    metavar="NAME[:PORT]",
    help="HTTP: another Host header to accept, e.g. the public name behind a reverse proxy. Repeatable; also "
    "ZOOM_ROOMS_MCP_ALLOWED_HOSTS (comma or space separated).",
)
@click.option(
    "--log-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    help="Log level on stderr [default: WARNING for stdio, INFO for http].",
)
@click.pass_context
def serve_command(
    ctx: click.Context,
    demo: bool,
    transport: str = "stdio",
    host: str = "127.0.0.1",
    port: int = 8000,
    allowed_hosts: Sequence[str] = (),
    log_level: str | None = None,
) -> None:
    """Serve MCP over stdio (default) or streamable HTTP.

    On stdio, stdout carries only JSON-RPC and every log line goes to stderr.
    """
    if transport == "stdio":
        for name in ("host", "port"):
            if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE:
                raise click.UsageError(f"--{name} applies to --transport http only.", ctx)
        if allowed_hosts and ctx.get_parameter_source("allowed_hosts") == ParameterSource.COMMANDLINE:
            raise click.UsageError("--allowed-host applies to --transport http only.", ctx)
    level = _level(ctx, log_level, transport)
    setup_logging(level)
    settings = load(demo_flag(ctx, demo))
    if transport == "http":
        serve_http(settings, host, port, allowed_hosts, level)
        return
    from zoom_rooms_mcp.server import create_server

    server = create_server(settings)
    if sys.stdin.isatty():
        command = hint_command()
        click.echo(
            f"{PROG} {__version__}: serving MCP over stdio{' (demo mode)' if settings.zoom_rooms_demo else ''}. "
            f"MCP clients start this command themselves; press Ctrl-C to stop. Try `{command} config` for a client "
            f"configuration, or `{command} demo`.",
            err=True,
        )
    with contextlib.suppress(KeyboardInterrupt):
        server.run("stdio")


def _level(ctx: click.Context, level: str | None, transport: str) -> str:
    return log_level(ctx, level, "WARNING" if transport == "stdio" else "INFO")


def serve_http(settings: Settings, host: str, port: int, allowed_hosts: Sequence[str], level: str) -> None:
    from zoom_rooms_mcp.http_transport import ListenError, normalise_allowed_hosts, run_http
    from zoom_rooms_mcp.settings import ConfigError

    try:
        run_http(settings, host, port, allowed_hosts=normalise_allowed_hosts(allowed_hosts), log_level=level)
    except ConfigError as exc:
        config_exit(exc, hint=False)
    except ListenError as exc:
        click.echo(f"{PROG}: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        pass
