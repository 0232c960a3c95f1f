"""Zoom facts shared by the client, the tools and the simulator: read endpoints, scopes, rate limits.

One table, checked against Zoom's OpenAPI files by ``tests/zoom/test_catalog.py``, so that the pacer,
the scope report of ``test_zoom_connection`` and the simulator's scope checks cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Plan = Literal["free", "pro", "business"]
PLANS: tuple[Plan, ...] = ("free", "pro", "business")


class Category(StrEnum):
    """Zoom's rate-limit label of an endpoint (sent back as ``X-RateLimit-Category``)."""

    LIGHT = "Light"
    MEDIUM = "Medium"
    HEAVY = "Heavy"
    RESOURCE_INTENSIVE = "Resource-intensive"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One read endpoint: ``path`` is the template below ``/v2`` exactly as Zoom's OpenAPI spells it."""

    key: str
    path: str
    category: Category
    classic_scopes: tuple[str, ...]
    granular_scopes: tuple[str, ...]
    dashboard: bool = False

    def allowed_by(self, granted: frozenset[str] | set[str]) -> bool:
        """Zoom accepts either any classic (macro) scope or any granular scope of the operation."""
        return any(s in granted for s in self.classic_scopes) or any(s in granted for s in self.granular_scopes)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.path)


def _compile(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[^/]+?\\}", "([^/]+)", re.escape(path)) + "$")


_ROOM = ("room:read:admin",)
_DASH_ZR = ("dashboard_zr:read:admin", "dashboard:read:admin")
_DASH_HOME = ("dashboard_home:read:admin", "dashboard:read:admin")

ENDPOINTS: dict[str, Endpoint] = {
    e.key: e
    for e in (
        Endpoint("list_rooms", "/rooms", Category.MEDIUM, _ROOM, ("zoom_rooms:read:list_rooms:admin",)),
        Endpoint(
            "list_locations", "/rooms/locations", Category.MEDIUM, _ROOM, ("zoom_rooms:read:list_locations:admin",)
        ),
        Endpoint(
            "location_structure",
            "/rooms/locations/structure",
            Category.LIGHT,
            _ROOM,
            ("zoom_rooms:read:location_hierarchy:admin",),
        ),
        Endpoint(
            "get_location", "/rooms/locations/{locationId}", Category.MEDIUM, _ROOM, ("zoom_rooms:read:location:admin",)
        ),
        Endpoint(
            "account_profile",
            "/rooms/account_profile",
            Category.MEDIUM,
            _ROOM,
            ("zoom_rooms:read:account_profile:admin",),
        ),
        Endpoint("get_room", "/rooms/{roomId}", Category.MEDIUM, _ROOM, ("zoom_rooms:read:room:admin",)),
        Endpoint(
            "list_devices", "/rooms/{roomId}/devices", Category.MEDIUM, _ROOM, ("zoom_rooms:read:list_devices:admin",)
        ),
        Endpoint(
            "room_settings", "/rooms/{id}/settings", Category.MEDIUM, _ROOM, ("zoom_rooms:read:room_settings:admin",)
        ),
        Endpoint(
            "sensor_data", "/rooms/{roomId}/sensor_data", Category.MEDIUM, _ROOM, ("zoom_rooms:read:sensor_data:admin",)
        ),
        Endpoint(
            "dashboard_rooms",
            "/metrics/zoomrooms",
            Category.RESOURCE_INTENSIVE,
            _DASH_ZR,
            ("dashboard:read:list_zoomrooms:admin",),
            dashboard=True,
        ),
        Endpoint(
            "dashboard_top_issues",
            "/metrics/zoomrooms/issues",
            Category.HEAVY,
            _DASH_ZR,
            ("dashboard:read:issues_zoomroom:admin",),
            dashboard=True,
        ),
        Endpoint(
            "dashboard_room",
            "/metrics/zoomrooms/{zoomroomId}",
            Category.HEAVY,
            _DASH_ZR,
            ("dashboard:read:zoomroom:admin",),
            dashboard=True,
        ),
        Endpoint(
            "dashboard_rooms_with_issues",
            "/metrics/issues/zoomrooms",
            Category.HEAVY,
            _DASH_HOME,
            ("dashboard:read:list_zoomrooms:admin",),
            dashboard=True,
        ),
        Endpoint(
            "dashboard_room_issues",
            "/metrics/issues/zoomrooms/{zoomroomId}",
            Category.HEAVY,
            _DASH_HOME,
            ("dashboard:read:issues_zoomroom:admin",),
            dashboard=True,
        ),
    )
}

# Literal paths first so that "/rooms/locations" never matches the "/rooms/{roomId}" template.
_MATCH_ORDER = sorted(ENDPOINTS.values(), key=lambda e: (e.path.count("{"), -len(e.path)))


def match_endpoint(path: str) -> tuple[Endpoint, tuple[str, ...]] | None:
    """Find the endpoint whose template matches ``path`` (relative to ``/v2``) and its path parameters."""
    for endpoint in _MATCH_ORDER:
        m = endpoint.pattern.match(path)
        if m:
            return endpoint, m.groups()
    return None


@dataclass(frozen=True, slots=True)
class Rate:
    """A per-category limit: ``per_second`` requests per second (fractions for per-minute limits)."""

    per_second: float
    daily: int | None = None


# Zoom's published table (docs-rate-limits.md). Resource-intensive is 10 or 20 per *minute*.
RATE_LIMITS: dict[Plan, dict[Category, Rate]] = {
    "free": {
        Category.LIGHT: Rate(4, 6_000),
        Category.MEDIUM: Rate(2, 2_000),
        Category.HEAVY: Rate(1, 1_000),
        Category.RESOURCE_INTENSIVE: Rate(10 / 60, 30_000),
    },
    "pro": {
        Category.LIGHT: Rate(30),
        Category.MEDIUM: Rate(20),
        Category.HEAVY: Rate(10),
        Category.RESOURCE_INTENSIVE: Rate(10 / 60),
    },
    "business": {
        Category.LIGHT: Rate(80),
        Category.MEDIUM: Rate(60),
        Category.HEAVY: Rate(40),
        Category.RESOURCE_INTENSIVE: Rate(20 / 60),
    },
}
# Heavy and Resource-intensive share one daily cap on paid plans.
COMBINED_HEAVY_DAILY: dict[Plan, int | None] = {"free": None, "pro": 30_000, "business": 60_000}
