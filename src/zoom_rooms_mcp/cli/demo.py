"""``zoom-rooms-mcp demo``: the guided tour (its steps live in ``cli.tour``)."""

from __future__ import annotations

import sys

import click

from zoom_rooms_mcp.cli.common import CONTEXT, PROG, log_level, run, setup_logging


@click.command(
    "demo",
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} demo
  FORCE_COLOR=1 {PROG} demo | less -R   (colours through a pager)""",
)
@click.pass_context
def demo_command(ctx: click.Context) -> None:
    """A short guided tour of the tools against the built-in simulated Zoom account.

    Asks six typical admin questions (connection and scopes, sites, offline rooms in Seattle, what is wrong
    with the room "Everest", a health report for the Munich campus, an ambiguous "Building 2") and prints
    condensed answers. Needs no credentials and no network.
    """
    from zoom_rooms_mcp.cli.render import stderr_console, stdout_console
    from zoom_rooms_mcp.cli.tour import run_tour

    setup_logging(log_level(ctx, None, "ERROR"))
    failures = run(lambda: run_tour(stdout_console(), stderr_console()))
    sys.exit(1 if failures else 0)
