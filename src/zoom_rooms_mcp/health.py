"""Health rules: turn a room's status, devices and Dashboard row into a verdict and readable problems.

Pure functions over the typed records (no I/O), so every rule is unit-tested directly. The rules follow
the room type: each type has its own main device (a Kiosk's or a signage screen's computer, a scheduling
display, a whiteboard), and only full meeting rooms are expected to have a Zoom Rooms Computer at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from zoom_rooms_mcp.zoom.errors import sanitize
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, Room

Verdict = Literal["healthy", "warning", "critical", "unknown"]
Problem = Literal["offline", "device", "outdated", "dashboard"]
Version = tuple[int, int, int, int]
_SEVERITY: dict[Verdict, int] = {"critical": 3, "warning": 2, "healthy": 1, "unknown": 0}
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\s*\((\d+)\))?")
COMPUTER = "Zoom Rooms Computer"
# The device a room of each type cannot work without (its own "computer"); unknown types: the computer.
MAIN_DEVICE: dict[str, str] = {
    "SchedulingDisplayOnly": "Scheduling Display",
    "StandaloneWhiteboard": "Companion Whiteboard",
}
# Types that are meeting rooms and so must have a Zoom Rooms Computer registered.
NEEDS_COMPUTER = frozenset({"ZoomRoom", "PersonalZoomRoom"})


@dataclass(frozen=True, slots=True)
class Assessment:
    verdict: Verdict
    problems: list[str] = field(default_factory=list)
    kinds: frozenset[Problem] = frozenset()

    @property
    def severity(self) -> int:
        return _SEVERITY[self.verdict]


def parse_version(text: object) -> Version | None:
    """``"6.2.5 (4890)"`` → ``(6, 2, 5, 4890)``; None when there is no version to compare."""
    return _parse_version(str(text or ""))


# A fleet runs a few dozen app versions on tens of thousands of devices: parse each string once.
@lru_cache(maxsize=4096)
def _parse_version(text: str) -> Version | None:
    match = _VERSION.search(text)
    if not match:
        return None
    major, minor, patch, build = match.groups()
    return int(major), int(minor), int(patch or 0), int(build or 0)


@lru_cache(maxsize=1024)
def _device_kind(device_type: str) -> str:
    """A device type as quoted in a problem text (few distinct values; sanitized once each)."""
    return sanitize(device_type or "Device", 40)


def _version_text(version: Version) -> str:
    return ".".join(map(str, version[:3]))


def outdated(version: Version, newest: Version) -> bool:
    """A major release behind, or two minor releases: one minor behind is routine (Zoom ships them often)."""
    return version[0] < newest[0] or (version[0] == newest[0] and version[1] <= newest[1] - 2)


def normalise_dashboard_health(value: str | None) -> Verdict | None:
    """Zoom's Dashboard ``health`` is a free string ("critical", "warning", "" when fine); None: no value."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("critical", "error", "offline"):
        return "critical"
    if text in ("", "healthy", "normal", "good", "ok"):
        return "healthy"
    return "warning"


def assess_room(
    room: Room,
    *,
    devices: Sequence[Device] | None = None,
    dashboard: DashboardRow | None = None,
    newest: Mapping[str, Version] | None = None,
) -> Assessment:
    """Combine what is known about one room; ``None`` inputs are sources nobody read. ``newest`` is the
    fleet-wide newest app version per device type (the one yardstick for 'outdated')."""
    problems: list[str] = []
    kinds: set[Problem] = set()
    verdict: Verdict = "healthy"

    def worse(level: Verdict) -> None:
        nonlocal verdict
        if _SEVERITY[level] > _SEVERITY[verdict]:
            verdict = level

    main = MAIN_DEVICE.get(room.room_type or "", COMPUTER)
    offline = room.status == "Offline"
    if offline:
        problems.append(
            f"Room is offline: {'the Zoom Rooms app on its computer' if main == COMPUTER else main} "
            "is not connected to Zoom"
        )
        kinds.add("offline")
        worse("critical")

    needs_computer = room.room_type in NEEDS_COMPUTER and room.status != "UnderConstruction"
    if needs_computer and devices is not None and not any(d.device_type == COMPUTER for d in devices):
        problems.append("No Zoom Rooms Computer is registered to this room")
        kinds.add("device")
        worse("critical")

    baseline = newest or {}
    for device in devices or ():
        if device.status == "Offline" and not (offline and device.device_type == main):
            problems.append(f"{_device_kind(device.device_type)} is offline")
            kinds.add("device")
            worse("critical" if device.device_type == main else "warning")
        best = baseline.get(device.device_type)
        if best is None:
            continue
        version = _parse_version(str(device.app_version or ""))
        if version and outdated(version, best):
            problems.append(
                f"{_device_kind(device.device_type)} runs an outdated Zoom Rooms app {_version_text(version)}, "
                f"older than the fleet's newest {_version_text(best)}"
            )
            kinds.add("outdated")
            worse("warning")

    if dashboard is not None:
        level = normalise_dashboard_health(dashboard.health)
        for issue in dashboard.issues:
            text = f"Dashboard reports: {sanitize(issue, 100)}"
            if text not in problems and not _covered(issue, problems):
                problems.append(text)
                kinds.add("dashboard")
        if level is not None:
            worse(level if level != "healthy" or not dashboard.issues else "warning")

    if devices is None and dashboard is None and not offline:
        # Status alone says only that the room is not offline: nobody checked it, so it is not "healthy".
        verdict = "unknown"
    return Assessment(verdict, problems, frozenset(kinds))


def _covered(issue: str, problems: Sequence[str]) -> bool:
    """Skip Dashboard issues that only repeat what the room status already says."""
    return issue.strip().lower() == "zoom room is offline" and any(p.startswith("Room is offline") for p in problems)
