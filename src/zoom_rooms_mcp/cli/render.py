"""Human output with rich: consoles, the structured-result view of ``call``, tool help, and the doctor report.

Colours only appear on a terminal (rich detects it; ``NO_COLOR`` and ``FORCE_COLOR`` are honoured). Results go to
stdout, progress and errors to stderr. Nothing is cut off: long text wraps, and a table that cannot fit the
width becomes one block per record. ``--json`` is the machine form; this view is for people.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich import box
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
    return str(value)


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


# ---------------------------------------------------------------------------------------------------------------
# the result of one tool call, for people

# Field names as column titles and labels; anything else becomes "Snake case" → "Snake case".
LABELS = {
    "name": "Name",
    "location_path": "Location",
    "path": "Path",
    "status": "Status",
    "health": "Health",
    "dashboard_health": "Dashboard health",
    "problems": "Problems",
    "issues": "Issues",
    "issue": "Issue",
    "room_type": "Type",
    "type": "Type",
    "capacity": "Seats",
    "room_count": "Rooms",
    "depth": "Depth",
    "device_type": "Device",
    "device_manufacturer": "Make",
    "device_model": "Model",
    "device_system": "System",
    "app_version": "App version",
    "ip_address": "IP address",
    "total_count": "Total",
    "total_rooms": "Rooms",
    "rooms_with_problems": "Rooms with problems",
    "by_status": "By status",
    "by_health": "By health",
    "status_counts": "By status",
    "status_counts_in_scope": "By status (whole location)",
    "issue_counts": "By issue",
    "data_as_of": "Data as of",
    "sources": "Data sources",
    "notes": "Notes",
    "structure": "Levels",
    "scopes": "Granted scopes",
    "missing_scopes": "Missing scopes",
    "token_cached": "Token from cache",
    "token_expires_in": "Token expires in (s)",
    "api_base_url": "API base URL",
    "account_id": "Account ID",
    "client_id": "Client ID",
    "plan": "Plan",
    "demo": "Demo mode",
    "tool": "Tool",
    "available": "Available",
    "degraded": "Degraded",
    "from": "From",
    "to": "To",
    "time": "Time",
    "query": "Query",
    "candidates": "Candidates",
    "locations": "Locations",
    "problem_rooms": "Rooms needing attention",
    "rooms": "Rooms",
    "devices": "Devices",
    "tools": "Tools",
    "room": "Room",
    "resolution": "Location",
    "next_cursor": "Next page",
}
# Identifiers people do not read; --ids shows them. The account and app ids are what `check` is about: kept.
KEPT_IDS = frozenset({"account_id", "client_id"})
# Preferred column order; other fields follow in the order the tool returns them.
COLUMN_ORDER = ("name", "room", "issue", "device_type", "tool", "location_path", "path", "type", "room_type", "status")
LOCATION_COLUMNS = ("location_path", "path")
SEPARATOR = " > "
SHORT = 24  # a column whose cells are all at most this wide never wraps
MIN_LONG = 24  # the narrowest a wrapping column may get before the layout changes
ROW_LIMIT = 25


def label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _is_id(key: str, ids: bool) -> bool:
    return not ids and (key == "id" or key.endswith("_id")) and key not in KEPT_IDS


def _is_counts(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(v, int | float) for v in value.values())


def _counts(value: Mapping[str, Any]) -> str:
    return " · ".join(f"{k} {format_scalar(v)}" for k, v in value.items())


def _cell(key: str, value: Any, ids: bool) -> Text:
    """One value as text: lists one item per line, small objects inline, nothing shortened."""
    if isinstance(value, list) and value and all(not isinstance(v, dict | list) for v in value):
        if len(value) == 1 or key in ("scopes", "missing_scopes", "sources", "structure"):
            return styled(value)
        return Text("\n".join(f"• {format_scalar(v)}" for v in value))
    if _is_counts(value):
        return Text(_counts(value))
    if isinstance(value, dict):
        if "name" in value:
            where = value.get("location_path")
            return Text(f"{value['name']} ({where})" if where else str(value["name"]))
        shown = {k: v for k, v in value.items() if not _is_id(k, ids) and v not in (None, [], {})}
        return Text(", ".join(f"{label(k)} {format_scalar(v)}" for k, v in shown.items()) or "—")
    if isinstance(value, list):
        return Text(json.dumps(value, ensure_ascii=False))
    return styled(value)


@dataclass(slots=True)
class _Column:
    key: str
    title: str
    cells: list[Text]

    @property
    def natural(self) -> int:
        lines = [line for cell in self.cells for line in cell.plain.splitlines()] + self.title.splitlines()
        return max((len(line) for line in lines), default=0)

    @property
    def longest_word(self) -> int:
        words = (word for cell in self.cells for word in cell.plain.split())
        return max((len(word) for word in words), default=1)

    @property
    def short(self) -> bool:
        return self.natural <= SHORT

    @property
    def minimum(self) -> int:
        return self.natural if self.short else max(MIN_LONG, min(self.longest_word, 30), len(self.title))


def _common_prefix(paths: Sequence[str]) -> str:
    """The location levels every path shares, leaving at least one level of each."""
    split = [p.split(SEPARATOR) for p in paths]
    if not split:
        return ""
    shared: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        shared.append(parts[0])
    shared = shared[: min(len(s) for s in split) - 1]
    return SEPARATOR.join(shared)


def _breakable_path(path: str) -> str:
    """A location path that wraps only after a " > ", never inside a level's name (no-break spaces)."""
    return " ".join(level.replace(" ", "\u00a0") + "\u00a0>" for level in path.split(SEPARATOR)).removesuffix("\u00a0>")


