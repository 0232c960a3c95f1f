"""``zoom-rooms-mcp check``: the configuration and connectivity doctor, rendered for people or as JSON."""

from __future__ import annotations

import json
import sys

import click

from zoom_rooms_mcp.cli.common import CONTEXT, PROG, demo_flag, log_level, run, setup_logging


@click.command(
    "check",
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} check                 diagnose the configuration in the environment / .env
  {PROG} check --json          the same as JSON (for scripts and CI)
  {PROG} check --demo          against the built-in simulator

\b
Exit status: 0 everything works (warnings about optional scopes allowed, unless --strict),
1 a check failed, 2 the configuration is missing or malformed.""",
)
@click.option("--demo", is_flag=True, help="Check against the built-in simulated Zoom account.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. optional dashboard scopes missing) as failures.")
@click.pass_context
def check_command(ctx: click.Context, demo: bool, as_json: bool, strict: bool) -> None:
    """Check configuration, credentials, token cache, scopes and one real API call.

    \b
    Shows, without ever printing a credential or token:
      - each variable: set or unset, and whether it comes from the environment or .env
      - whether a .env file was found, and that the URLs are valid
      - a fresh token request (with the specific fix for invalid_client, invalid_request, ...)
      - the token cache directory and file
      - the scopes granted versus what each tool needs
      - one API call (GET /rooms?page_size=1)
    """
    from zoom_rooms_mcp.cli.render import render_report, status, stderr_console, stdout_console
    from zoom_rooms_mcp.doctor import run_checks

    setup_logging(log_level(ctx, None, "ERROR"))
    err = stderr_console()
    with status(err, "Checking…") as spinner:

        def progress(message: str) -> None:
            if spinner is not None:
                spinner.update(message)

        report = run(lambda: run_checks(demo=demo_flag(ctx, demo), strict=strict, progress=progress))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        stdout_console().print(render_report(report))
    sys.exit(report.exit_code)
