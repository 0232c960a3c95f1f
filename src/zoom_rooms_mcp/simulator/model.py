"""The simulated account's data: locations, rooms, devices and the indexes the endpoints need.

Field names follow Zoom's OpenAPI files so that the endpoint code can copy them straight into responses.
Dataclasses are mutable on purpose: a test may flip one room's status; ``Fleet`` indexes hold references,
so changes to a room are seen everywhere. Adding, removing or moving rooms and locations goes through the
``Fleet`` methods below (``control.FleetControl`` uses them), which keep the indexes current; ``Fleet.lock``
serialises them with the endpoint handlers, since the control API may run on another thread.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

LocationType = Literal["country", "states", "city", "campus", "building", "floor"]
LEVELS: tuple[LocationType, ...] = ("country", "states", "city", "campus", "building", "floor")

RoomStatus = Literal["Available", "InMeeting", "Offline", "UnderConstruction"]
ROOM_STATUSES: tuple[RoomStatus, ...] = ("Available", "InMeeting", "Offline", "UnderConstruction")
# The device a room type cannot work without: the room is Offline exactly when it is (the first one present).
PRIMARY_DEVICES: tuple[str, ...] = ("Zoom Rooms Computer", "Scheduling Display", "Companion Whiteboard")
ROOM_TYPES: tuple[str, ...] = (
    "Kiosk",
    "ZoomRoom",
    "StandaloneWhiteboard",
    "SchedulingDisplayOnly",
    "DigitalSignageOnly",
    "PersonalZoomRoom",
)
DEVICE_TYPES: tuple[str, ...] = (
    "Zoom Rooms Computer",
    "Controller",
    "Scheduling Display",
    "Zoom Rooms Control System",
    "Companion Whiteboard",
)
SENSOR_TYPES: tuple[str, ...] = (
    "CO2",
    "TEMPERATURE",
    "REAL_TIME_PEOPLE_COUNT",
    "HUMIDITY",
    "VOC",
    "PM25",
    "PM10",
    "AIR_PRESSURE",
    "AQI",
)

# Dashboard strings are not enumerated by Zoom (REFERENCE §7.1, UNCONFIRMED); this is the simulator's set.
DASHBOARD_STATUS: dict[RoomStatus, str] = {
    "Available": "Available",
    "InMeeting": "In Meeting",
    "Offline": "Offline",
    "UnderConstruction": "Under Construction",
}
HEALTH_OK, HEALTH_WARNING, HEALTH_CRITICAL = "", "warning", "critical"
OFFLINE_ISSUE, ONLINE_ISSUE = "Zoom room is offline", "Zoom room is online"


@dataclass(slots=True)
class SimLocation:
    id: str
    name: str
    type: LocationType
    parent_location_id: str = ""  # "" for a top-level location (UNCONFIRMED in Zoom's docs)
    description: str = ""
    address: str = ""
    timezone: str = ""  # only city-type locations carry one


@dataclass(slots=True)
class SimDevice:
    id: str
    device_type: str
    app_version: str
    device_system: str
    status: Literal["Online", "Offline"]
    device_mac_addresses: list[str] = field(default_factory=list)
    device_hostname: str = ""
    device_manufacturer: str = ""
    device_model: str = ""
    device_firmware: str = ""
    ip_address: str = ""
    serial_number: str = ""


@dataclass(slots=True)
class SimIssue:
    """One dashboard alert-log entry: ``time`` is ISO-8601 UTC ("2026-01-16T17:47:40Z")."""

    issue: str
    time: str


@dataclass(slots=True)
class SimRoom:
    """``id`` serves /rooms/{roomId}; ``room_id`` is the dashboard id (/metrics/zoomrooms/{zoomroomId})."""

    id: str
    room_id: str
    name: str
    status: RoomStatus
    location_id: str
    zoom_room_type: str = "ZoomRoom"
    capacity: int = 8
    activation_code: str = "0000-0000-0000-0000"
    tag_ids: list[str] = field(default_factory=list)
    devices: list[SimDevice] = field(default_factory=list)
    health: str = HEALTH_OK
    issues: list[str] = field(default_factory=list)
    issue_history: list[SimIssue] = field(default_factory=list)  # newest first
    email: str = ""
    calendar_name: str = ""
    calendar_resource_id: str = ""
    device_profile_id: str = ""
    room_passcode: str = "000000"
    camera: str = ""  # as the dashboard shows them now: "" while offline or disconnected
    microphone: str = ""
    speaker: str = ""
    peripherals: tuple[str, str, str] = ("", "", "")  # (camera, microphone, speaker) installed in the room
    last_start_time: str = ""
    sensor_device_id: str = ""
    sensor_types: tuple[str, ...] = ()
    seed: int = 0  # drives the data made on demand: settings, meetings, sensor readings

    @property
    def dashboard_status(self) -> str:
        return DASHBOARD_STATUS[self.status]

    def device(self, device_type: str) -> SimDevice | None:
        return next((d for d in self.devices if d.device_type == device_type), None)

    @property
    def primary_device(self) -> SimDevice | None:
        """The device whose status is the room's online state (a Zoom Rooms Computer where there is one)."""
        return next((d for kind in PRIMARY_DEVICES for d in self.devices if d.device_type == kind), None)


