"""``zoom-rooms-mcp token``: the cached token's state (never the token itself), or ``--clear`` to delete it."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from zoom_rooms_mcp.cli.common import CONTEXT, PROG, demo_flag, load, log_level, setup_logging

if TYPE_CHECKING:
    from zoom_rooms_mcp.settings import Settings


@click.command(
    "token",
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} token            where the cached token is, when it expires, its scopes
  {PROG} token --json
  {PROG} token --clear    delete it (e.g. after changing the app's scopes)""",
)
@click.option("--clear", is_flag=True, help="Delete the cached token file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_context
def token_command(ctx: click.Context, clear: bool, as_json: bool) -> None:
    """Show the cached access token's state, or delete it. Never prints the token.

    Needs ZOOM_ACCOUNT_ID and ZOOM_CLIENT_ID (the file is per account and app); makes no network call.
    """
    setup_logging(log_level(ctx, None, "ERROR"))
    settings, with_secret = _settings(demo_flag(ctx, False))
    if settings.zoom_rooms_demo:
        message = "Demo mode keeps its token in memory only: nothing is cached on disk."
        click.echo(json.dumps({"demo": True, "message": message}) if as_json else message)
        return
    if clear:
        _token_clear(settings, as_json)
    else:
        _token_show(settings, as_json, with_secret=with_secret)


def _settings(demo: bool | None) -> tuple[Settings, bool]:
    """The settings, and whether they include the client secret (then the file's secret hash is checked too).

    The secret is not needed to find or read the file: without it a placeholder completes the settings.
    """
    from pydantic import SecretStr

    from zoom_rooms_mcp.settings import ConfigError, load_settings

    try:
        return load_settings(demo=demo), True
    except ConfigError:
        return load(demo, zoom_client_secret=SecretStr("unused")), False


def _token_clear(settings: Settings, as_json: bool) -> None:
    from filelock import Timeout

    from zoom_rooms_mcp.doctor import clear_token_cache

    try:
        path, deleted = clear_token_cache(settings)
    except (OSError, Timeout) as exc:
        click.echo(f"{PROG}: could not delete the token cache file: {getattr(exc, 'strerror', None) or exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"path": path, "deleted": deleted}))
    elif deleted:
        click.echo(
            f"Deleted {path}.\nServers that are running keep their token in memory until it expires or Zoom rejects "
            "it; restart them (or call test_zoom_connection with force_refresh=true) to use new scopes right away."
        )
    else:
        click.echo(f"No cached token at {path}; nothing to delete.")


def _token_show(settings: Settings, as_json: bool, *, with_secret: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from zoom_rooms_mcp.cli.render import stdout_console, styled
    from zoom_rooms_mcp.doctor import token_cache_state

    state = token_cache_state(settings, with_secret=with_secret)
    if as_json:
        click.echo(json.dumps(state.to_json(), indent=2))
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    grid.add_row("Cache file", Text(state.path))
    grid.add_row("Exists", styled(state.exists))
    if state.exists:
        if state.expires_at is not None and state.expires_in is not None:
            left = f"in {state.expires_in // 60} min" if state.expires_in > 0 else "expired"
            grid.add_row("Expires", Text(f"{state.expires_at} ({left})"))
        grid.add_row("Scopes", styled(state.scopes))
        grid.add_row("Usable", Text("yes" if state.usable else "no", style="green" if state.usable else "yellow"))
        if state.problem:
            grid.add_row("Note", Text(state.problem, style="yellow"))
    else:
        grid.add_row("Note", Text("The server creates it on its first Zoom call."))
    stdout_console().print(grid)
