"""Fleet data: what the tools know about the fleet, and how it is kept current."""

from zoom_rooms_mcp.fleet.legacy import (
    DashboardTooLargeError,
    FleetService,
    Room,
    RoomLookupError,
    RoomsSnapshot,
    TreeSnapshot,
    _exact,
    _fuzzy,
    gather,
)

__all__ = [
    "DashboardTooLargeError",
    "FleetService",
    "Room",
    "RoomLookupError",
    "RoomsSnapshot",
    "TreeSnapshot",
    "_exact",
    "_fuzzy",
    "gather",
]