def _default_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Fleet:
    seed: int
    structure: list[str]
    locations: list[SimLocation]
    rooms: list[SimRoom]
    now: datetime = field(default_factory=_default_now)  # the moment issue history and meetings are relative to
    _locations: dict[str, SimLocation] = field(init=False, repr=False, compare=False)
    _children: dict[str, list[SimLocation]] = field(init=False, repr=False, compare=False)
    _rooms_by_id: dict[str, SimRoom] = field(init=False, repr=False, compare=False)
    _rooms_by_room_id: dict[str, SimRoom] = field(init=False, repr=False, compare=False)
    _rooms_at: dict[str, list[SimRoom]] = field(init=False, repr=False, compare=False)
    lock: threading.RLock = field(init=False, repr=False, compare=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self._locations = {loc.id: loc for loc in self.locations}
        self._children = defaultdict(list)
        for loc in self.locations:
            self._children[loc.parent_location_id].append(loc)
        self._rooms_by_id = {r.id: r for r in self.rooms}
        self._rooms_by_room_id = {r.room_id: r for r in self.rooms}
        self._rooms_at = defaultdict(list)
        for room in self.rooms:
            self._rooms_at[room.location_id].append(room)

    def location(self, location_id: str) -> SimLocation | None:
        return self._locations.get(location_id)

    def room(self, any_id: str) -> SimRoom | None:
        """A room by either of its ids (helper for tests; the endpoints are strict about which id they take)."""
        return self._rooms_by_id.get(any_id) or self._rooms_by_room_id.get(any_id)

    def room_by_id(self, room_id: str) -> SimRoom | None:
        return self._rooms_by_id.get(room_id)

    def room_by_dashboard_id(self, dashboard_id: str) -> SimRoom | None:
        return self._rooms_by_room_id.get(dashboard_id)

    def room_named(self, name: str) -> SimRoom | None:
        return next((r for r in self.rooms if r.name == name), None)

    def children(self, location_id: str) -> list[SimLocation]:
        """Direct children; ``""`` lists the top-level locations."""
        return list(self._children.get(location_id, ()))

    def descendants(self, location_id: str) -> set[str]:
        """The location's id and the ids of everything below it."""
        found, todo = set(), [location_id]
        while todo:
            current = todo.pop()
            found.add(current)
            todo.extend(child.id for child in self._children.get(current, ()))
        return found

    def path_names(self, location_id: str) -> list[str]:
        """Names from the top-level location down to this one."""
        names: list[str] = []
        loc = self._locations.get(location_id)
        while loc is not None:
            names.append(loc.name)
            loc = self._locations.get(loc.parent_location_id)
        return names[::-1]

    def rooms_at(self, location_id: str) -> list[SimRoom]:
        """Rooms whose ``location_id`` is exactly this location."""
        return list(self._rooms_at.get(location_id, ()))

    def rooms_under(self, location_id: str) -> list[SimRoom]:
        ids = self.descendants(location_id)
        return [r for r in self.rooms if r.location_id in ids]

    def add_room(self, room: SimRoom) -> None:
        self.rooms.append(room)
        self._rooms_by_id[room.id] = room
        self._rooms_by_room_id[room.room_id] = room
        self._rooms_at[room.location_id].append(room)

    def remove_room(self, room: SimRoom) -> None:
        self.rooms.remove(room)
        del self._rooms_by_id[room.id], self._rooms_by_room_id[room.room_id]
        self._rooms_at[room.location_id].remove(room)

    def move_room(self, room: SimRoom, location_id: str) -> None:
        self._rooms_at[room.location_id].remove(room)
        room.location_id = location_id
        self._rooms_at[location_id].append(room)

    def add_location(self, location: SimLocation) -> None:
        self.locations.append(location)
        self._locations[location.id] = location
        self._children[location.parent_location_id].append(location)

    def remove_location(self, location: SimLocation) -> None:
        self.locations.remove(location)
        del self._locations[location.id]
        self._children[location.parent_location_id].remove(location)

    def move_location(self, location: SimLocation, parent_location_id: str) -> None:
        self._children[location.parent_location_id].remove(location)
        location.parent_location_id = parent_location_id
        self._children[parent_location_id].append(location)
        # Keep the listing's order: parents before children.
        ordered: list[SimLocation] = []
        todo = list(reversed(self._children.get("", [])))
        while todo:
            loc = todo.pop()
            ordered.append(loc)
            todo.extend(reversed(self._children.get(loc.id, [])))
        self.locations[:] = ordered

    def find_location(self, *path: str) -> SimLocation | None:
        """The location at a name path below the top level, e.g. ``("United States", "Washington", "Seattle")``."""
        parent, loc = "", None
        for name in path:
            loc = next((c for c in self._children.get(parent, ()) if c.name == name), None)
            if loc is None:
                return None
            parent = loc.id
        return loc
