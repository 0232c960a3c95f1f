"""The account's location hierarchy and the smart resolver that maps free text onto it."""

from zoom_rooms_mcp.locations.model import Location, LocationTree, RawLocation
from zoom_rooms_mcp.locations.resolver import Candidate, LocationRef, LocationResolver, Resolution, resolve

__all__ = [
    "Candidate",
    "Location",
    "LocationRef",
    "LocationResolver",
    "LocationTree",
    "RawLocation",
    "Resolution",
    "resolve",
]
