"""Human output with rich: consoles, the generic structured-result view, and the doctor report.

Colours only appear on a terminal (rich detects it; ``NO_COLOR`` and ``FORCE_COLOR`` are honoured). Results go to
stdout, progress and errors to stderr.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from zoom_rooms_mcp.doctor import DoctorReport

STATUS_STYLES = {
    "Offline": "bold red",
    "critical": "bold red",
    "InMeeting": "cyan",
    "Available": "green",
    "Online": "green",
    "healthy": "green",
    "warning": "yellow",
    "UnderConstruction": "magenta",
    "exact": "green",
    "fuzzy": "yellow",
    "ambiguous": "yellow",
    "none": "red",
    "success": "green",
}
MAX_CELL = 160
PIPE_WIDTH = 120
# Secondary ids are left out of tables (``--json`` has every field); ``id`` itself is kept, as the last column.
HIDDEN_COLUMNS = frozenset({"room_id", "location_id", "parent_id"})


def _widen(console: Console) -> Console:
    # Off a terminal (a pipe, a file, CI logs) rich would wrap at 80 columns; tables read better wider.
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def stdout_console() -> Console:
    return _widen(Console(highlight=False))


def stderr_console() -> Console:
    return _widen(Console(stderr=True, highlight=False))


@contextmanager
def status(console: Console, message: str) -> Iterator[Any]:
    """A spinner on a terminal; nothing at all when stderr is not one (logs and pipes stay clean)."""
    if not console.is_terminal:
        yield None
        return
    with console.status(message) as spinner:
        yield spinner


def styled(value: Any) -> Text:
    text = format_scalar(value)
    style = STATUS_STYLES.get(text, "")
    if value is None:
        style = "dim"
    return Text(text, style=style)


def format_scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(format_scalar(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_scalar(v)}" for k, v in value.items()) if value else "—"
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_flat(value: Any) -> bool:
    """Small enough to show on one line: scalars, lists of scalars, dicts of scalars."""
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def records_table(rows: Sequence[Mapping[str, Any]], title: str | None = None, *, all_columns: bool = False) -> Table:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    if not all_columns:
        columns = [c for c in columns if c not in HIDDEN_COLUMNS]
        if "id" in columns:
            columns = [c for c in columns if c != "id"] + ["id"]
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(styled(row.get(c)) for c in columns))
    return table


def render_mapping(data: Mapping[str, Any]) -> RenderableType:
    """Scalars as a key/value grid, lists of records as tables, nested objects indented below their key."""
    parts: list[RenderableType] = []
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    nested: list[tuple[str, Any]] = []
    for key, value in data.items():
        if _is_record_list(value) or (isinstance(value, dict) and not _is_flat(value)):
            nested.append((key, value))
        else:
            grid.add_row(Text(key), styled(value))
    if grid.row_count:
        parts.append(grid)
    for key, value in nested:
        if _is_record_list(value):
            parts.append(records_table(value, title=f"{key} ({len(value)})"))
        else:
            parts.append(Text(key, style="bold underline"))
            parts.append(Padding(render_mapping(value), (0, 0, 0, 2)))
    return Group(*parts)


def render_result(data: Any) -> RenderableType:
    if isinstance(data, Mapping):
        return render_mapping(data)
    return Text(json.dumps(data, indent=2, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------------------------
# doctor

ICONS = {
    "pass": ("✓", "green"),
    "fail": ("✗", "bold red"),
    "warn": ("!", "yellow"),
    "info": ("•", "dim"),
    "skip": ("–", "dim"),
}


def render_report(report: DoctorReport) -> RenderableType:
    from zoom_rooms_mcp import __version__
    from zoom_rooms_mcp.doctor import SECTION_TITLES

    parts: list[RenderableType] = [
        Text.assemble(("zoom-rooms-mcp check", "bold"), f" {__version__}", (" (demo mode)" if report.demo else ""))
    ]
    for section, title in SECTION_TITLES.items():
        items = [c for c in report.checks if c.section == section]
        if not items:
            continue
        table = Table(box=None, show_header=False, padding=(0, 1), expand=False, title_justify="left")
        table.add_column(width=1)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for item in items:
            icon, style = ICONS[item.status]
            table.add_row(Text(icon, style=style), item.title, Text(item.detail))
            if item.fix and item.status in ("fail", "warn"):
                table.add_row("", "", Text.assemble(("Fix: ", "bold yellow"), item.fix))
        parts.append(Text(""))
        parts.append(Text(title, style="bold underline"))
        parts.append(table)
    parts.append(Text(""))
    failures = [c for c in report.checks if c.status == "fail"]
    warnings = report.warnings
    if report.ok and not warnings:
        parts.append(Text("✓ Everything works.", style="bold green"))
    elif report.ok:
        parts.append(
            Text(
                f"✓ Working, with {len(warnings)} warning(s) about optional features (see the fixes above).",
                style="bold green",
            )
        )
    else:
        count = len(failures) + (len(warnings) if report.strict else 0)
        parts.append(Text(f"✗ {count} problem(s) found: apply the fixes above, then run the check again.", "bold red"))
    return Group(*parts)


def error_text(message: str) -> Text:
    return Text.assemble(("Error: ", "bold red"), message)


def tool_error_message(text: str, tool: str) -> str:
    """The tool's own words, without the SDK's "Error executing tool NAME: " prefix."""
    return text.removeprefix(f"Error executing tool {tool}: ").strip() or f"{tool} failed."


def tools_table(tools: Mapping[str, str]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, min_width=max((len(n) for n in tools), default=0))
    grid.add_column(overflow="ellipsis", no_wrap=True)
    for name, description in tools.items():
        grid.add_row(Text(name), Text(description))
    return grid
