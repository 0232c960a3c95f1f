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
_VERDICTS: tuple[Verdict, ...] = ("unknown", "healthy", "warning", "critical")  # by severity
HEALTHY, WARNING, CRITICAL = 1, 2, 3
_NO_BASELINE: Mapping[str, Version] = {}
_NO_KINDS: frozenset[Problem] = frozenset()
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


@lru_cache(maxsize=4096)
def _behind(device_type: str, app_version: str, best: Version) -> str | None:
    """The problem text of a device whose app is outdated against ``best``, else None (a fleet has few
    distinct (type, version) pairs; each is judged once)."""
    version = _parse_version(app_version)
    if not version or not outdated(version, best):
        return None
    return (
        f"{_device_kind(device_type)} runs an outdated Zoom Rooms app {_version_text(version)}, "
        f"older than the fleet's newest {_version_text(best)}"
    )


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
    # Severity as a number while the room is assessed (the verdict is the worst level seen): this runs for
    # every room of the fleet when a whole-fleet report is first made.
    problems: list[str] = []
    kinds: set[Problem] = set()
    severity = HEALTHY
    main = MAIN_DEVICE.get(room.room_type or "", COMPUTER)
    offline = room.status == "Offline"
    if offline:
        problems.append(
            f"Room is offline: {'the Zoom Rooms app on its computer' if main == COMPUTER else main} "
            "is not connected to Zoom"
        )
        kinds.add("offline")
        severity = CRITICAL

    needs_computer = room.room_type in NEEDS_COMPUTER and room.status != "UnderConstruction"
    if needs_computer and devices is not None and not any(d.device_type == COMPUTER for d in devices):
        problems.append("No Zoom Rooms Computer is registered to this room")
        kinds.add("device")
        severity = CRITICAL

    baseline = newest or _NO_BASELINE
    for device in devices or ():
        device_type = device.device_type
        if device.status == "Offline" and not (offline and device_type == main):
            problems.append(f"{_device_kind(device_type)} is offline")
            kinds.add("device")
            severity = max(severity, CRITICAL if device_type == main else WARNING)
        best = baseline.get(device_type)
        if best is None:
            continue
        behind = _behind(device_type, str(device.app_version or ""), best)
        if behind is not None:
            problems.append(behind)
            kinds.add("outdated")
            severity = max(severity, WARNING)

    if dashboard is not None:
        level = normalise_dashboard_health(dashboard.health)
        for issue in dashboard.issues:
            text = f"Dashboard reports: {sanitize(issue, 100)}"
            if text not in problems and not _covered(issue, problems):
                problems.append(text)
                kinds.add("dashboard")
        if level is not None:
            severity = max(severity, _SEVERITY[level if level != "healthy" or not dashboard.issues else "warning"])

    if devices is None and dashboard is None and not offline:
        # Status alone says only that the room is not offline: nobody checked it, so it is not "healthy".
        return Assessment("unknown", problems, frozenset(kinds))
    return Assessment(_VERDICTS[severity], problems, frozenset(kinds) if kinds else _NO_KINDS)


def _covered(issue: str, problems: Sequence[str]) -> bool:
    """Skip Dashboard issues that only repeat what the room status already says."""
    return issue.strip().lower() == "zoom room is offline" and any(p.startswith("Room is offline") for p in problems)
