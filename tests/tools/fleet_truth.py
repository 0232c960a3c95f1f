"""Ground truth read straight from the simulator's generated fleet, to check tool answers against."""

from __future__ import annotations

from zoom_rooms_mcp.simulator import Fleet
from zoom_rooms_mcp.simulator.model import SimLocation, SimRoom


def path(fleet: Fleet, location_id: str) -> str:
    return " > ".join(fleet.path_names(location_id))


def location(fleet: Fleet, wanted_path: str) -> SimLocation:
    matches = [loc for loc in fleet.locations if path(fleet, loc.id) == wanted_path]
    assert len(matches) == 1, f"{wanted_path!r} matches {len(matches)} locations"
    return matches[0]


def rooms_under(fleet: Fleet, wanted_path: str) -> list[SimRoom]:
    ids = fleet.descendants(location(fleet, wanted_path).id)
    return [room for room in fleet.rooms if room.location_id in ids]


def seattle(fleet: Fleet) -> str:
    return "United States > Washington > Seattle"