def _columns(rows: Sequence[Mapping[str, Any]], ids: bool, prefix: str) -> list[_Column]:
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys and not _is_id(k, ids))
    keys = [k for k in keys if any(row.get(k) not in (None, [], {}, "") for row in rows)]
    ordered = [k for k in COLUMN_ORDER if k in keys] + [k for k in keys if k not in COLUMN_ORDER]
    if "id" in ordered:
        ordered = [k for k in ordered if k != "id"] + ["id"]
    columns: list[_Column] = []
    for key in ordered:
        cells: list[Text] = []
        for row in rows:
            value = row.get(key)
            if key in LOCATION_COLUMNS and isinstance(value, str):
                if prefix and value.startswith(prefix + SEPARATOR):
                    value = value[len(prefix) + len(SEPARATOR) :]
                value = _breakable_path(value)
            cells.append(_cell(key, value, ids))
        columns.append(_Column(key, label(key), cells))
    return columns


def _merge_location(columns: list[_Column]) -> list[_Column] | None:
    """The location under the name, in one column: the narrow layout of room lists."""
    keys = [c.key for c in columns]
    where = next((k for k in LOCATION_COLUMNS if k in keys), None)
    if "name" not in keys or where is None:
        return None
    name, location = columns[keys.index("name")], columns[keys.index(where)]
    cells = [
        Text.assemble(n, "\n", (loc.plain, "dim")) if loc.plain != "—" else n
        for n, loc in zip(name.cells, location.cells, strict=True)
    ]
    merged = _Column("name", f"{name.title} / {location.title.lower()}", cells)
    return [merged if c is name else c for c in columns if c is not location]


def _stack_short(columns: list[_Column]) -> list[_Column] | None:
    """The short columns after the first, one above the other in a single column: the narrowest table."""
    short = [c for c in columns[1:] if c.short]
    if len(short) < 2:
        return None
    cells = [
        Text("\n").join(c.cells[index] for c in short if c.cells[index].plain != "—")
        for index in range(len(columns[0].cells))
    ]
    stacked = _Column(short[0].key, "\n".join(c.title for c in short), cells)
    first = columns.index(short[0])
    rest = [c for c in columns if c not in short]
    return [*rest[:first], stacked, *rest[first:]]


def _fits(columns: Sequence[_Column], width: int) -> bool:
    return sum(c.minimum for c in columns) + 3 * (len(columns) - 1) <= width


