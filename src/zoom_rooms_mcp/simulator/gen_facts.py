"""Generate ``zoom_facts.json``: the simulator's own Zoom facts, read from Zoom's OpenAPI files and rate-limit page.

Usage::

    python -m zoom_rooms_mcp.simulator.gen_facts SOURCE_DIR [OUTPUT]

SOURCE_DIR holds Zoom's OpenAPI documents (every ``*.json`` with ``paths`` is searched, so the full API hub files
and the trimmed copy in ``tests/data/openapi`` both work) and ``docs-rate-limits.md``. Per served endpoint it
records the operation id, the classic (``x-macro-scopes``) and granular (``x-granular-scopes``) scopes and the
"Rate Limit Label" written in the operation's description; from the rate-limit page, the per-plan limit of each
category and the paid plans' combined Heavy + Resource-intensive daily cap. OUTPUT defaults to the committed
file next to this module, so the package needs no OpenAPI file at run time.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("zoom_facts.json")

# The endpoints the simulator serves: its key (also the stats key) -> the path template as Zoom spells it.
SERVED: dict[str, str] = {
    "list_rooms": "/rooms",
    "get_room": "/rooms/{roomId}",
    "list_devices": "/rooms/{roomId}/devices",
    "room_settings": "/rooms/{id}/settings",
    "sensor_data": "/rooms/{roomId}/sensor_data",
    "list_locations": "/rooms/locations",
    "get_location": "/rooms/locations/{locationId}",
    "location_structure": "/rooms/locations/structure",
    "account_profile": "/rooms/account_profile",
    "dashboard_rooms": "/metrics/zoomrooms",
    "dashboard_room": "/metrics/zoomrooms/{zoomroomId}",
    "dashboard_top_issues": "/metrics/zoomrooms/issues",
    "dashboard_rooms_with_issues": "/metrics/issues/zoomrooms",
    "dashboard_room_issues": "/metrics/issues/zoomrooms/{zoomroomId}",
}

# The label as Zoom writes it (case varies: "MEDIUM", "Heavy") -> the category name sent as X-RateLimit-Category.
CATEGORIES = {"light": "Light", "medium": "Medium", "heavy": "Heavy", "resource-intensive": "Resource-intensive"}
PLAN_COLUMNS = {"Free": "free", "Pro": "pro", "Business+": "business"}
_LABEL = re.compile(r"Rate Limit Label\]\([^)]*\):\*\*\s*`([^`]+)`")
_CELL = re.compile(r"^\s*([\d,]+)/(second|minute)\\?\*?(?:,\s*([\d,]+)/day)?\s*$")
_COMBINED = re.compile(r"^-\s*(\w[\w+]*):\s*([\d,]+) requests/day for heavy and resource-intensive APIs", re.MULTILINE)


class FactsError(ValueError):
    """The source files do not say what the simulator needs (a path, a label, a table row is missing)."""


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _operations(source_dir: Path) -> dict[str, dict[str, Any]]:
    """Every GET operation by path, over all OpenAPI files in the folder."""
    found: dict[str, dict[str, Any]] = {}
    for file in sorted(source_dir.glob("*.json")):
        spec = json.loads(file.read_text(encoding="utf-8"))
        for path, item in (spec.get("paths") or {}).items():
            if isinstance(item, dict) and "get" in item:
                found.setdefault(path, item["get"])
    return found


def endpoint_facts(source_dir: Path) -> list[dict[str, Any]]:
    operations = _operations(source_dir)
    endpoints = []
    for key, path in SERVED.items():
        operation = operations.get(path)
        if operation is None:
            raise FactsError(f"no GET {path} in the OpenAPI files of {source_dir}")
        label = _LABEL.search(operation.get("description", ""))
        if label is None or label.group(1).strip().lower() not in CATEGORIES:
            raise FactsError(f"GET {path} has no known Rate Limit Label in its description")
        extensions = operation.get("x-extensions", {})
        endpoints.append(
            {
                "key": key,
                "path": path,
                "operation_id": operation["operationId"],
                "category": CATEGORIES[label.group(1).strip().lower()],
                "classic_scopes": list(extensions.get("x-macro-scopes", [])),
                "granular_scopes": list(extensions.get("x-granular-scopes", [])),
                "dashboard": "Dashboards" in operation.get("tags", []),
            }
        )
    return endpoints


def rate_facts(page: str) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, int | None]]:
    """(per plan, per category ``{count, per, daily}``; per plan the combined Heavy + Resource-intensive cap)."""
    section = page.split("## Rate limits by account type", 1)[-1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    if len(rows) < 3:
        raise FactsError("docs-rate-limits.md has no 'Rate limits by account type' table")
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    plans = {index: PLAN_COLUMNS[name] for index, name in enumerate(header) if name in PLAN_COLUMNS}
    limits: dict[str, dict[str, dict[str, Any]]] = {plan: {} for plan in plans.values()}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        category = CATEGORIES.get(cells[0].removesuffix(" APIs").lower())
        if category is None:
            raise FactsError(f"unknown rate limit type {cells[0]!r}")
        for index, plan in plans.items():
            match = _CELL.match(cells[index])
            if match is None:
                raise FactsError(f"cannot read {cells[index]!r} ({category}, {plan})")
            count, per, daily = match.groups()
            limits[plan][category] = {"count": _number(count), "per": per, "daily": _number(daily) if daily else None}
    combined: dict[str, int | None] = dict.fromkeys(plans.values())
    for name, count in _COMBINED.findall(section):
        if name in PLAN_COLUMNS:
            combined[PLAN_COLUMNS[name]] = _number(count)
    return limits, combined


def build(source_dir: Path) -> dict[str, Any]:
    limits, combined = rate_facts((source_dir / "docs-rate-limits.md").read_text(encoding="utf-8"))
    return {
        "comment": "Generated by python -m zoom_rooms_mcp.simulator.gen_facts from Zoom's OpenAPI files; do not edit.",
        "endpoints": endpoint_facts(source_dir),
        "rate_limits": limits,
        "combined_heavy_daily": combined,
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or len(args) > 2:
        raise SystemExit("usage: python -m zoom_rooms_mcp.simulator.gen_facts SOURCE_DIR [OUTPUT]")
    output = Path(args[1]) if len(args) > 1 else OUTPUT
    output.write_text(json.dumps(build(Path(args[0])), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
