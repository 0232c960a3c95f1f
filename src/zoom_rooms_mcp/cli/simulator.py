"""``zoom-rooms-mcp simulator``: the Zoom simulator as a standalone HTTP server on loopback."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from typing import Any

import click

from zoom_rooms_mcp.cli.common import CONTEXT, PROG, log_level, setup_logging
from zoom_rooms_mcp.cli.invocation import hint_command


@click.command(
    "simulator",
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} simulator                                  http://127.0.0.1:8765, default credentials
  {PROG} simulator --port 0 --rooms 500 --seed 42   a free port, a bigger fleet
  {PROG} simulator --plan pro --scope room:read:admin   a Pro account without dashboard scopes

\b
Then, in another shell, use the printed environment block and run e.g. `{PROG} check`.
Fault injection and statistics: see the control API under /_simulator/.""",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0 picks a free one)."
)
@click.option("--rooms", type=click.IntRange(1, 100_000), default=150, show_default=True, help="Rooms in the fleet.")
@click.option("--seed", type=int, default=7, show_default=True, help="Fleet generator seed (same seed, same fleet).")
@click.option("--account-id", help="Account id the token endpoint accepts [default: sim-account-0001].")
@click.option("--client-id", help="Client id it accepts [default: sim-client-id].")
@click.option("--client-secret", help="Client secret it accepts [default: sim-client-secret].")
@click.option(
    "--plan", type=click.Choice(["pro", "business"]), default="business", show_default=True, help="Rate limits."
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="Scope granted to tokens (repeatable) [default: room:read:admin dashboard_zr:read:admin "
    "dashboard_home:read:admin].",
)
@click.option(
    "--webhook-url",
    help="Send Zoom-signed webhooks (zoomroom.alert, …) here whenever the fleet changes, e.g. "
    "http://127.0.0.1:8000/zoom/webhook (needs --webhook-secret).",
)
@click.option(
    "--webhook-secret",
    envvar="ZOOM_WEBHOOK_SECRET_TOKEN",
    help="Secret Token that signs the webhooks (same as the server's ZOOM_WEBHOOK_SECRET_TOKEN).",
)
@click.option(
    "--chaos",
    "chaos_interval",
    type=click.FloatRange(min=0.1),
    help="Every SECONDS, flip a random room or device offline or back (deterministic from --seed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line with the URLs and credentials instead.")
@click.pass_context
def simulator_command(
    ctx: click.Context,
    host: str,
    port: int,
    rooms: int,
    seed: int,
    account_id: str | None,
    client_id: str | None,
    client_secret: str | None,
    plan: str,
    scopes: Sequence[str],
    webhook_url: str | None,
    webhook_secret: str | None,
    chaos_interval: float | None,
    as_json: bool,
) -> None:
    """Run the Zoom simulator as a standalone HTTP server on loopback.

    It serves the OAuth token endpoint and the Zoom Rooms and Dashboard read API for a generated fleet, accepts
    exactly the credentials given (defaults are printed), and stops cleanly on Ctrl-C.
    """
    from zoom_rooms_mcp.http_transport import resolves_to_loopback

    if not resolves_to_loopback(host):
        raise click.BadParameter(
            f"{host!r} is not a loopback address. The simulator has no real security and only listens on "
            "127.0.0.1, ::1 or localhost.",
            param_hint="--host",
        )
    if (webhook_url is None) != (webhook_secret is None):
        raise click.UsageError("--webhook-url and --webhook-secret go together.")
    setup_logging(log_level(ctx, None, "WARNING"))
    import anyio

    from zoom_rooms_mcp.http_transport import exit_zero_on_sigterm
    from zoom_rooms_mcp.simulator import SimCredentials, Simulator, serve_simulator

    defaults = SimCredentials()
    credentials = SimCredentials(
        account_id=account_id or defaults.account_id,
        client_id=client_id or defaults.client_id,
        client_secret=client_secret or defaults.client_secret,
    )
    sim = Simulator(
        rooms=rooms,
        seed=seed,
        plan="pro" if plan == "pro" else "business",
        credentials=credentials,
        scopes=list(scopes) if scopes else None,
    )

    def ready(token_url: str, api_base_url: str) -> None:
        info = {
            "token_url": token_url,
            "api_base_url": api_base_url,
            "control_url": api_base_url.removesuffix("/v2") + "/_simulator/",
            "account_id": credentials.account_id,
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "plan": plan,
            "rooms": rooms,
            "seed": seed,
            "scopes": list(sim.scopes),
            "webhook_url": webhook_url,
        }
        if as_json:
            click.echo(json.dumps(info))
        else:
            click.echo(_simulator_banner(info))
        sys.stdout.flush()

    exit_zero_on_sigterm()
    try:
        anyio.run(
            lambda: serve_simulator(
                sim,
                host,
                port,
                ready=ready,
                webhook_url=webhook_url,
                webhook_secret=webhook_secret,
                chaos_interval=chaos_interval,
            )
        )
    except KeyboardInterrupt:
        pass
    except BaseExceptionGroup as group:
        # SIGTERM's SystemExit(0) (see exit_zero_on_sigterm) arrives wrapped by the simulator's task group.
        if group.split((SystemExit, KeyboardInterrupt))[1] is not None:
            raise
    except OSError as exc:
        click.echo(
            f"{PROG}: cannot listen on {host}:{port}: {exc.strerror or exc}. Pick another port with --port.", err=True
        )
        sys.exit(2)
    if not as_json:
        click.echo("Simulator stopped.")


def _simulator_banner(info: dict[str, Any]) -> str:
    env = {
        "ZOOM_API_BASE_URL": info["api_base_url"],
        "ZOOM_OAUTH_TOKEN_URL": info["token_url"],
        "ZOOM_ACCOUNT_ID": info["account_id"],
        "ZOOM_CLIENT_ID": info["client_id"],
        "ZOOM_CLIENT_SECRET": info["client_secret"],
        "ZOOM_API_PLAN": info["plan"],
    }
    block = " \\\n  ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items())
    return (
        f"Zoom simulator: {info['rooms']} rooms (seed {info['seed']}), plan {info['plan']}\n"
        f"  Token URL:     {info['token_url']}\n"
        f"  API base URL:  {info['api_base_url']}\n"
        f"  Control API:   {info['control_url']}\n"
        f"  Account ID:    {info['account_id']}\n"
        f"  Client ID:     {info['client_id']}\n"
        f"  Client secret: {info['client_secret']}\n"
        f"  Scopes:        {' '.join(info['scopes']) or '(none)'}\n"
        "\n"
        "Point zoom-rooms-mcp at it (POSIX shell):\n"
        f"  export {block}\n"
        f"  {hint_command()} check\n"
        "\n"
        "Press Ctrl-C to stop."
    )