def _table(columns: Sequence[_Column], width: int) -> Table:
    """Short columns at their natural width; the rest of the width shared by the wrapping ones."""
    spare = width - 3 * (len(columns) - 1) - sum(c.natural for c in columns if c.short)
    long = [c for c in columns if not c.short]
    widths: dict[str, int] = {}
    wanted = sum(c.natural for c in long) or 1
    for column in long:
        share = max(column.minimum, spare * column.natural // wanted)
        widths[column.key] = min(column.natural, share)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), expand=False)
    for column in columns:
        if column.short:
            table.add_column(column.title, no_wrap=True, width=column.natural, header_style="bold")
        else:
            table.add_column(column.title, overflow="fold", width=widths[column.key], header_style="bold")
    for index in range(len(columns[0].cells) if columns else 0):
        table.add_row(*(_hanging(c.cells[index]) for c in columns))
    return table


def _hanging(cell: Text) -> RenderableType:
    """A bulleted cell with its continuation lines indented under the text, not under the bullet."""
    lines = cell.plain.split("\n")
    if len(lines) < 2 or not all(line.startswith("• ") for line in lines):
        return cell
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for line in lines:
        grid.add_row("• ", line.removeprefix("• "))
    return grid


def _cards(columns: Sequence[_Column]) -> RenderableType:
    """One block per record, for widths no table fits: the first field as a heading, the others below."""
    blocks: list[RenderableType] = []
    first, rest = columns[0], columns[1:]
    for index, heading in enumerate(first.cells):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for column in rest:
            if column.cells[index].plain != "—":
                grid.add_row(column.title, column.cells[index])
        blocks.append(Group(Text(heading.plain, style="bold"), Padding(grid, (0, 0, 0, 2))))
    return Group(*blocks)


def records_view(
    title: str, rows: Sequence[Mapping[str, Any]], width: int, *, ids: bool = False, limit: int | None = ROW_LIMIT
) -> RenderableType:
    """A titled table of records that fits ``width``: common location levels moved into the title; when columns
    would get too narrow, the location under the name, then the short fields stacked in one column; one block
    per record when even that does not fit."""
    paths = [str(row.get(k)) for row in rows for k in LOCATION_COLUMNS[:1] if isinstance(row.get(k), str)]
    prefix = _common_prefix(paths) if len(paths) == len(rows) and len(rows) > 1 else ""
    shown = rows if limit is None else rows[:limit]
    heading = Text.assemble((f"{title} ({len(rows)})", "bold"), (f" in {prefix}" if prefix else "", "bold"))
    columns = _columns(shown, ids, prefix)
    parts: list[RenderableType] = [heading]
    if not columns:
        return Group(*parts)
    merged = _merge_location(columns) or columns
    layouts = [columns, merged, _stack_short(merged)]
    fitting = next((layout for layout in layouts if layout is not None and _fits(layout, width)), None)
    parts.append(_table(fitting, width) if fitting is not None else _cards(columns))
    if len(shown) < len(rows):
        more = len(rows) - len(shown)
        parts.append(Text(f"… {more} more: add --all to list every one, or --json for the complete result.", "dim"))
    return Group(*parts)


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _summary_rows(data: Mapping[str, Any], ids: bool) -> Iterator[tuple[str, Text]]:
    for key, value in data.items():
        if key == "message" or _is_id(key, ids) or _is_record_list(value) or value in (None, [], {}, ""):
            continue
        if key == "resolution" and isinstance(value, dict):
            if value.get("message"):
                yield label(key), Text(str(value["message"]))
        elif key == "next_cursor":
            yield label(key), Text(f"-a cursor={value} (with the same other arguments)")
        elif key == "notes" and isinstance(value, list):
            yield label(key), Text("\n".join(f"• {note}" for note in value))
        elif isinstance(value, dict) and not _is_counts(value) and "name" not in value:
            yield from _summary_rows(value, ids)  # a nested summary: its fields at this level
        else:
            yield label(key), _cell(key, value, ids)


