"""Deterministic fleet generator: same arguments, same fleet (ids, names, statuses, devices, issues).

Consistency rules the endpoints rely on:
- room ``Offline`` ⇔ its primary device (the "Zoom Rooms Computer", or the Scheduling Display / whiteboard of
  rooms without one) is ``Offline`` ⇔ dashboard health "critical" with the single issue "Zoom room is offline";
- every room type appears (about 6% of rooms are not ``ZoomRoom``): Kiosk, PersonalZoomRoom and
  DigitalSignageOnly rooms have a Zoom Rooms Computer and no controller; SchedulingDisplayOnly rooms have only a
  Scheduling Display and StandaloneWhiteboard rooms only a whiteboard; signage and scheduling-only rooms are
  never in a meeting and have no camera, microphone or speaker; none of these gets a random warning;
- an online room with a problem (offline Controller or Scheduling Display, a disconnected camera, microphone
  or speaker, high CPU, low bandwidth) has health "warning" and exactly that dashboard issue; the matching
  device is ``Offline`` or the peripheral name is "";
- healthy and under-construction rooms have health "" and no issues;
- issue history lies within the last 30 days before ``now``, newest first; resolved incidents are older than
  5 days and each current issue is more recent than all of them.
"""

from __future__ import annotations

import base64
import math
import random
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .model import (
    HEALTH_CRITICAL,
    HEALTH_OK,
    HEALTH_WARNING,
    LEVELS,
    OFFLINE_ISSUE,
    ONLINE_ISSUE,
    Fleet,
    LocationType,
    RoomStatus,
    SimDevice,
    SimIssue,
    SimLocation,
    SimRoom,
)
from .names import ANCHOR_ROOMS, ANCHOR_SITES, CAMPUS_NAMES, EXTRA_CITIES, ROOM_NAMES, Site

__all__ = ["Fleet", "SimDevice", "SimIssue", "SimLocation", "SimRoom", "generate_fleet", "iso"]

ROOMS_PER_FLOOR = 7  # extra sites are added once the anchors would average more than this
CURRENT_VERSION, PREVIOUS_VERSION = "6.3.0 (5120)", "6.2.5 (4890)"
OUTDATED_VERSIONS = ("5.17.6 (3950)", "5.16.10 (3560)")

