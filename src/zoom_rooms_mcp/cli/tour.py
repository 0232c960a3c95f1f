"""``zoom-rooms-mcp demo``: a guided tour of the tools against the built-in simulated Zoom account.

Each step asks a question an admin would ask, calls one tool through an in-process MCP client (the same code
path an assistant uses) and prints a condensed, readable answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
from pydantic import SecretStr
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from zoom_rooms_mcp.cli.invocation import hint_command
from zoom_rooms_mcp.cli.render import records_table, status, styled
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.simulator import Simulator

Summary = Callable[[dict[str, Any]], RenderableType]


@dataclass(frozen=True, slots=True)
class Step:
    question: str
    tool: str
    arguments: dict[str, Any]
    summarise: Summary
    happens: str | None = None  # a change in the simulated Zoom account before the call (see ``_take_offline``)


def _lines(*rows: tuple[str, Any]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(Text(label), value if isinstance(value, Text) else styled(value))
    return grid


def _connection(data: dict[str, Any]) -> RenderableType:
    tools = data.get("tools", [])
    ready = sum(1 for t in tools if t.get("available"))
    return _lines(
        ("Status", data.get("status")),
        ("Account", data.get("account_id")),
        ("Granted scopes", data.get("scopes")),
        ("Tools ready", f"{ready} of {len(tools)}"),
        ("Summary", data.get("message")),
    )


def _sites(data: dict[str, Any]) -> RenderableType:
    locations = data.get("locations", [])
    cities = [
        {"city": loc["name"], "path": loc["path"], "rooms": loc["room_count"]}
        for loc in locations
        if loc.get("type") == "city"
    ]
    return Group(
        _lines(
            ("Levels", " → ".join(data.get("structure", []))),
            ("Locations", data.get("total_count")),
        ),
        records_table(cities, title=f"Cities ({len(cities)})"),
    )


def _relative(path: str | None, base: str) -> str:
    if path and base and path.startswith(base + " > "):
        return path[len(base) + 3 :]
    return path or "—"


def _offline_rooms(data: dict[str, Any]) -> RenderableType:
    resolution = data.get("resolution") or {}
    matched = (resolution.get("locations") or [{}])[0].get("path", "")
    in_scope = data.get("status_counts_in_scope", {})
    rows = [
        {"room": r["name"], "status": r["status"], "where": _relative(r.get("location_path"), matched)}
        for r in data["rooms"]
    ]
    return Group(
        _lines(
            ("Understood as", f"{matched} ({resolution.get('status')} match)"),
            ("Offline", f"{data.get('total_count')} of {sum(in_scope.values())} rooms"),
            ("All statuses", in_scope),
        ),
        records_table(rows, title="Offline rooms") if rows else Text("No offline rooms.", style="green"),
    )


def _room(data: dict[str, Any]) -> RenderableType:
    devices = [
        {
            "device": d.get("device_type"),
            "status": d.get("status"),
            "app version": d.get("app_version"),
            "model": " ".join(x for x in (d.get("device_manufacturer"), d.get("device_model")) if x),
        }
        for d in data.get("devices") or []
    ]
    issues = data.get("issues") or []
    return Group(
        _lines(
            ("Room", f"{data.get('name')} ({data.get('room_type')}, {data.get('capacity')} seats)"),
            ("Where", data.get("location_path")),
            ("Status", data.get("status")),
            ("Health", data.get("health")),
            ("Issues", Text("\n".join(f"• {i}" for i in issues)) if issues else "none"),
        ),
        records_table(devices, title="Devices") if devices else Text("No devices reported."),
    )


def _health(data: dict[str, Any]) -> RenderableType:
    summary = data.get("summary", {})
    rooms = data.get("problem_rooms", [])
    shown = [
        {
            "room": r["name"],
            "health": r["health"],
            "status": r["status"],
            "first problem": (r.get("problems") or ["—"])[0],
        }
        for r in rooms[:6]
    ]
    title = f"Rooms needing attention (worst first, {len(shown)} of {summary.get('rooms_with_problems')})"
    return Group(
        _lines(
            ("Understood as", ((data.get("resolution") or {}).get("locations") or [{}])[0].get("path")),
            ("Rooms", summary.get("total_rooms")),
            ("By status", summary.get("by_status")),
            ("By health", summary.get("by_health")),
            ("Data sources", data.get("sources")),
        ),
        records_table(shown, title=title) if shown else Text("Every room is healthy.", style="green"),
    )


def _fleet(data: dict[str, Any]) -> RenderableType:
    summary = data.get("summary", {})
    coverage = data.get("coverage") or {}
    freshness = data.get("freshness") or {}
    worst = [
        {"room": r["name"], "where": r.get("location_path"), "first problem": (r.get("problems") or ["—"])[0]}
        for r in data.get("problem_rooms", [])[:5]
    ]
    return Group(
        _lines(
            ("Rooms", summary.get("total_rooms")),
            ("By status", summary.get("by_status")),
            ("By health", summary.get("by_health")),
            (
                "Checked",
                f"devices of {coverage.get('devices_checked')} rooms, Dashboard of "
                f"{coverage.get('dashboard_checked')} (of {coverage.get('rooms')})",
            ),
            ("Data as of", freshness.get("rooms_as_of")),
        ),
        records_table(worst, title=f"Worst first ({len(worst)} of {summary.get('rooms_with_problems')})"),
    )


def _alerts(data: dict[str, Any]) -> RenderableType:
    rows = [
        {"time": e.get("time"), "room": e.get("room_name"), "what": e.get("message"), "via": e.get("source")}
        for e in data.get("events", [])[:5]
    ]
    return Group(
        _lines(("Events", data.get("total_count")), ("By kind", data.get("counts_by_kind"))),
        records_table(rows, title="Newest first") if rows else Text("Nothing happened.", style="green"),
    )


def _ambiguous(data: dict[str, Any]) -> RenderableType:
    resolution = data.get("resolution") or {}
    candidates = [{"candidate": c["path"], "type": c["type"]} for c in resolution.get("candidates", [])]
    return Group(
        _lines(("Resolution", resolution.get("status")), ("Rooms returned", data.get("total_count"))),
        records_table(candidates, title="Candidates") if candidates else Text("No candidates."),
        Text("The assistant asks which one you mean instead of guessing.", style="italic"),
    )


STEPS = (
    Step(
        "Is our Zoom connection working, and which scopes does the app have?", "test_zoom_connection", {}, _connection
    ),
    Step("Which sites do we have?", "get_zoom_sites", {}, _sites),
    Step(
        "Which rooms in Seattle are offline right now?",
        "get_zoom_rooms",
        {"location_query": "Seattle", "status": "Offline"},
        _offline_rooms,
    ),
    Step("What is wrong with the room called Everest?", "get_room_details", {"room": "Everest"}, _room),
    Step(
        "Give me a health report for the Munich campus.",
        "get_fleet_health",
        {"location_query": "Munich campus"},
        _health,
    ),
    Step("List the rooms in Building 2.", "get_zoom_rooms", {"location_query": "Building 2"}, _ambiguous),
    Step("How is the whole fleet?", "get_fleet_health", {"limit": 5}, _fleet),
    Step(
        "What broke in the last few minutes?",
        "get_room_alerts",
        {"since_minutes": 10},
        _alerts,
        happens="Meanwhile, in Zoom: the room {room} goes offline. Zoom sends a signed zoomroom.alert webhook.",
    ),
)
DEMO_WEBHOOK_SECRET = "demo-webhook-secret"  # the simulated account signs its webhooks with this


async def _take_offline(sim: Simulator, live: list[AppContext]) -> str:
    """Take a working room offline in the simulated account and wait (bounded) until its webhook is stored."""
    room = next(r for r in sim.fleet.rooms if r.status == "Available" and r.zoom_room_type == "ZoomRoom")
    fleet = live[-1].service
    sim.control.set_room_status(room.id, "Offline")
    with anyio.move_on_after(5):
        while fleet.state.rooms.get(room.id) is None or fleet.state.rooms[room.id].status != "Offline":
            await fleet.changed()
    return f"'{room.name}'"


def _call_text(step: Step) -> Text:
    args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in step.arguments.items())
    return Text(f"→ {step.tool}({args})", style="dim")


async def run_tour(out: Console, err: Console) -> int:
    """Print the tour; returns the number of steps that failed."""
    from mcp import Client
    from starlette.applications import Starlette

    from zoom_rooms_mcp.server import create_server, webhook_routes
    from zoom_rooms_mcp.settings import load_settings

    settings = load_settings(demo=True, env_file=None).model_copy(
        update={"zoom_webhook_secret_token": SecretStr(DEMO_WEBHOOK_SECRET)}
    )
    live: list[AppContext] = []
    # Zoom's webhooks reach the server's own POST /zoom/webhook route, in process: the path a real
    # deployment uses behind its HTTPS proxy, signature checks included.
    receiver = Starlette(routes=webhook_routes(settings, live))
    sim = Simulator(plan="business", webhook_transport=httpx2.ASGITransport(app=receiver))
    sim.configure(webhook_url="http://zoom-rooms-mcp.demo/zoom/webhook", webhook_secret=DEMO_WEBHOOK_SECRET)
    out.print(
        Text.assemble(
            ("zoom-rooms-mcp demo", "bold"),
            " — a tour of the tools against the built-in simulated Zoom account (a fictional company: "
            "150 rooms in several countries; no credentials, no network).",
        )
    )
    failures = 0
    async with Client(create_server(settings, live=live, simulator=sim)) as client, sim.running():
        for number, step in enumerate(STEPS, start=1):
            out.print()
            out.print(Rule(Text(f"{number}/{len(STEPS)}  {step.question}", style="bold"), align="left"))
            if step.happens is not None:
                room = await _take_offline(sim, live)
                out.print(Text(step.happens.format(room=room), style="italic"))
            out.print(_call_text(step))
            started = time.perf_counter()
            with status(err, f"Calling {step.tool}…") as spinner:

                async def progress(progress: float, total: float | None, message: str | None) -> None:
                    if spinner is not None:
                        of = f"/{total:g}" if total else ""
                        spinner.update(f"Calling {step.tool}… {progress:g}{of} {message or ''}")  # noqa: B023

                result = await client.call_tool(step.tool, step.arguments, progress_callback=progress)
            elapsed = time.perf_counter() - started
            if result.is_error or result.structured_content is None:
                failures += 1
                text = " ".join(getattr(c, "text", "") for c in result.content)
                out.print(Text(f"Error: {text}", style="bold red"))
                continue
            out.print(step.summarise(result.structured_content))
            out.print(Text(f"({elapsed:.1f} s)", style="dim"))
    out.print()
    out.print(Rule(Text("Next", style="bold"), align="left"))
    command = hint_command()
    out.print(
        _lines(
            ("Run one tool yourself", Text(f"{command} call get_zoom_rooms -a location_query=Denver --demo")),
            ("Connect Claude Desktop", Text(f"{command} config claude-desktop --demo --install")),
            (
                "Use your own account",
                Text(f"set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, then {command} check"),
            ),
        )
    )
    return failures
