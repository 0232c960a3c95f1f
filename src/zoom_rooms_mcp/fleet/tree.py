"""The location tree as tools use it: built once per location read, with its resolver and full paths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zoom_rooms_mcp.locations.model import LocationTree, RawLocation
from zoom_rooms_mcp.locations.resolver import LocationResolver


@dataclass(frozen=True, slots=True)
class TreeSnapshot:
    """The hierarchy read from Zoom at ``read_at`` (epoch seconds)."""

    tree: LocationTree
    resolver: LocationResolver
    structure: list[str]
    paths: dict[str, str]  # location id → "United States > Washington > Seattle > …", computed once
    read_at: float

    @classmethod
    def build(cls, locations: Sequence[RawLocation], structure: Sequence[str] | None, read_at: float) -> TreeSnapshot:
        tree = LocationTree(locations, structure)
        return cls(
            tree=tree,
            resolver=tree.resolver,
            structure=list(tree.structure),
            paths={location.id: location.path_str for location in tree},
            read_at=read_at,
        )

    def path(self, location_id: str | None) -> str | None:
        return self.paths.get(location_id) if location_id else None

    def subtree(self, location_ids: Sequence[str]) -> set[str]:
        return self.tree.subtree_ids(location_ids)