# (manufacturer, model, operating system, firmware)
HARDWARE: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "Zoom Rooms Computer": (
        ("Lenovo", "ThinkSmart Core", "Win11 Build 22631.3880", "1.2.0"),
        ("Dell", "OptiPlex 7090 Ultra", "Win10 Build 19045.4651", "1.15.0"),
        ("HP", "Elite Slice G2", "Win10 Build 19045.4529", "02.21.00"),
        ("Neat", "Neat Bar", "Android 9 (NeatOS 20240305)", "NFA1.20240305.0315"),
        ("Poly", "Studio X50", "Android 9 (PolyOS 4.2.0)", "4.2.0.340010"),
        ("Logitech", "RoomMate", "Android 10 (CollabOS 1.12)", "1.12.250"),
        ("Apple", "Mac mini", "macOS 14.5.0", "14.5"),
    ),
    "Controller": (
        ("Logitech", "Tap", "Android 10 (CollabOS 1.12)", "1.12.250"),
        ("Neat", "Neat Pad", "Android 9 (NeatOS 20240305)", "NFC1.20240305.0315"),
        ("Poly", "TC8", "Android 9 (PolyOS 6.2.0)", "6.2.0.1226"),
        ("Lenovo", "ThinkSmart Controller", "Android 10", "1.0.14"),
        ("Apple", "iPad (10th generation)", "iPadOS 17.5.1", "17.5.1"),
    ),
    "Scheduling Display": (
        ("Neat", "Neat Pad", "Android 9 (NeatOS 20240305)", "NFC1.20240305.0315"),
        ("Poly", "TC8", "Android 9 (PolyOS 6.2.0)", "6.2.0.1226"),
        ("Logitech", "Tap Scheduler", "Android 10 (CollabOS 1.12)", "1.12.250"),
        ("Crestron", "TSS-1070", "Android 10", "2.009.0043"),
    ),
    "Companion Whiteboard": (
        ("Neat", "Neat Board", "Android 9 (NeatOS 20240305)", "NFB1.20240305.0315"),
        ("DTEN", 'D7X 55"', "Android 11", "3.2.1"),
    ),
    "Zoom Rooms Control System": (
        ("Crestron", "CP4-R", "Crestron OS 2.8", "2.8001.00055"),
        ("Extron", "IPCP Pro 250", "Extron OS 3.11", "3.11.0001"),
    ),
}
HOST_PREFIX = {
    "Zoom Rooms Computer": "ZR",
    "Controller": "CTL",
    "Scheduling Display": "SCH",
    "Companion Whiteboard": "WB",
    "Zoom Rooms Control System": "CS",
}
# (camera, microphone, speaker) as the dashboard names them
_PERIPHERALS = (
    ("Logitech Rally Camera", "Logitech Rally Mic Pod", "Logitech Rally Speaker"),
    (
        "Logitech MeetUp",
        "Echo Cancelling Speakerphone (Logitech MeetUp)",
        "Echo Cancelling Speakerphone (Logitech MeetUp)",
    ),
    ("Poly Studio", "Poly Studio", "Poly Studio"),
    ("Neat Bar", "Neat Bar", "Neat Bar"),
    ("Jabra PanaCast 50", "Jabra PanaCast 50", "Jabra PanaCast 50"),
    ("Yealink UVC86", "Yealink VCM36-W", "Yealink MSpeaker II"),
    ("Huddly IQ", "Jabra Speak 710", "Jabra Speak 710"),
)
# Current-problem kind -> dashboard issue (names from REFERENCE §7.3).
_WARNINGS = {
    "controller": "Room Controller disconnected",
    "scheduling_display": "Scheduling Display disconnected",
    "camera": "Selected camera has disconnected",
    "microphone": "Selected microphone has disconnected",
    "speaker": "Selected speaker has disconnected",
    "cpu": "High CPU usage is detected",
    "network": "Low bandwidth network is detected",
}
# Resolved incidents for the history: (problem, recovery or None for one-off events).
_INCIDENTS: tuple[tuple[str, str | None], ...] = (
    (OFFLINE_ISSUE, ONLINE_ISSUE),
    ("Room Controller disconnected", "Room Controller connected"),
    ("Selected camera has disconnected", "Selected camera is reconnected"),
    ("Selected microphone has disconnected", "Selected microphone is reconnected"),
    ("Selected speaker has disconnected", "Selected speaker is reconnected"),
    ("Controller battery is low", "Controller battery is normal"),
    ("High CPU usage is detected", None),
    ("Low bandwidth network is detected", None),
)
# Rooms per 1,000 of each type other than ZoomRoom (quotas, like statuses, so small fleets have them all).
_TYPE_SHARES = {
    "Kiosk": 20,
    "SchedulingDisplayOnly": 12,
    "DigitalSignageOnly": 10,
    "StandaloneWhiteboard": 8,
    "PersonalZoomRoom": 10,
}
# The only devices of the types that are not full rooms.
TYPE_DEVICES = {
    "Kiosk": ("Zoom Rooms Computer",),
    "PersonalZoomRoom": ("Zoom Rooms Computer",),
    "DigitalSignageOnly": ("Zoom Rooms Computer",),
    "SchedulingDisplayOnly": ("Scheduling Display",),
    "StandaloneWhiteboard": ("Companion Whiteboard",),
}
NO_MEETINGS = frozenset({"SchedulingDisplayOnly", "DigitalSignageOnly"})
_SENSOR_SETS = (
    ("CO2", "TEMPERATURE", "HUMIDITY", "REAL_TIME_PEOPLE_COUNT"),
    ("TEMPERATURE", "HUMIDITY", "REAL_TIME_PEOPLE_COUNT"),
    ("CO2", "TEMPERATURE", "HUMIDITY", "VOC", "PM25", "PM10", "AIR_PRESSURE", "AQI"),
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_id(rng: random.Random) -> str:
    """22-character url-safe id, the shape of Zoom's room and location ids."""
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode()[:22]


def _groups(digits: str, size: int) -> str:
    return "-".join(digits[i : i + size] for i in range(0, len(digits), size))


def braced_uuid(rng: random.Random) -> str:
    h = rng.randbytes(16).hex()
    return f"{{{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}}}"


def slug_of(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _levels(structure: Sequence[str] | None) -> tuple[LocationType, ...]:
    if structure is None:
        return LEVELS
    names = list(structure)
    order = [LEVELS.index(level) for level in names if level in LEVELS]
    if not names or len(order) != len(names) or order != sorted(set(order)):
        raise ValueError(f"structure must be a non-empty, ordered subset of {list(LEVELS)}, got {names}")
    return tuple(LEVELS[i] for i in order)


@dataclass(frozen=True, slots=True)
class _Floor:
    site: Site
    site_index: int
    building: str
    building_index: int
    number: int
    location_id: str

    @property
    def code(self) -> str:
        return f"{self.site.code}-B{self.building.split()[-1]}-{self.number}"


class _LocationTree:
    """Creates locations from full six-level paths, keeping only the account's levels.

    Paths that become equal once levels are dropped share their nodes, so skipping a level merges siblings.
    """

    def __init__(self, rng: random.Random, levels: tuple[LocationType, ...]) -> None:
        self._rng = rng
        self._levels = levels
        self._by_path: dict[tuple[str, ...], SimLocation] = {}

    def place(self, full: list[tuple[str, LocationType]], site: Site) -> str:
        """Ensure every kept level of ``full`` exists; return the id of the deepest one ("" if none kept)."""
        parent = ""
        key: tuple[str, ...] = ()
        for name, level in full:
            if level not in self._levels:
                continue
            key = (*key, name)
            loc = self._by_path.get(key)
            if loc is None:
                loc = SimLocation(new_id(self._rng), name, level, parent, *self._details(name, level, site))
                self._by_path[key] = loc
            parent = loc.id
        return parent

    def _details(self, name: str, level: LocationType, site: Site) -> tuple[str, str, str]:
        """(description, address, timezone) of a new location."""
        number = self._rng.randint(100, 2999)
        if level == "city":
            return f"{name} offices", "", site.timezone
        if level == "campus":
            return f"{name}, {site.city}", f"{number} {site.street}, {site.city}, {site.country}", ""
        if level == "building":
            return f"{name}, {site.campus}", f"{number} {site.street}, {site.city}, {site.country}", ""
        return "", "", ""

    def ordered(self) -> list[SimLocation]:
        """Depth-first, parents before children, siblings in creation order."""
        children: dict[str, list[SimLocation]] = {}
        for loc in self._by_path.values():
            children.setdefault(loc.parent_location_id, []).append(loc)
        out: list[SimLocation] = []
        todo = list(reversed(children.get("", [])))
        while todo:
            loc = todo.pop()
            out.append(loc)
            todo.extend(reversed(children.get(loc.id, [])))
        return out


def _extra_sites(rng: random.Random, rooms: int) -> list[Site]:
    anchor_floors = sum(n for site in ANCHOR_SITES for _, n in site.buildings)
    needed = math.ceil(rooms / ROOMS_PER_FLOOR) - anchor_floors
    cities = list(EXTRA_CITIES)
    rng.shuffle(cities)
    campuses = list(CAMPUS_NAMES)
    rng.shuffle(campuses)
    sites: list[Site] = []
    while needed > 0:
        index = len(sites)
        city_index, round_ = index % len(cities), index // len(cities)
        country, state, city, timezone, code, street = cities[city_index]
        campus = campuses[(city_index + round_) % len(campuses)]
        if round_ >= len(campuses):
            campus = f"{campus} {round_ // len(campuses) + 1}"
        letters = rng.random() < 0.3
        buildings = tuple(
            (f"Building {chr(65 + b) if letters else b + 1}", rng.randint(2, 10)) for b in range(rng.randint(1, 5))
        )
        sites.append(
            Site(country, state, city, campus, timezone, f"{code}{round_ + 1 if round_ else ''}", street, buildings)
        )
        needed -= sum(n for _, n in buildings)
    return sites


def _statuses(rng: random.Random, rooms: int) -> list[RoomStatus]:
    """Quotas rather than dice, so every fleet has the same mix: ~10% Offline, ~25% InMeeting, a few
    UnderConstruction, the rest Available."""
    quotas: dict[RoomStatus, int] = {
        "Offline": round(rooms * 0.10),
        "UnderConstruction": max(round(rooms * 0.02), 1 if rooms >= 20 else 0),
        "InMeeting": round(rooms * 0.25),
    }
    quotas["Available"] = rooms - sum(quotas.values())
    statuses = [status for status, count in quotas.items() for _ in range(count)]
    rng.shuffle(statuses)
    return statuses


def _room_types(rng: random.Random, rooms: int) -> list[str]:
    types = [kind for kind, share in _TYPE_SHARES.items() for _ in range(max(round(rooms * share / 1000), rooms >= 50))]
    types += ["ZoomRoom"] * max(0, rooms - len(types))
    rng.shuffle(types)
    return types[:rooms]


def _room_counts(rng: random.Random, floors: int, rooms: int) -> list[int]:
    """Spread ``rooms`` over ``floors``: every floor gets one first when there are enough rooms."""
    counts = [0] * floors
    if floors == 0 or rooms <= 0:
        return counts
    if rooms < floors:
        for i in rng.sample(range(floors), rooms):
            counts[i] = 1
        return counts
    counts = [1] * floors
    weights = [rng.uniform(0.5, 1.5) for _ in range(floors)]
    for i in rng.choices(range(floors), weights=weights, k=rooms - floors):
        counts[i] += 1
    return counts


class _RoomMaker:
    def __init__(self, rng: random.Random, now: datetime, tag_ids: list[str]) -> None:
        self.rng = rng
        self.now = now
        self.tag_ids = tag_ids
        self.pool = [n for n in ROOM_NAMES if n not in ANCHOR_ROOMS]
        rng.shuffle(self.pool)
        self.used: set[str] = set(ANCHOR_ROOMS)
        self.generic = 0

    def next_name(self, floor: _Floor) -> str:
        """Plain pool names first; once the pool is used up, "SEA-B2-3 Rainier"-style names."""
        base = self.pool[self.generic % len(self.pool)]
        name = base if self.generic < len(self.pool) else f"{floor.code} {base}"
        self.generic += 1
        candidate, n = name, 2
        while candidate in self.used:
            candidate, n = f"{name} {n}", n + 1
        self.used.add(candidate)
        return candidate

    def make(
        self, name: str, floor: _Floor, index: int, status: RoomStatus, warning: str = "", room_type: str = "ZoomRoom"
    ) -> SimRoom:
        rng = self.rng
        if room_type in NO_MEETINGS and status == "InMeeting":
            status = "Available"
        devices = self._devices(name, floor, index, status, with_controller=warning == "controller")
        if room_type in TYPE_DEVICES:
            devices = self._only(devices, TYPE_DEVICES[room_type][0], status)
        types = {d.device_type for d in devices}
        if room_type == "ZoomRoom" and not warning and status in ("Available", "InMeeting") and rng.random() < 0.12:
            kinds = [k for k in _WARNINGS if k not in ("controller", "scheduling_display")]
            kinds += [
                k for k, t in (("controller", "Controller"), ("scheduling_display", "Scheduling Display")) if t in types
            ]
            warning = rng.choice(kinds)
        installed = ("", "", "") if room_type in NO_MEETINGS or room_type == "StandaloneWhiteboard" else None
        camera, microphone, speaker = peripherals = installed or rng.choice(_PERIPHERALS)
        issues: list[str] = []
        health = HEALTH_OK
        if status == "Offline":
            issues, health = [OFFLINE_ISSUE], HEALTH_CRITICAL
            camera = microphone = speaker = ""
        elif warning:
            issues, health = [_WARNINGS[warning]], HEALTH_WARNING
            device_type = {"controller": "Controller", "scheduling_display": "Scheduling Display"}.get(warning)
            for device in devices:
                if device.device_type == device_type:
                    device.status = "Offline"
            camera = "" if warning == "camera" else camera
            microphone = "" if warning == "microphone" else microphone
            speaker = "" if warning == "speaker" else speaker
        history = self._history(status, issues, types)
        # An offline room's newest entry is its "Zoom room is offline": it last started before that.
        # A room in a meeting started it recently (the dashboard's live meeting starts then).
        latest = datetime.fromisoformat(history[0].time) if status == "Offline" else self.now
        since = rng.randint(300, 3000) if status == "InMeeting" else rng.randint(600, 2 * 86400)
        slug = slug_of(name)
        sensors = rng.choice(_SENSOR_SETS) if rng.random() < 0.3 else ()
        return SimRoom(
            id=new_id(rng),
            room_id=new_id(rng),
            name=name,
            status=status,
            location_id=floor.location_id,
            zoom_room_type=room_type,
            capacity=rng.choice((4, 4, 6, 6, 8, 8, 10, 12, 12, 16, 20, 24, 30)),
            activation_code=_groups(f"{rng.randrange(10**16):016d}", 4),
            tag_ids=[rng.choice(self.tag_ids)] if rng.random() < 0.3 else [],
            devices=devices,
            health=health,
            issues=issues,
            issue_history=history,
            email=f"zr-{slug}@example.com",
            calendar_name=f"{slug}@example.com",
            calendar_resource_id=new_id(rng),
            device_profile_id=new_id(rng),
            room_passcode=f"{rng.randrange(1_000_000):06d}",
            camera=camera,
            microphone=microphone,
            speaker=speaker,
            peripherals=peripherals,
            last_start_time=iso(latest - timedelta(seconds=since)),
            sensor_device_id=base64.b64encode(rng.randbytes(32)).decode() if sensors else "",
            sensor_types=sensors,
            seed=rng.getrandbits(32),
        )

    def _only(self, devices: list[SimDevice], device_type: str, status: RoomStatus) -> list[SimDevice]:
        """The room's one device of ``device_type``, made from its first device when it has none (no draws)."""
        device = next((d for d in devices if d.device_type == device_type), devices[0])
        if device.device_type != device_type:
            manufacturer, model, system, firmware = HARDWARE[device_type][
                zlib.crc32(device.id.encode()) % len(HARDWARE[device_type])
            ]
            host = device.device_hostname.split("-", 1)[1]
            device.device_type, device.device_manufacturer, device.device_model = device_type, manufacturer, model
            device.device_system, device.device_firmware = system, firmware
            device.device_hostname = f"{HOST_PREFIX[device_type]}-{host}"
        device.status = "Offline" if status == "Offline" else "Online"
        return [device]

    def _devices(
        self, name: str, floor: _Floor, index: int, status: RoomStatus, *, with_controller: bool
    ) -> list[SimDevice]:
        rng = self.rng
        types = ["Zoom Rooms Computer"]
        if rng.random() < 0.9 or with_controller:
            types.append("Controller")
        if rng.random() < 0.35 or len(types) == 1:
            types.append("Scheduling Display")
        if len(types) < 4 and rng.random() < 0.08:
            types.append("Companion Whiteboard")
        if len(types) < 4 and rng.random() < 0.03:
            types.append("Zoom Rooms Control System")
        r = rng.random()
        version = CURRENT_VERSION if r < 0.7 else PREVIOUS_VERSION if r < 0.9 else rng.choice(OUTDATED_VERSIONS)
        host = slug_of(name).upper()[:12]
        subnet = f"10.{10 + floor.site_index % 200}.{(floor.building_index * 16 + floor.number) % 256}"
        devices = []
        for n, device_type in enumerate(types):
            manufacturer, model, system, firmware = rng.choice(HARDWARE[device_type])
            offline = device_type == "Zoom Rooms Computer" and status == "Offline"
            devices.append(
                SimDevice(
                    id=braced_uuid(rng),
                    device_type=device_type,
                    app_version=version if device_type != "Zoom Rooms Control System" else firmware,
                    device_system=system,
                    status="Offline" if offline else "Online",
                    device_mac_addresses=[rng.randbytes(6).hex("-").upper()],
                    device_hostname=f"{HOST_PREFIX[device_type]}-{floor.code}-{host}",
                    device_manufacturer=manufacturer,
                    device_model=model,
                    device_firmware=firmware,
                    ip_address=f"{subnet}.{20 + (index * 4 + n) % 230}",
                    serial_number=base64.b32encode(rng.randbytes(7)).decode()[:10],
                )
            )
        return devices

    def _history(self, status: RoomStatus, current: list[str], device_types: set[str]) -> list[SimIssue]:
        if status == "UnderConstruction":  # Zoom disables issue notifications for these rooms
            return []
        rng, now, day = self.rng, self.now, 86400
        history: list[SimIssue] = []
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            problem, recovery = rng.choice(_INCIDENTS)
            if problem.startswith(("Room Controller", "Controller")) and "Controller" not in device_types:
                continue
            start = now - timedelta(seconds=rng.randint(6 * day, 29 * day))
            history.append(SimIssue(problem, iso(start)))
            if recovery:
                history.append(SimIssue(recovery, iso(start + timedelta(seconds=rng.randint(60, 6 * 3600)))))
        for issue in current:
            history.append(SimIssue(issue, iso(now - timedelta(seconds=rng.randint(300, 5 * day)))))
        history.sort(key=lambda entry: entry.time, reverse=True)
        return history


def generate_fleet(
    rooms: int = 150, seed: int = 7, structure: Sequence[str] | None = None, now: datetime | None = None
) -> Fleet:
    """Build a fleet of ``rooms`` rooms over the anchor sites plus, for larger fleets, extra sites.

    ``structure`` is the account's location levels (default all six); rooms sit at the deepest one.
    ``now`` (default: the current time) only moves timestamps, never ids, names or statuses.
    """
    if rooms < 0:
        raise ValueError("rooms must be >= 0")
    levels = _levels(structure)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(seed)
    tree = _LocationTree(rng, levels)
    floors: list[_Floor] = []
    for site_index, site in enumerate([*ANCHOR_SITES, *_extra_sites(rng, rooms)]):
        for building_index, (building, floor_count) in enumerate(site.buildings):
            full: list[tuple[str, LocationType]] = [
                (site.country, "country"),
                (site.state, "states"),
                (site.city, "city"),
                (site.campus, "campus"),
                (building, "building"),
            ]
            tree.place(full, site)
            for number in range(1, floor_count + 1):
                location_id = tree.place([*full, (f"Floor {number}", "floor")], site)
                floors.append(_Floor(site, site_index, building, building_index, number, location_id))

    anchors: dict[int, list[str]] = {}
    for name, (city, building, floor_name) in list(ANCHOR_ROOMS.items())[:rooms]:
        at = next(
            i
            for i, f in enumerate(floors)
            if (f.site.city, f.building, f"Floor {f.number}") == (city, building, floor_name)
        )
        anchors.setdefault(at, []).append(name)
    generic = rooms - sum(len(v) for v in anchors.values())
    counts = _room_counts(rng, len(floors), generic)
    statuses = iter(_statuses(rng, generic))
    room_types = iter(_room_types(rng, generic))
    maker = _RoomMaker(rng, now, ["".join(f"{b:02x}" for b in rng.randbytes(16)) for _ in range(5)])
    # Fixed anchor states so that demo questions ("what is wrong with Everest?") always have an answer.
    fixed: dict[str, tuple[RoomStatus, str]] = {"Everest": ("Available", "controller"), "Denali": ("Offline", "")}
    made: list[SimRoom] = []
    for i, floor in enumerate(floors):
        for index, name in enumerate(anchors.get(i, [])):
            status, warning = fixed[name]
            made.append(maker.make(name, floor, index, status, warning))
        for index in range(len(anchors.get(i, [])), len(anchors.get(i, [])) + counts[i]):
            made.append(maker.make(maker.next_name(floor), floor, index, next(statuses), room_type=next(room_types)))
    return Fleet(seed=seed, structure=list(levels), locations=tree.ordered(), rooms=made, now=now)
