"""``zoom-rooms-mcp call``: one tool through a real MCP client session, with the server as a stdio subprocess.

``call TOOL --help`` lists the tools through the same kind of session and prints that tool's description and
parameters from its own input schema.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import click

from zoom_rooms_mcp.cli.common import CONTEXT, LEVELS, PROG, demo_flag, load, log_level, run, setup_logging
from zoom_rooms_mcp.cli.invocation import hint_command

if TYPE_CHECKING:
    from mcp import Client
    from mcp.types import Tool
    from rich.console import Console


def parse_arguments(json_args: str | None, pairs: Sequence[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
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


@click.command(
    "call",
    context_settings={**CONTEXT, "help_option_names": []},
    epilog=f"""\b
Examples:
  {PROG} call test_zoom_connection
  {PROG} call get_zoom_rooms '{{"location_query": "Seattle", "status": "Offline"}}' --demo
  {PROG} call get_zoom_rooms -a location_query="Denver" -a limit=5 --demo --json
  {PROG} call get_fleet_health --demo --all --ids
  {PROG} call get_room_details --help          the tool's description and parameters
  {PROG} call test_zoom_connection --json | jq .scopes

\b
Tools: test_zoom_connection, get_zoom_sites, resolve_location, get_zoom_rooms, get_room_details,
get_fleet_health, get_room_issues.
Exit status: 0 success, 1 the tool reported an error, 2 usage or configuration error.""",
)
@click.argument("tool", required=False)
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
@click.option("--ids", is_flag=True, help="Show Zoom ids in the tables (--json always has them).")
@click.option("--all", "all_rows", is_flag=True, help="List every row (tables stop after 25 rows otherwise).")
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=300, show_default=True, help="Seconds to wait for the result."
)
@click.option(
    "--log-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    help="Log level of the server subprocess (stderr) [default: WARNING].",
)
@click.option("-h", "--help", "show_help", is_flag=True, help="Show this message; after TOOL, that tool's help.")
@click.pass_context
def call_command(
    ctx: click.Context,
    tool: str | None,
    json_args: str | None,
    pairs: Sequence[str],
    demo: bool,
    as_json: bool,
    ids: bool,
    all_rows: bool,
    timeout: float,
    log_level: str | None,
    show_help: bool,
) -> None:
    """Run one tool through a real MCP client session and print its result.

    The server is started as a subprocess over stdio (`python -m zoom_rooms_mcp serve`), exactly as an MCP
    client would, with this environment and working directory. JSON_ARGS is a JSON object of arguments;
    -a KEY=VALUE adds or overrides single arguments. People get a summary and tables that fit the terminal;
    --json is the machine form.
    """
    level = _level(ctx, log_level)
    if show_help and tool is None:
        click.echo(ctx.get_help())
        ctx.exit(0)
    if tool is None:
        raise click.UsageError(f"Missing argument 'TOOL'. `{PROG} call --help` lists the tools.", ctx)
    setup_logging("ERROR")
    if show_help:
        # The schemas do not depend on the account: the simulated one needs no credentials.
        sys.exit(run(lambda: _tool_help(tool, seconds=timeout, level=level)))
    arguments, raw_pairs = parse_arguments(json_args, pairs)
    flag = demo_flag(ctx, demo)
    load(flag)  # fail fast, with the message and exit status 2, before starting a subprocess
    code = run(
        lambda: _call(
            tool,
            arguments,
            raw_pairs,
            demo=bool(flag),
            as_json=as_json,
            ids=ids,
            all_rows=all_rows,
            seconds=timeout,
            level=level,
        )
    )
    sys.exit(code)


def _level(ctx: click.Context, level: str | None) -> str:
    return log_level(ctx, level, "WARNING")


@asynccontextmanager
async def _session(*, demo: bool, level: str) -> AsyncIterator[Client]:
    from mcp import Client, StdioServerParameters

    args = ["-m", "zoom_rooms_mcp", "serve", "--log-level", level] + (["--demo"] if demo else [])
    params = StdioServerParameters(command=sys.executable, args=args, env=dict(os.environ), cwd=os.getcwd())
    async with Client(params) as client:
        yield client


def _unknown_tool(err: Console, tool: str, tools: dict[str, Tool]) -> int:
    from zoom_rooms_mcp.cli.render import error_text, tools_table

    err.print(error_text(f"unknown tool {tool!r}. Available tools:"))
    err.print(tools_table({n: _first_line(t.description) for n, t in tools.items()}))
    return 2


async def _tool_help(tool: str, *, seconds: float, level: str) -> int:
    import anyio

    from zoom_rooms_mcp.cli.render import error_text, render_tool_help, status, stderr_console, stdout_console

    err = stderr_console()
    try:
        with anyio.fail_after(seconds), status(err, "Listing the tools…"):
            async with _session(demo=True, level=level) as client:
                tools = {t.name: t for t in (await client.list_tools()).tools}
    except TimeoutError:
        err.print(error_text(f"the server did not list its tools within {seconds:g} s (--timeout)."))
        return 1
    except Exception as exc:  # the subprocess died, a protocol error, ...
        err.print(error_text(f"the MCP session failed: {_describe(exc)}"))
        return 1
    if tool not in tools:
        return _unknown_tool(err, tool, tools)
    found = tools[tool]
    stdout_console().print(
        render_tool_help(found.name, found.title, found.description, found.input_schema, hint_command())
    )
    return 0


async def _call(
    tool: str,
    arguments: dict[str, Any],
    raw_pairs: list[tuple[str, str]],
    *,
    demo: bool,
    as_json: bool,
    ids: bool,
    all_rows: bool,
    seconds: float,
    level: str,
) -> int:
    import anyio

    from zoom_rooms_mcp.cli.render import (
        error_text,
        render_result,
        status,
        stderr_console,
        stdout_console,
        tool_error_message,
    )

    err = stderr_console()
    try:
        with anyio.fail_after(seconds), status(err, "Starting the server…") as spinner:
            async with _session(demo=demo, level=level) as client:
                tools = {t.name: t for t in (await client.list_tools()).tools}
                if tool not in tools:
                    return _unknown_tool(err, tool, tools)
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
        out = stdout_console()
        out.print(render_result(data, out.width, ids=ids, all_rows=all_rows))
    else:
        click.echo(text)
    return 0


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return _describe(exc.exceptions[0])
    return str(exc) or exc.__class__.__name__
