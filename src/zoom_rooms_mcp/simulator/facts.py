"""The simulator's own Zoom facts: served endpoints, their scopes and rate-limit categories, limits per plan.

Loaded from ``zoom_facts.json``, which ``gen_facts`` derives from Zoom's OpenAPI files and rate-limit page. The
product keeps its own table (its Zoom catalog); the simulator never reads it, so a wrong value
there fails against this independent copy instead of passing every test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from typing import Any, Literal

Plan = Literal["free", "pro", "business"]
PLANS: tuple[Plan, ...] = ("free", "pro", "business")


class Category(StrEnum):
    """Zoom's rate-limit label of an endpoint (sent back as ``X-RateLimit-Category``)."""

    LIGHT = "Light"
    MEDIUM = "Medium"
    HEAVY = "Heavy"
    RESOURCE_INTENSIVE = "Resource-intensive"


def _compile(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[^/]+?\\}", "([^/]+)", re.escape(path)) + "$")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One served GET endpoint; ``path`` is the template below ``/v2`` exactly as Zoom's OpenAPI spells it."""

    key: str
    path: str
    operation_id: str
    category: Category
    classic_scopes: tuple[str, ...]
    granular_scopes: tuple[str, ...]
    dashboard: bool
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", _compile(self.path))

    def allowed_by(self, granted: frozenset[str] | set[str]) -> bool:
        """Zoom accepts any classic (macro) scope or any granular scope of the operation."""
        return any(s in granted for s in self.classic_scopes) or any(s in granted for s in self.granular_scopes)


@dataclass(frozen=True, slots=True)
class Rate:
    """A per-category limit: ``per_second`` requests per second (a fraction for per-minute limits)."""

    per_second: float
    daily: int | None = None


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath("zoom_facts.json").read_text("utf-8"))
    return data


_FACTS = _load()

ENDPOINTS: dict[str, Endpoint] = {
    item["key"]: Endpoint(
        key=item["key"],
        path=item["path"],
        operation_id=item["operation_id"],
        category=Category(item["category"]),
        classic_scopes=tuple(item["classic_scopes"]),
        granular_scopes=tuple(item["granular_scopes"]),
        dashboard=item["dashboard"],
    )
    for item in _FACTS["endpoints"]
}
RATE_LIMITS: dict[Plan, dict[Category, Rate]] = {
    plan: {
        Category(name): Rate(limit["count"] / (60 if limit["per"] == "minute" else 1), limit["daily"])
        for name, limit in _FACTS["rate_limits"][plan].items()
    }
    for plan in PLANS
}
# Heavy and Resource-intensive share one daily cap on paid plans.
COMBINED_HEAVY_DAILY: dict[Plan, int | None] = {plan: _FACTS["combined_heavy_daily"][plan] for plan in PLANS}

# Literal paths first so that "/rooms/locations" never matches the "/rooms/{roomId}" template.
_MATCH_ORDER = sorted(ENDPOINTS.values(), key=lambda e: (e.path.count("{"), -len(e.path)))


def match_endpoint(path: str) -> tuple[Endpoint, tuple[str, ...]] | None:
    """The endpoint whose template matches ``path`` (relative to ``/v2``), and its path parameters."""
    for endpoint in _MATCH_ORDER:
        found = endpoint.pattern.match(path)
        if found:
            return endpoint, found.groups()
    return None
