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

    Needs ZOOM_ACCOUNT_ID and ZOOM_CLIENT_ID (the file is per account and app); makes no call to Zoom. With a
    PostgreSQL store (ZOOM_ROOMS_STORE=postgresql://…) the replicas' shared token is in the database: it is
    looked up there, and needs ZOOM_CLIENT_SECRET too (its key includes a hash of the secret).
    """
    setup_logging(log_level(ctx, None, "ERROR"))
    settings, with_secret = _settings(demo_flag(ctx, False))
    if settings.zoom_rooms_demo:
        message = "Demo mode keeps its token in memory only: nothing is cached on disk."
        click.echo(json.dumps({"demo": True, "message": message}) if as_json else message)
        return
    if settings.store_config().kind == "postgresql":
        _shared_token(settings, as_json, clear=clear, with_secret=with_secret)
    elif clear:
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


def _shared_token(settings: Settings, as_json: bool, *, clear: bool, with_secret: bool) -> None:
    """With a PostgreSQL store the replicas share one token in the database (DESIGN §11), not in a file."""
    import time

    import anyio
    from pydantic import SecretStr

    from zoom_rooms_mcp.store import StoreError, open_store
    from zoom_rooms_mcp.store.token_cache import StoreTokenCache
    from zoom_rooms_mcp.zoom.token import Credentials

    where = settings.store_config().display
    if not with_secret:
        click.echo(
            f"{PROG}: the token is shared through the PostgreSQL store {where}, keyed to a hash of the client "
            "secret: set ZOOM_CLIENT_SECRET to look it up.",
            err=True,
        )
        sys.exit(2)

    async def run() -> dict[str, object]:
        account = settings.zoom_account_id or ""
        store = await open_store(settings.store_config().url.get_secret_value(), account_id=account)
        try:
            secret = settings.zoom_client_secret or SecretStr("")
            credentials = Credentials(settings.zoom_oauth_token_url, settings.zoom_client_id or "", secret)
            key = await StoreTokenCache(store, credentials, account).fingerprint()
            if clear:
                return {"store": where, "deleted": await store.delete_token_if(key, None)}
            record = await store.get_token(key)
        finally:
            await store.close()
        if record is None:
            return {"store": where, "exists": False}
        left = int(record.expires_at - time.time())
        return {
            "store": where,
            "exists": True,
            "expires_at": int(record.expires_at),
            "expires_in": left,
            "scopes": sorted(record.scopes),
            "usable": left > 300,
        }

    try:
        state = anyio.run(run)
    except StoreError as exc:
        click.echo(f"{PROG}: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(state, indent=2))
    elif clear:
        done = "Deleted the shared token" if state["deleted"] else "No shared token to delete"
        click.echo(f"{done} in {where}. Every replica fetches a new one on its next Zoom call.")
    elif not state["exists"]:
        click.echo(f"No shared token in {where} yet: the first replica to call Zoom creates it.")
    else:
        left = int(str(state["expires_in"]))
        when = f"in {left // 60} min" if left > 0 else "expired"
        scopes = state["scopes"]
        listed = ", ".join(str(s) for s in scopes) if isinstance(scopes, list) else ""
        click.echo(f"Shared token in {where}: expires {when}; scopes: {listed}.")
