"""Build ``zoom-rooms-subset.json``: the GET operations the simulator serves, cut from Zoom's own OpenAPI files.

Usage (from the repository root)::

    python tests/data/openapi/extract.py [SOURCE_DIR]

SOURCE_DIR holds ``zoom-rooms-api.endpoints.json`` and ``zoom-accounts-api.endpoints.json`` as downloaded from
Zoom's API hub (default: ``/work/shared/zoom-api/openapi``). Only the listed paths' GET operations are kept,
byte-for-byte apart from re-indentation, plus any ``components`` they reference (today: none, the files inline
every schema). The output is committed so that the contract tests run without the source files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SOURCES = {
    "zoom-rooms-api.endpoints.json": (
        "/rooms",
        "/rooms/{roomId}",
        "/rooms/{roomId}/devices",
        "/rooms/{id}/settings",
        "/rooms/{roomId}/sensor_data",
        "/rooms/locations",
        "/rooms/locations/{locationId}",
        "/rooms/locations/structure",
        "/rooms/account_profile",
    ),
    "zoom-accounts-api.endpoints.json": (
        "/metrics/zoomrooms",
        "/metrics/zoomrooms/{zoomroomId}",
        "/metrics/zoomrooms/issues",
        "/metrics/issues/zoomrooms",
        "/metrics/issues/zoomrooms/{zoomroomId}",
    ),
}
OUTPUT = Path(__file__).with_name("zoom-rooms-subset.json")
# The webhook events the simulator sends, cut from Zoom's webhook OpenAPI document.
WEBHOOKS_SOURCE = "zoom-rooms-webhooks.json"
WEBHOOK_EVENTS = (
    "zoomroom.alert",
    "zoomroom.delayed_alert",
    "zoomroom.created",
    "zoomroom.updated",
    "zoomroom.deleted",
    "zoomroom.location_created",
    "zoomroom.location_updated",
    "zoomroom.location_deleted",
    "zoomroom.checked_in",
    "zoomroom.checked_out",
    "zoomroom.sensor_data",
)
WEBHOOKS_OUTPUT = Path(__file__).with_name("zoom-rooms-webhooks-subset.json")
# Zoom's rate-limit page, copied as is: the simulator's facts and the product catalog are checked against it.
RATE_LIMITS_PAGE = "docs-rate-limits.md"


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def extract(source_dir: Path) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    info: dict[str, str] = {}
    for filename, wanted in SOURCES.items():
        spec = json.loads((source_dir / filename).read_text(encoding="utf-8"))
        info[filename] = f"{spec['info']['title']} {spec['info']['version']}"
        for path in wanted:
            paths[path] = {"get": spec["paths"][path]["get"]}
        todo = _refs({p: paths[p] for p in wanted})
        seen: set[str] = set()
        while todo:
            ref = todo.pop()
            seen.add(ref)
            _, _, section, name = ref.split("/", 3)  # "#/components/<section>/<name>"
            target = spec["components"][section][name]
            components.setdefault(section, {})[name] = target
            todo |= _refs(target) - seen
    return {
        "openapi": "3.0.0",
        "info": {
            "title": "Zoom Rooms + Dashboard read endpoints (subset)",
            "version": "2",
            "description": "Extracted by tests/data/openapi/extract.py from: " + "; ".join(sorted(info.values())),
        },
        "paths": paths,
        "components": components,
    }


def extract_webhooks(source_dir: Path) -> dict[str, Any]:
    spec = json.loads((source_dir / WEBHOOKS_SOURCE).read_text(encoding="utf-8"))
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": "Zoom Rooms webhooks (subset)",
            "version": str(spec["info"]["version"]),
            "description": f"Extracted by tests/data/openapi/extract.py from: {spec['info']['title']}",
        },
        "webhooks": {event: spec["webhooks"][event] for event in WEBHOOK_EVENTS},
    }


def main() -> None:
    source_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/zoom-api/openapi")
    OUTPUT.write_text(json.dumps(extract(source_dir), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    webhooks = json.dumps(extract_webhooks(source_dir), indent=1, ensure_ascii=False) + "\n"
    WEBHOOKS_OUTPUT.write_text(webhooks, encoding="utf-8")
    page = (source_dir / RATE_LIMITS_PAGE).read_text(encoding="utf-8")
    OUTPUT.with_name(RATE_LIMITS_PAGE).write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
