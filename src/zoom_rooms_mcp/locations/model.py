"""The account's location hierarchy, built from Zoom's ``/rooms/locations`` items.

The hierarchy comes only from ``parent_location_id`` (never from names). Zoom marks a top-level location
with ``""``; a missing or null parent, a parent id that is not in the list, or a location that is its own
parent also make a root, and a parent cycle is cut at its smallest id so that every location has a finite
path. Siblings are ordered by name with numbers compared by value ("Floor 2" before "Floor 10").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from zoom_rooms_mcp.locations.text import natural_key
from zoom_rooms_mcp.zoom.errors import clean

if TYPE_CHECKING:
    from zoom_rooms_mcp.locations.resolver import LocationResolver

PATH_SEPARATOR = " > "
NAME_LIMIT = 200  # characters of a location name kept (Zoom data; a hostile 10,000-character name stays bounded)
# Zoom's levels, top to bottom; an account enables a subset of them.
LEVELS: tuple[str, ...] = ("country", "states", "city", "campus", "building", "floor")
_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)} | {"state": LEVELS.index("states")}


@dataclass(frozen=True, slots=True)
class Location:
    """One location; ``path`` holds the names from the root down to this location."""

    id: str
    name: str
    type: str
    parent_id: str | None
    depth: int
    path: tuple[str, ...]

    @property
    def path_str(self) -> str:
        """The path as one string: "United States > Washington > Seattle > Lake Union Campus"."""
        return PATH_SEPARATOR.join(self.path)


class RawLocation(NamedTuple):
    """One location as listed, before the tree is built (a tuple: cheap to make by the thousand)."""

    id: str
    name: str
    type: str
    parent_id: str | None


class LocationTree:
    """An immutable location hierarchy with tree-order traversal and subtree queries.

    Locations are stored in depth-first order, so every subtree is one contiguous slice: descendant
    look-ups and room roll-ups cost no more than the size of their answer.
    """

    def __init__(self, raws: Iterable[RawLocation], structure: Sequence[str] | None = None) -> None:
        """Build from already cleaned records; ``from_zoom`` builds from Zoom's raw items."""
        records: dict[str, RawLocation] = {}
        for raw in raws:
            records.setdefault(raw.id, raw)  # the first of duplicated ids wins
        parents = {
            i: raw.parent_id if raw.parent_id in records and raw.parent_id != i else None for i, raw in records.items()
        }
        order, position, children = _depth_first(records, parents)
        if len(order) < len(records):  # locations on a parent cycle are unreachable from the roots
            order, position, children = _depth_first(records, _cut_cycles(parents))
        sizes = [1] * len(order)
        for pos in range(len(order) - 1, 0, -1):  # children come after their parent in tree order
            parent_id = order[pos].parent_id
            if parent_id is not None:
                sizes[position[parent_id]] += sizes[pos]

        self._order: tuple[Location, ...] = tuple(order)
        self._position = position
        self._end: tuple[int, ...] = tuple(pos + size for pos, size in enumerate(sizes))
        self._children = children
        self._structure = tuple(structure) if structure is not None else _infer_structure(order)

    @classmethod
    def from_zoom(cls, locations: Iterable[Mapping[str, Any]], structure: Sequence[str] | None = None) -> LocationTree:
        """Build from raw ``/rooms/locations`` items ``{id, name, parent_location_id, type}``.

        Items without an id are skipped; a missing name shows as the id. ``structure`` is the account's
        ``/rooms/locations/structure``; without it the levels are inferred from the types present.
        """
        raws: list[RawLocation] = []
        for item in locations:
            location_id = _text(item.get("id"))
            if not location_id:
                continue
            parent = _text(item.get("parent_location_id")) or None
            # Names are Zoom data shown in every path: control characters go, length is capped.
            name = clean(_text(item.get("name")), NAME_LIMIT) or location_id
            raws.append(RawLocation(location_id, name, _text(item.get("type")), parent))
        return cls(raws, structure)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, location_id: object) -> bool:
        return location_id in self._position

    def __iter__(self) -> Iterator[Location]:
        return iter(self._order)

    def get(self, location_id: str) -> Location | None:
        position = self._position.get(location_id)
        return None if position is None else self._order[position]

    @property
    def structure(self) -> tuple[str, ...]:
        """The account's levels, top to bottom."""
        return self._structure

    @property
    def roots(self) -> list[Location]:
        """Top-level locations in tree order."""
        return [self._order[self._position[i]] for i in self._children.get(None, [])]

    def children(self, location_id: str) -> list[Location]:
        """Direct children in tree order; empty for a leaf or an unknown id."""
        return [self._order[self._position[i]] for i in self._children.get(location_id, [])]

    def descendants(self, location_id: str, include_self: bool = True) -> list[str]:
        """Ids of everything below the location, in tree order; empty for an unknown id."""
        position = self._position.get(location_id)
        if position is None:
            return []
        start = position if include_self else position + 1
        return [location.id for location in self._order[start : self._end[position]]]

    def walk(self, root_ids: Iterable[str] | None = None) -> list[Location]:
        """Locations in tree order (depth first, siblings by natural name order).

        With ``root_ids``, only those subtrees, still in tree order and each location once; unknown ids
        are ignored.
        """
        if root_ids is None:
            return list(self._order)
        starts = sorted({self._position[i] for i in root_ids if i in self._position})
        walked: list[Location] = []
        covered_until = 0
        for start in starts:
            if start >= covered_until:  # a root inside an earlier subtree adds nothing
                covered_until = self._end[start]
                walked.extend(self._order[start:covered_until])
        return walked

    def subtree_ids(self, ids: Iterable[str]) -> set[str]:
        """The given locations and all their descendants; unknown ids are ignored."""
        return {location.id for location in self.walk(ids)}

    def room_counts(self, direct: Mapping[str, int]) -> dict[str, int]:
        """Rooms per location including descendants, from counts of rooms placed directly at each location.

        Every location gets an entry; counts for ids not in the tree are ignored.
        """
        totals = [direct.get(location.id, 0) for location in self._order]
        # Reverse tree order visits children before parents, so each subtotal is final when added upwards.
        for position in range(len(self._order) - 1, -1, -1):
            parent_id = self._order[position].parent_id
            if parent_id is not None:
                totals[self._position[parent_id]] += totals[position]
        return {location.id: total for location, total in zip(self._order, totals, strict=True)}

    @cached_property
    def resolver(self) -> LocationResolver:
        """The query resolver of this tree, built on first use and then reused with its indexes."""
        # Imported here because the resolver module imports this one.
        from zoom_rooms_mcp.locations.resolver import LocationResolver

        return LocationResolver(self)


