"""Location fleets for the location tests: the simulator's anchor sites in two hierarchy shapes, built
locally, a large synthetic fleet, and two fleets from the simulator's generator.

A plain module rather than a conftest.py, so that its name is unique among the test directories."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable, Sequence
from typing import Any

from zoom_rooms_mcp.locations.model import LocationTree
from zoom_rooms_mcp.simulator.fleet import generate_fleet

FULL: tuple[str, ...] = ("country", "states", "city", "campus", "building", "floor")
SHORT: tuple[str, ...] = ("country", "city", "building", "floor")

# (country, state, city, campus, ((building, floors), ...)) — the anchors every generated fleet contains.
ANCHORS: tuple[tuple[str, str, str, str, tuple[tuple[str, int], ...]], ...] = (
    (
        "United States",
        "Washington",
        "Seattle",
        "Lake Union Campus",
        (("Building 1", 4), ("Building 2", 4), ("Building 3", 4)),
    ),
    ("United States", "Colorado", "Denver", "Tech Center Campus", (("Building 1", 3), ("Building 2", 3))),
    ("United States", "California", "San José", "HQ Campus", (("Building 1", 3),)),
    ("Germany", "Bayern", "München", "Munich Campus", (("Building A", 3), ("Building B", 3), ("Building C", 0))),
    ("United Kingdom", "England", "London", "King's Cross Campus", (("Building 1", 3),)),
    ("Canada", "Québec", "Montréal", "Old Port Campus", (("Building 1", 2),)),
)


def zoom_id(seed: str) -> str:
    """A random-looking, stable id in Zoom's style (22 url-safe characters)."""
    digest = hashlib.blake2b(seed.encode(), digest_size=16).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def anchor_locations(structure: Sequence[str] = FULL) -> list[dict[str, Any]]:
    """Zoom-shaped ``/rooms/locations`` items of the anchor sites, keeping only the levels in ``structure``."""
    items: dict[str, dict[str, Any]] = {}

    def add(path: tuple[tuple[str, str], ...]) -> None:
        kept = tuple((level, name) for level, name in path if level in structure)
        key = " > ".join(name for _, name in kept)
        if not kept or key in items:
            return
        parent = " > ".join(name for _, name in kept[:-1])
        items[key] = {
            "id": zoom_id(key),
            "name": kept[-1][1],
            "type": kept[-1][0],
            "parent_location_id": zoom_id(parent) if parent else "",
        }

    for country, state, city, campus, buildings in ANCHORS:
        site = (("country", country), ("states", state), ("city", city), ("campus", campus))
        for end in range(1, len(site) + 1):
            add(site[:end])
        for building, floors in buildings:
            add((*site, ("building", building)))
            for floor in range(1, floors + 1):
                add((*site, ("building", building), ("floor", f"Floor {floor}")))
    shuffled = list(items.values())
    random.Random(5).shuffle(shuffled)  # the tree must not depend on input order
    return shuffled


def synthetic_locations(count: int, seed: int = 3) -> list[dict[str, Any]]:
    """The anchors plus generated sites (made-up names, six levels) until there are ``count`` locations."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ran", "te", "su", "vor", "den", "ber", "lin", "ta", "ro", "sel", "mar", "ix"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()

    items = anchor_locations(FULL)

    def add(name: str, level: str, parent: str) -> str:
        location_id = zoom_id(f"synthetic-{len(items)}")
        items.append({"id": location_id, "name": name, "type": level, "parent_location_id": parent})
        return location_id

    while len(items) < count:
        country = add(f"{word()} {word()}", "country", "")
        for _ in range(3):
            state = add(word(), "states", country)
            for _ in range(4):
                city = add(word(), "city", state)
                for _ in range(2):
                    campus = add(f"{word()} Campus", "campus", city)
                    for b in range(1, 4):
                        building = add(f"Building {b}", "building", campus)
                        for f in range(1, 5):
                            add(f"Floor {f}", "floor", building)
    return items


def short_path(full_path: str) -> str:
    """The path a full-shape anchor path has when the states and campus levels are skipped."""
    names = full_path.split(" > ")
    return " > ".join(names[i] for i in (0, 2, 4, 5) if i < len(names))


def simulated_tree(rooms: int, seed: int, structure: Sequence[str] | None) -> LocationTree:
    fleet = generate_fleet(rooms=rooms, seed=seed, structure=structure)
    items = [
        {"id": loc.id, "name": loc.name, "parent_location_id": loc.parent_location_id, "type": loc.type}
        for loc in fleet.locations
    ]
    return LocationTree.from_zoom(items)


# name -> (shape, builder); the shape says which form the anchors' paths take.
FLEETS: dict[str, tuple[str, Callable[[], LocationTree]]] = {
    "anchors-full": ("full", lambda: LocationTree.from_zoom(anchor_locations(FULL))),
    "anchors-short": ("short", lambda: LocationTree.from_zoom(anchor_locations(SHORT))),
    "sim-150": ("full", lambda: simulated_tree(150, 7, None)),
    "sim-600-short": ("short", lambda: simulated_tree(600, 11, SHORT)),
}
