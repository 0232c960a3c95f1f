"""One declaration per tool: its function, title and the Zoom endpoints it reads.

Everything else is derived from ``TOOLS``: registration on the server, the per-tool scope report of
``test_zoom_connection`` and ``zoom-rooms-mcp check`` (``scope_report``), and the scope table of
docs/zoom-app-setup.md (``scope_table``). A test runs every tool against the simulator and checks that
the endpoints it actually hit are among those declared here.

Registration also makes every tool strict and lean, the same way for all of them:
* an unknown argument is an error naming it and listing the valid ones (never silently ignored);
* an invalid argument is one plain sentence, not a validation dump;
* the text content is compact JSON (null fields left out), the schemas carry no repeated definitions
  and no redundant titles, and descriptions are dedented.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from zoom_rooms_mcp.tools import alerts, connection, health, issues, locations, rooms, top_issues
from zoom_rooms_mcp.tools.common import READ_ONLY
from zoom_rooms_mcp.tools.connection import ToolAccess
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS, Endpoint
from zoom_rooms_mcp.zoom.errors import sanitize

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

_TREE = {"location_structure": "the names of the levels"}
_DASHBOARD_HEALTH = "Dashboard health and issues"


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool and the Zoom endpoints (catalog keys) it reads: ``required`` ones it cannot work without,
    ``optional`` ones it degrades without (saying so in ``notes``), each with what it adds."""

    name: str
    function: Callable[..., Awaitable[Any]]
    title: str
    required: tuple[str, ...]
    optional: Mapping[str, str] = field(default_factory=dict)

    @property
    def endpoints(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.optional)


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "test_zoom_connection",
        connection.zoom_connection,
        "Test Zoom connection",
        required=(),
        optional={"list_rooms": "one API call that proves the token is accepted"},
    ),
    ToolSpec(
        "get_zoom_sites",
        locations.get_zoom_sites,
        "List Zoom Rooms locations",
        required=("list_locations", "list_rooms"),
        optional=_TREE,
    ),
    ToolSpec(
        "resolve_location",
        locations.resolve_location,
        "Resolve a location name",
        required=("list_locations",),
        optional=_TREE,
    ),
    ToolSpec(
        "get_zoom_rooms",
        rooms.get_zoom_rooms,
        "List Zoom Rooms",
        required=("list_rooms", "list_locations"),
        optional=_TREE,
    ),
    ToolSpec(
        "get_room_details",
        rooms.get_room_details,
        "Get Zoom Room details",
        # The location path comes from the tree: without the locations scope the tool cannot answer.
        required=("list_rooms", "list_locations"),
        optional={
            **_TREE,
            "get_room": "type and capacity",
            "list_devices": "devices",
            "dashboard_room": _DASHBOARD_HEALTH,
        },
    ),
    ToolSpec(
        "get_fleet_health",
        health.get_fleet_health,
        "Fleet health report",
        required=("list_rooms", "list_locations"),
        optional={
            **_TREE,
            "list_devices": "device problems",
            # Up to 100 rooms the dashboard is read per room, beyond that from the list.
            "dashboard_room": _DASHBOARD_HEALTH,
            "dashboard_rooms": _DASHBOARD_HEALTH,
        },
    ),
    ToolSpec(
        "get_room_issues",
        issues.get_room_issues,
        "Room issue history",
        required=("list_rooms", "list_locations", "dashboard_room_issues"),
        optional=_TREE,
    ),
    ToolSpec(
        "get_top_issues",
        top_issues.get_top_issues,
        "Top issues and rooms",
        # Whole fleet: Zoom's two rankings plus the ranked rooms' histories; a location: each room's history.
        required=(
            "list_rooms",
            "list_locations",
            "dashboard_top_issues",
            "dashboard_rooms_with_issues",
            "dashboard_room_issues",
        ),
        optional=_TREE,
    ),
    ToolSpec(
        "get_room_alerts",
        alerts.get_room_alerts,
        "Recent room alerts",
        # The event log is in the store; the listing is re-read when stale (its changes become events first).
        required=("list_rooms", "list_locations"),
        optional=_TREE,
    ),
)
BY_NAME: dict[str, ToolSpec] = {spec.name: spec for spec in TOOLS}


# --- scopes ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScopeReport:
    """Granted vs needed scopes, per tool. ``blocking`` names, per unavailable tool, the endpoints it needs."""

    missing_scopes: list[str]
    tools: list[ToolAccess]
    blocking: dict[str, list[Endpoint]]


def scope_report(granted: frozenset[str] | set[str]) -> ScopeReport:
    """Missing scopes per tool; suggests classic names to apps that use classic scopes, granular otherwise."""
    classic_style = any(s.count(":") == 2 and not s.startswith("zoom_rooms:") for s in granted)
    all_missing: list[str] = []
    access: list[ToolAccess] = []
    blocking: dict[str, list[Endpoint]] = {}
    for spec in TOOLS:
        missing: list[str] = []
        degraded = False
        for key in (*spec.required, *spec.optional):
            endpoint = ENDPOINTS[key]
            if endpoint.allowed_by(granted):
                continue
            names = endpoint.classic_scopes[:1] if classic_style else endpoint.granular_scopes
            missing.extend(n for n in names if n not in missing)
            if key in spec.optional:
                degraded = True
            else:
                blocking.setdefault(spec.name, []).append(endpoint)
        access.append(
            ToolAccess(tool=spec.name, available=spec.name not in blocking, degraded=degraded, missing_scopes=missing)
        )
        all_missing.extend(n for n in missing if n not in all_missing)
    return ScopeReport(missing_scopes=all_missing, tools=access, blocking=blocking)