def _record_lists(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for key, value in data.items():
        if _is_record_list(value):
            if key == "candidates" and data.get("status") != "ambiguous":
                continue  # the matched location is in the summary already
            if key == "locations" and prefix == "resolution":
                continue
            yield key, value
        elif isinstance(value, dict):
            yield from _record_lists(value, key)


def render_result(data: Any, width: int, *, ids: bool = False, all_rows: bool = False) -> RenderableType:
    """A tool's structured result for people: its message, a summary of the scalar fields, then each list of
    records as a table that fits ``width``."""
    if not isinstance(data, Mapping):
        return Text(json.dumps(data, indent=2, ensure_ascii=False))
    parts: list[RenderableType] = []
    if isinstance(data.get("message"), str) and data["message"]:
        parts.append(Text(data["message"], style="bold"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for name, value in _summary_rows(data, ids):
        grid.add_row(name, value)
    if grid.row_count:
        parts.append(grid)
    for key, rows in _record_lists(data):
        parts.append(Text(""))
        parts.append(records_view(label(key), rows, width, ids=ids, limit=None if all_rows else ROW_LIMIT))
    return Group(*parts)


# ---------------------------------------------------------------------------------------------------------------
# one tool's help, from its own input schema


def _type_phrase(schema: Mapping[str, Any]) -> str:
    """A JSON-schema property in words."""
    options: list[Mapping[str, Any]] = [o for o in schema.get("anyOf", []) if isinstance(o, dict)] or [schema]
    words: list[str] = []
    for option in options:
        kind = option.get("type")
        if kind == "null":
            continue
        if "enum" in option:
            words.append("one of " + ", ".join(str(v) for v in option["enum"]))
        elif kind == "array":
            words.append(f"list of {_type_phrase(option.get('items', {}))}")
        else:
            word = {"string": "text", "integer": "integer", "number": "number", "boolean": "true or false"}.get(
                str(kind), str(kind or "any")
            )
            low, high = option.get("minimum"), option.get("maximum")
            if low is not None and high is not None:
                word += f" {low}–{high}"
            elif low is not None:
                word += f" ≥ {low}"
            words.append(word)
    return " or ".join(words) or "any"


def parameter_rows(input_schema: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(name, "type, required or default", description) for each parameter of a tool."""
    properties = input_schema.get("properties", {}) if isinstance(input_schema, Mapping) else {}
    required = set(input_schema.get("required", [])) if isinstance(input_schema, Mapping) else set()
    rows: list[tuple[str, str, str]] = []
    for name, schema in properties.items():
        phrase = _type_phrase(schema)
        if name in required:
            phrase += "; required"
        elif "default" in schema and schema["default"] is not None:
            phrase += f"; default {json.dumps(schema['default'], ensure_ascii=False)}"
        else:
            phrase += "; optional"
        description = re.sub(r"\s+", " ", str(schema.get("description") or "")).strip()
        rows.append((name, phrase, description))
    return rows


def render_tool_help(
    name: str, title: str | None, description: str | None, input_schema: Mapping[str, Any], command: str
) -> RenderableType:
    """What ``call TOOL --help`` prints: usage, the tool's own description, and its parameters."""
    parts: list[RenderableType] = [
        Text(f"Usage: {command} call {name} [JSON_ARGS] [-a KEY=VALUE]... [--demo] [--json] [--ids] [--all]"),
        Text(""),
    ]
    if title:
        parts.append(Text(title, style="bold"))
    for paragraph in re.split(r"\n\s*\n", (description or "").strip()):
        if paragraph.strip():
            parts.append(Padding(Text(re.sub(r"\s+", " ", paragraph).strip()), (0, 0, 1, 0)))
    rows = parameter_rows(input_schema)
    parts.append(Text("Parameters:" if rows else "Parameters: none", style="bold"))
    for param, phrase, text in rows:
        parts.append(Padding(Text.assemble((param, "bold"), f" ({phrase})"), (0, 0, 0, 2)))
        if text:
            parts.append(Padding(Text(text), (0, 0, 0, 6)))
    example = " ".join(f"-a {param}=…" for param, phrase, _ in rows if phrase.endswith("required"))
    parts.append(Text(""))
    parts.append(Text("Example:", style="bold"))
    parts.append(Padding(Text(f"{command} call {name}{' ' + example if example else ''} --demo"), (0, 0, 0, 2)))
    return Group(*parts)


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
    grid.add_column(overflow="fold")
    for name, description in tools.items():
        grid.add_row(Text(name), Text(description))
    return grid
