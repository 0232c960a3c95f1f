"""Zoom facts read straight from the files in ``tests/data/openapi``, by code independent of ``gen_facts``.

Scopes come from the operation's description text ("**Scopes:** `a`,`b`", "**Granular Scopes:** `c`") and are
cross-checked with its ``security`` block; limits come from the rate-limit page's plan table, read cell by cell.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parents[1] / "data" / "openapi"
SUBSET = DATA / "zoom-rooms-subset.json"
WEBHOOKS = DATA / "zoom-rooms-webhooks-subset.json"
RATE_PAGE = DATA / "docs-rate-limits.md"


@dataclass(frozen=True)
class OperationTruth:
    path: str
    operation_id: str
    label: str  # lower case, as a word: "light", "medium", "heavy", "resource-intensive"
    classic_scopes: frozenset[str]
    granular_scopes: frozenset[str]
    dashboard: bool


def _scopes(description: str, title: str) -> frozenset[str]:
    line = re.search(rf"\*\*\[{title}\]\([^)]*\):\*\*([^\n]*)", description)
    return frozenset(re.findall(r"`([^`]+)`", line.group(1))) if line else frozenset()


@cache
def operations() -> dict[str, OperationTruth]:
    """Every GET operation of the subset, by path template."""
    spec = json.loads(SUBSET.read_text(encoding="utf-8"))
    found = {}
    for path, item in spec["paths"].items():
        op: dict[str, Any] = item["get"]
        description: str = op["description"]
        classic, granular = _scopes(description, "Scopes"), _scopes(description, "Granular Scopes")
        security = {scope for entry in op["security"] for scope in entry.get("openapi_oauth", [])}
        assert security == classic | granular, f"{path}: description and security disagree"
        label = re.search(r"Rate Limit Label\]\([^)]*\):\*\*\s*`([^`]+)`", description)
        assert label is not None, path
        found[path] = OperationTruth(
            path=path,
            operation_id=op["operationId"],
            label=label.group(1).lower(),
            classic_scopes=classic,
            granular_scopes=granular,
            dashboard=op["tags"] == ["Dashboards"],
        )
    return found


@dataclass(frozen=True)
class LimitTruth:
    per_second: float
    daily: int | None


@cache
def rate_table() -> dict[str, dict[str, LimitTruth]]:
    """{plan ("free"/"pro"/"business"): {label ("light", ...): limit}} from the page's first table."""
    text = RATE_PAGE.read_text(encoding="utf-8")
    table = text[text.index("| Rate Limit Type") :].split("\n\n")[0]
    lines = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.splitlines()]
    plans = [column.lower().rstrip("+") for column in lines[0][1:]]
    table_out: dict[str, dict[str, LimitTruth]] = {plan: {} for plan in plans}
    for row in lines[2:]:
        label = row[0].lower().replace(" apis", "")
        for plan, cell in zip(plans, row[1:], strict=True):
            amount, unit = re.match(r"([\d,]+)/(\w+)", cell).groups()  # type: ignore[union-attr]
            daily = re.search(r"([\d,]+)/day", cell)
            per_second = int(amount.replace(",", "")) / {"second": 1, "minute": 60}[unit]
            table_out[plan][label] = LimitTruth(per_second, int(daily.group(1).replace(",", "")) if daily else None)
    return table_out


@cache
def combined_daily() -> dict[str, int | None]:
    """The paid plans' shared Heavy + Resource-intensive daily cap (the footnote under the table)."""
    text = RATE_PAGE.read_text(encoding="utf-8")
    caps: dict[str, int | None] = {"free": None, "pro": None, "business": None}
    for plan, count in re.findall(r"- (Pro|Business\+): ([\d,]+) requests/day for heavy", text):
        caps[plan.lower().rstrip("+")] = int(count.replace(",", ""))
    return caps


@cache
def webhook_schemas() -> dict[str, dict[str, Any]]:
    """Request-body schema of each webhook event, with Zoom's invalid ``"type": "enum, a┃b"`` made a string enum."""
    spec = json.loads(WEBHOOKS.read_text(encoding="utf-8"))

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            kind = node.get("type")
            if isinstance(kind, str) and kind.startswith("enum,"):
                return {"type": "string", "enum": [v.strip() for v in kind.removeprefix("enum,").split("┃")]}
            return {k: fix(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return {
        event: fix(item["post"]["requestBody"]["content"]["application/json"]["schema"])
        for event, item in spec["webhooks"].items()
    }