def scope_table() -> str:
    """The Markdown table of docs/zoom-app-setup.md: granular scopes each tool needs and may use."""
    lines = ["| tool | needs | optional (the tool degrades without it) |", "|---|---|---|"]
    for spec in TOOLS:
        needs = _scopes(spec.required) or "a token only"
        by_purpose: dict[str, list[str]] = {}
        for key, purpose in spec.optional.items():
            by_purpose.setdefault(purpose, []).append(key)
        optional = "; ".join(f"{_scopes(keys)} ({purpose})" for purpose, keys in by_purpose.items()) or "—"
        lines.append(f"| `{spec.name}` | {needs} | {optional} |")
    return "\n".join(lines)


def _scopes(keys: tuple[str, ...] | list[str]) -> str:
    names: list[str] = []
    for key in keys:
        names.extend(s for s in ENDPOINTS[key].granular_scopes if s not in names)
    return ", ".join(f"`{name}`" for name in names)


# --- registration ----------------------------------------------------------------------------------


class StrictTool(Tool):
    """A tool that rejects unknown arguments, explains invalid ones in a sentence, and answers in compact JSON."""

    async def run(self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False) -> Any:
        valid = list(self.parameters.get("properties", {}))
        unknown = [name for name in arguments if name not in valid]
        if unknown:
            names = ", ".join(repr(sanitize(name, 40)) for name in unknown)
            raise ToolError(
                f"Error executing tool {self.name}: unknown argument{'s' if len(unknown) > 1 else ''} {names}; "
                f"the valid arguments are: {', '.join(valid) or 'none'}."
            )
        try:
            self.fn_metadata.validate_arguments(arguments)
        except ValidationError as exc:
            raise ToolError(f"Error executing tool {self.name}: {plain_errors(exc)}") from exc
        result = await super().run(arguments, context, convert_result)
        if isinstance(result, CallToolResult) and result.structured_content is not None and not result.is_error:
            text = json.dumps(drop_nulls(result.structured_content), ensure_ascii=False, separators=(",", ":"))
            result = result.model_copy(update={"content": [TextContent(type="text", text=text)]})
        return result


def plain_errors(exc: ValidationError) -> str:
    """One sentence per invalid argument (its first complaint), without pydantic's dump and links."""
    seen: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "arguments"
        if name in seen:
            continue
        if error["type"] == "missing":
            seen[name] = f"`{name}` is required"
        else:
            message = str(error["msg"])
            seen[name] = f"`{name}`: {message[:1].lower()}{message[1:]}"
    return "Invalid arguments: " + "; ".join(seen.values()) + "."


def drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def slim_schema(schema: dict[str, Any], *, output: bool = False) -> dict[str, Any]:
    """Inline ``$defs`` (so no definition is repeated across tools) and drop pydantic's generated titles.

    For an ``output`` schema only the top-level properties keep their description (the fields of a row,
    ``id``, ``name``, ``status``, …, speak for themselves, and the list holding them says the rest), and
    nested objects drop ``required`` and ``default`` (every field of an answer is always present, null or
    not): the shape stays, without repeating each row's field names.
    """
    definitions: dict[str, Any] = schema.get("$defs", {})

    def walk(node: Any, depth: int, in_properties: bool = False) -> Any:
        if isinstance(node, list):
            return [walk(item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        if in_properties:  # keys are property names here, not schema keywords
            return {name: walk(sub, depth + 1) for name, sub in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            inlined = walk(definitions[ref.removeprefix("#/$defs/")], depth)
            return {**inlined, **{k: walk(v, depth) for k, v in node.items() if k != "$ref"}}
        slim = {
            key: walk(value, depth, in_properties=key == "properties")
            for key, value in node.items()
            if key != "$defs"
            and not (key == "title" and isinstance(value, str))
            and not (output and key == "description" and depth > 1)
            and not (output and key in ("required", "default") and depth > 0)
        }
        return _nullable(slim)

    slimmed: dict[str, Any] = walk(schema, 0)
    return slimmed


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [{type: T, …}, {type: null}]`` → ``type: [T, null], …``: the same meaning in a third of the size
    (keywords such as maxLength or items only constrain values of their own type; an enum gains null)."""
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return node
    (branch,) = [o for o in options if o != {"type": "null"}]
    if not isinstance(branch, dict) or not isinstance(branch.get("type"), str):
        return node
    merged = {**branch, "type": [branch["type"], "null"]}
    if isinstance(branch.get("enum"), list):
        merged["enum"] = [*branch["enum"], None]
    return {**merged, **{k: v for k, v in node.items() if k != "anyOf"}}


def build_tool(spec: ToolSpec) -> StrictTool:
    tool = StrictTool.from_function(
        spec.function,
        name=spec.name,
        title=spec.title,
        description=inspect.cleandoc(spec.function.__doc__ or ""),
        annotations=READ_ONLY,
        structured_output=True,
    )
    assert isinstance(tool, StrictTool)
    if tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = slim_schema(tool.fn_metadata.output_schema, output=True)
    tool.parameters = slim_schema(tool.parameters)
    return tool


def register_all(server: MCPServer) -> None:
    for spec in TOOLS:
        # MCPServer.add_tool only takes a function; a prepared Tool goes into its manager directly.
        server._tool_manager._tools[spec.name] = build_tool(spec)