def _text(value: object) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()


def _depth_first(
    records: Mapping[str, RawLocation], parents: Mapping[str, str | None]
) -> tuple[list[Location], dict[str, int], dict[str | None, list[str]]]:
    """Locations reachable from the roots in tree order, their positions, and each one's sorted children."""
    children: dict[str | None, list[str]] = {}
    for location_id in records:
        children.setdefault(parents[location_id], []).append(location_id)
    name_keys: dict[str, tuple[tuple[int, int, str], ...]] = {}  # names repeat a lot ("Floor 1")
    for siblings in children.values():
        for i in siblings:
            name = records[i].name
            if name not in name_keys:
                name_keys[name] = natural_key(name)
        siblings.sort(key=lambda i: (name_keys[records[i].name], records[i].name, i))
    order: list[Location] = []
    position: dict[str, int] = {}
    stack = list(reversed(children.get(None, [])))
    while stack:  # children are pushed in reverse so that they come out in order
        location_id = stack.pop()
        raw = records[location_id]
        parent_id = parents[location_id]
        path = (raw.name,) if parent_id is None else (*order[position[parent_id]].path, raw.name)
        position[location_id] = len(order)
        order.append(Location(raw.id, raw.name, raw.type, parent_id, len(path) - 1, path))
        stack.extend(reversed(children.get(location_id, ())))
    return order, position, children


def _cut_cycles(parents: Mapping[str, str | None]) -> dict[str, str | None]:
    """The parents with every cycle cut at its smallest id, the same cut whatever the input order."""
    cut = dict(parents)
    done: set[str] = set()
    for start in parents:
        trail: list[str] = []
        on_trail: set[str] = set()
        node: str | None = start
        while node is not None and node not in done and node not in on_trail:
            trail.append(node)
            on_trail.add(node)
            node = cut[node]
        if node is not None and node in on_trail:
            cut[min(trail[trail.index(node) :])] = None
        done.update(trail)
    return cut


def _infer_structure(locations: Iterable[Location]) -> tuple[str, ...]:
    """Types present, Zoom's levels first in their order, then unknown types alphabetically."""
    present = {location.type for location in locations if location.type}
    return tuple(sorted(present, key=lambda t: (_LEVEL_RANK.get(t, len(LEVELS)), t)))
