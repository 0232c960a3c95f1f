"""The ``zoom-rooms-mcp`` command (DESIGN §2): ``serve`` (default), ``check``, ``call``, ``demo``, ``simulator``,
``token``.

Conventions: results go to stdout, logs/progress/errors to stderr; a configuration problem prints the
``ConfigError`` text and exits 2 (never a traceback); a failed check or tool call exits 1. Heavy imports
(the MCP SDK, the server, rich) happen inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from zoom_rooms_mcp import __version__

if TYPE_CHECKING:
    from zoom_rooms_mcp.settings import ConfigError, Settings

PROG = "zoom-rooms-mcp"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# ---------------------------------------------------------------------------------------------------------------
# shared helpers


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


def _obj(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    obj: dict[str, Any] = root.obj
    return obj


def _demo_flag(ctx: click.Context, demo: bool) -> bool | None:
    """``--demo`` on the command or the group → True; otherwise None, so ZOOM_ROOMS_DEMO decides."""
    return True if demo or _obj(ctx).get("demo") else None


def _log_level(ctx: click.Context, level: str | None, default: str) -> str:
    return (level or _obj(ctx).get("log_level") or default).upper()


def config_exit(exc: ConfigError, *, hint: bool = True) -> NoReturn:
    click.echo(f"{PROG}: {exc}", err=True)
    if hint:
        click.echo(
            f"Run `{PROG} check` for a full diagnosis, or `{PROG} --demo` / `{PROG} demo` to try the simulated "
            "account.",
            err=True,
        )
    sys.exit(2)


def load(demo: bool | None, **overrides: Any) -> Settings:
    from zoom_rooms_mcp.settings import ConfigError, load_settings

    try:
        return load_settings(demo=demo, **overrides)
    except ConfigError as exc:
        config_exit(exc)


def _run(func: Callable[[], Any]) -> Any:
    import anyio

    return anyio.run(func)


# ---------------------------------------------------------------------------------------------------------------
# the group


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
    obj = _obj(ctx)
    obj["demo"] = demo
    obj["log_level"] = log_level
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, demo=demo, log_level=log_level)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name=PROG)


# ---------------------------------------------------------------------------------------------------------------
# serve


@cli.command(
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} serve                                   stdio, configuration from the environment / .env
  {PROG} serve --demo                            stdio, simulated account
  {PROG} serve --transport http                  http://127.0.0.1:8000/mcp (no token needed on loopback)
  ZOOM_ROOMS_MCP_HTTP_TOKEN=... {PROG} serve --transport http --host 0.0.0.0 --allowed-host mcp.example.com

\b
HTTP transport: streamable HTTP at /mcp (stateless: any replica can serve any request), an unauthenticated
GET /healthz, bearer token ZOOM_ROOMS_MCP_HTTP_TOKEN (required for a non-loopback --host), Host/Origin checks
against DNS rebinding (loopback names, the --host address and each --allowed-host).""",
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
def serve(
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
    level = _log_level(ctx, log_level, "WARNING" if transport == "stdio" else "INFO")
    setup_logging(level)
    settings = load(_demo_flag(ctx, demo))
    if transport == "http":
        _serve_http(settings, host, port, allowed_hosts, level)
        return
    from zoom_rooms_mcp.server import create_server

    server = create_server(settings)
    if sys.stdin.isatty():
        click.echo(
            f"{PROG} {__version__}: serving MCP over stdio{' (demo mode)' if settings.zoom_rooms_demo else ''}. "
            f"MCP clients start this command themselves; press Ctrl-C to stop. Try `{PROG} --help` or `{PROG} demo`.",
            err=True,
        )
    with contextlib.suppress(KeyboardInterrupt):
        server.run("stdio")


def _serve_http(settings: Settings, host: str, port: int, allowed_hosts: Sequence[str], level: str) -> None:
    from zoom_rooms_mcp.http_transport import normalise_allowed_hosts, run_http
    from zoom_rooms_mcp.settings import ConfigError

    try:
        run_http(settings, host, port, allowed_hosts=normalise_allowed_hosts(allowed_hosts), log_level=level)
    except ConfigError as exc:
        config_exit(exc, hint=False)
    except OSError as exc:  # e.g. the port is in use
        click.echo(f"{PROG}: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass


# ---------------------------------------------------------------------------------------------------------------
# check


@cli.command(
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
def check(ctx: click.Context, demo: bool, as_json: bool, strict: bool) -> None:
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

    setup_logging(_log_level(ctx, None, "ERROR"))
    err = stderr_console()
    with status(err, "Checking…") as spinner:

        def progress(message: str) -> None:
            if spinner is not None:
                spinner.update(message)

        report = _run(lambda: run_checks(demo=_demo_flag(ctx, demo), strict=strict, progress=progress))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        stdout_console().print(render_report(report))
    sys.exit(report.exit_code)


# ---------------------------------------------------------------------------------------------------------------
# call


def _parse_arguments(json_args: str | None, pairs: Sequence[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    arguments: dict[str, Any] = {}
    if json_args is not None:
        try:
            parsed = json.loads(json_args)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(
                f"not valid JSON ({exc.msg} at character {exc.pos}). Quote it for the shell, e.g. "
                '\'{"location_query": "Seattle"}\'.',
                param_hint="JSON_ARGS",
            ) from None
        if not isinstance(parsed, dict):
            raise click.BadParameter(
                f'must be a JSON object such as \'{{"room": "Everest"}}\', not a JSON {type(parsed).__name__}.',
                param_hint="JSON_ARGS",
            )
        arguments.update(parsed)
    raw_pairs: list[tuple[str, str]] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE.", param_hint="-a/--arg")
        raw_pairs.append((key.strip(), value))
    return arguments, raw_pairs


def _accepts_string(schema: dict[str, Any]) -> bool:
    """Whether a JSON-schema property takes a plain string (then KEY=VALUE values stay strings)."""
    if not schema:
        return True
    types: list[Any] = []
    if "type" in schema:
        types.extend(schema["type"] if isinstance(schema["type"], list) else [schema["type"]])
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        if isinstance(option, dict):
            if "type" in option:
                types.extend(option["type"] if isinstance(option["type"], list) else [option["type"]])
            if "enum" in option or "const" in option:
                types.append("string")
    if "enum" in schema:
        return any(isinstance(v, str) for v in schema["enum"])
    return "string" in types or not types


def coerce_pairs(pairs: Sequence[tuple[str, str]], input_schema: dict[str, Any]) -> dict[str, Any]:
    """KEY=VALUE → arguments: kept as text where the tool takes a string, parsed as JSON (numbers, booleans,
    null, lists) otherwise."""
    properties = input_schema.get("properties", {}) if isinstance(input_schema, dict) else {}
    result: dict[str, Any] = {}
    for key, value in pairs:
        schema = properties.get(key, {})
        if _accepts_string(schema) and not (value == "null" and "null" in json.dumps(schema)):
            result[key] = value
            continue
        try:
            result[key] = json.loads(value)
        except json.JSONDecodeError:
            result[key] = value
    return result


@cli.command(
    "call",
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} call test_zoom_connection
  {PROG} call get_zoom_rooms '{{"location_query": "Seattle", "status": "Offline"}}' --demo
  {PROG} call get_zoom_rooms -a location_query="Denver" -a limit=5 --demo --json
  {PROG} call get_room_details -a room=Everest --demo
  {PROG} call get_fleet_health -a location_query="Munich campus" --demo --json | jq .summary

\b
Tools: test_zoom_connection, get_zoom_sites, resolve_location, get_zoom_rooms, get_room_details,
get_fleet_health, get_room_issues.
Exit status: 0 success, 1 the tool reported an error, 2 usage or configuration error.""",
)
@click.argument("tool")
@click.argument("json_args", required=False, metavar="[JSON_ARGS]")
@click.option(
    "-a",
    "--arg",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="One argument (repeatable); VALUE is parsed as JSON unless the tool takes a string there.",
)
@click.option("--demo", is_flag=True, help="Run the server against the built-in simulated Zoom account.")
@click.option("--json", "as_json", is_flag=True, help="Print the raw structured result as JSON on stdout.")
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=300, show_default=True, help="Seconds to wait for the result."
)
@click.option(
    "--log-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    help="Log level of the server subprocess (stderr) [default: WARNING].",
)
@click.pass_context
def call_command(
    ctx: click.Context,
    tool: str,
    json_args: str | None,
    pairs: Sequence[str],
    demo: bool,
    as_json: bool,
    timeout: float,
    log_level: str | None,
) -> None:
    """Run one tool through a real MCP client session and print its result.

    The server is started as a subprocess over stdio (`python -m zoom_rooms_mcp serve`), exactly as an MCP
    client would, with this environment and working directory. JSON_ARGS is a JSON object of arguments;
    -a KEY=VALUE adds or overrides single arguments.
    """
    arguments, raw_pairs = _parse_arguments(json_args, pairs)
    demo_flag = _demo_flag(ctx, demo)
    level = _log_level(ctx, log_level, "WARNING")
    setup_logging("ERROR")
    load(demo_flag)  # fail fast, with the message and exit status 2, before starting a subprocess
    code = _run(
        lambda: _call(tool, arguments, raw_pairs, demo=bool(demo_flag), as_json=as_json, seconds=timeout, level=level)
    )
    sys.exit(code)


async def _call(
    tool: str,
    arguments: dict[str, Any],
    raw_pairs: list[tuple[str, str]],
    *,
    demo: bool,
    as_json: bool,
    seconds: float,
    level: str,
) -> int:
    import anyio
    from mcp import Client, StdioServerParameters

    from zoom_rooms_mcp.cli.render import (
        error_text,
        render_result,
        status,
        stderr_console,
        stdout_console,
        tool_error_message,
        tools_table,
    )

    err = stderr_console()
    args = ["-m", "zoom_rooms_mcp", "serve", "--log-level", level] + (["--demo"] if demo else [])
    params = StdioServerParameters(command=sys.executable, args=args, env=dict(os.environ), cwd=os.getcwd())
    try:
        with anyio.fail_after(seconds), status(err, "Starting the server…") as spinner:
            async with Client(params) as client:
                listed = await client.list_tools()
                tools = {t.name: t for t in listed.tools}
                if tool not in tools:
                    err.print(error_text(f"unknown tool {tool!r}. Available tools:"))
                    err.print(tools_table({n: _first_line(t.description) for n, t in tools.items()}))
                    return 2
                arguments.update(coerce_pairs(raw_pairs, tools[tool].input_schema))
                if spinner is not None:
                    spinner.update(f"Calling {tool}…")

                async def progress(progress: float, total: float | None, message: str | None) -> None:
                    if spinner is not None:
                        of = f"/{total:g}" if total else ""
                        spinner.update(f"Calling {tool}… {progress:g}{of} {message or ''}")

                result = await client.call_tool(tool, arguments, progress_callback=progress)
    except TimeoutError:
        err.print(error_text(f"no result from {tool} within {seconds:g} s (--timeout)."))
        return 1
    except Exception as exc:  # the subprocess died, a protocol error, ...
        err.print(error_text(f"the MCP session failed: {_describe(exc)}"))
        return 1
    text = "\n".join(getattr(c, "text", "") for c in result.content if getattr(c, "text", None))
    if result.is_error:
        err.print(error_text(tool_error_message(text, tool)))
        return 1
    data = result.structured_content
    if as_json:
        click.echo(json.dumps(data if data is not None else text, indent=2, ensure_ascii=False))
    elif data is not None:
        stdout_console().print(render_result(data))
    else:
        click.echo(text)
    return 0


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return _describe(exc.exceptions[0])
    return str(exc) or exc.__class__.__name__


# ---------------------------------------------------------------------------------------------------------------
# demo


@cli.command(
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} demo
  FORCE_COLOR=1 {PROG} demo | less -R   (colours through a pager)""",
)
@click.pass_context
def demo(ctx: click.Context) -> None:
    """A short guided tour of the tools against the built-in simulated Zoom account.

    Asks six typical admin questions (connection and scopes, sites, offline rooms in Seattle, what is wrong
    with the room "Everest", a health report for the Munich campus, an ambiguous "Building 2") and prints
    condensed answers. Needs no credentials and no network.
    """
    from zoom_rooms_mcp.cli.render import stderr_console, stdout_console
    from zoom_rooms_mcp.cli.tour import run_tour

    setup_logging(_log_level(ctx, None, "ERROR"))
    failures = _run(lambda: run_tour(stdout_console(), stderr_console()))
    sys.exit(1 if failures else 0)


# ---------------------------------------------------------------------------------------------------------------
# simulator


@cli.command(
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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line with the URLs and credentials instead.")
@click.pass_context
def simulator(
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
    as_json: bool,
) -> None:
    """Run the Zoom simulator as a standalone HTTP server on loopback.

    It serves the OAuth token endpoint and the Zoom Rooms and Dashboard read API for a generated fleet, accepts
    exactly the credentials given (defaults are printed), and stops cleanly on Ctrl-C.
    """
    from zoom_rooms_mcp.settings import is_loopback_host

    if not is_loopback_host(host):
        raise click.BadParameter(
            f"{host!r} is not a loopback address. The simulator has no real security and only listens on "
            "127.0.0.1, ::1 or localhost.",
            param_hint="--host",
        )
    setup_logging(_log_level(ctx, None, "WARNING"))
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
        }
        if as_json:
            click.echo(json.dumps(info))
        else:
            click.echo(_simulator_banner(info))
        sys.stdout.flush()

    exit_zero_on_sigterm()
    try:
        anyio.run(lambda: serve_simulator(sim, host, port, ready=ready))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        click.echo(f"{PROG}: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(1)
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
        f"  {PROG} check\n"
        "\n"
        "Press Ctrl-C to stop."
    )


# ---------------------------------------------------------------------------------------------------------------
# token


@cli.command(
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
def token(ctx: click.Context, clear: bool, as_json: bool) -> None:
    """Show the cached access token's state, or delete it. Never prints the token.

    Needs ZOOM_ACCOUNT_ID and ZOOM_CLIENT_ID (the file is per account and app); makes no network call.
    """
    from pydantic import SecretStr

    setup_logging(_log_level(ctx, None, "ERROR"))
    # The secret is not needed to find or read the cache file: a placeholder satisfies the settings.
    settings = load(_demo_flag(ctx, False), zoom_client_secret=SecretStr("unused"))
    if settings.zoom_rooms_demo:
        message = "Demo mode keeps its token in memory only: nothing is cached on disk."
        click.echo(json.dumps({"demo": True, "message": message}) if as_json else message)
        return
    if clear:
        _token_clear(settings, as_json)
    else:
        _token_show(settings, as_json)


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


def _token_show(settings: Settings, as_json: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from zoom_rooms_mcp.cli.render import stdout_console, styled
    from zoom_rooms_mcp.doctor import token_cache_state

    state = token_cache_state(settings)
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
