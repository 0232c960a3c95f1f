"""Health rules: turn a room's status, devices and dashboard row into a verdict and readable problems.

Pure functions over plain Zoom payloads (no I/O), so every rule is unit-tested directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from zoom_rooms_mcp.zoom.errors import sanitize

Verdict = Literal["healthy", "warning", "critical", "unknown"]
Problem = Literal["offline", "device", "outdated", "dashboard"]
_SEVERITY: dict[Verdict, int] = {"critical": 3, "warning": 2, "healthy": 1, "unknown": 0}
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\s*\((\d+)\))?")


@dataclass(frozen=True, slots=True)
class Assessment:
    verdict: Verdict
    problems: list[str] = field(default_factory=list)
    kinds: frozenset[Problem] = frozenset()

    @property
    def severity(self) -> int:
        return _SEVERITY[self.verdict]


def parse_version(text: object) -> tuple[int, int, int, int] | None:
    """``"6.2.5 (4890)"`` → ``(6, 2, 5, 4890)``; None when there is no version to compare."""
    match = _VERSION.search(str(text or ""))
    if not match:
        return None
    major, minor, patch, build = match.groups()
    return int(major), int(minor), int(patch or 0), int(build or 0)


def newest_versions(devices: Iterable[Mapping[str, Any]]) -> dict[str, tuple[int, int, int, int]]:
    """The newest app version seen per device type: the yardstick for 'outdated'."""
    newest: dict[str, tuple[int, int, int, int]] = {}
    for device in devices:
        version = parse_version(device.get("app_version"))
        kind = str(device.get("device_type") or "")
        if version and (kind not in newest or version > newest[kind]):
            newest[kind] = version
    return newest


def outdated(version: tuple[int, int, int, int], newest: tuple[int, int, int, int]) -> bool:
    """A major release behind, or two minor releases: one minor behind is routine (Zoom ships them often)."""
    return version[0] < newest[0] or (version[0] == newest[0] and version[1] <= newest[1] - 2)


def normalise_dashboard_health(value: object) -> Verdict | None:
    """Zoom's dashboard ``health`` is a free string ("critical", "warning", "" when fine)."""
    text = str(value or "").strip().lower()
    if text in ("critical", "error", "offline"):
        return "critical"
    if text in ("warning", "warn"):
        return "warning"
    if text in ("", "healthy", "normal", "good", "ok"):
        return "healthy" if value is not None else None
    return "warning"


def assess_room(
    room: Mapping[str, Any],
    *,
    devices: Sequence[Mapping[str, Any]] | None = None,
    dashboard: Mapping[str, Any] | None = None,
    newest: Mapping[str, tuple[int, int, int, int]] | None = None,
) -> Assessment:
    """Combine what we know about one room; ``None`` inputs are sources we could not read."""
    problems: list[str] = []
    kinds: set[Problem] = set()
    verdict: Verdict = "healthy"

    def worse(level: Verdict) -> None:
        nonlocal verdict
        if _SEVERITY[level] > _SEVERITY[verdict]:
            verdict = level

    status = str(room.get("status") or "")
    if status == "Offline":
        problems.append("Room is offline: the Zoom Rooms app on its computer is not connected to Zoom")
        kinds.add("offline")
        worse("critical")

    for device in devices or ():
        kind = sanitize(device.get("device_type") or "Device", 40)
        if str(device.get("status")) == "Offline" and not (status == "Offline" and kind == "Zoom Rooms Computer"):
            problems.append(f"{kind} is offline")
            kinds.add("device")
            worse("critical" if kind == "Zoom Rooms Computer" else "warning")
        version = parse_version(device.get("app_version"))
        best = (newest or {}).get(str(device.get("device_type") or ""))
        if version and best and outdated(version, best):
            problems.append(
                f"{kind} runs Zoom Rooms {'.'.join(map(str, version[:3]))}, "
                f"older than the fleet's newest {'.'.join(map(str, best[:3]))}"
            )
            kinds.add("outdated")
            worse("warning")

    if dashboard is not None:
        level = normalise_dashboard_health(dashboard.get("health"))
        issues = dashboard.get("issues") or []
        for issue in issues if isinstance(issues, list) else []:
            text = f"Dashboard reports: {sanitize(issue, 100)}"
            if text not in problems and not _covered(str(issue), problems):
                problems.append(text)
                kinds.add("dashboard")
        if level is not None:
            worse(level if level != "healthy" or not issues else "warning")

    if devices is None and dashboard is None and status != "Offline":
        # Status alone says only that the room is not offline: nobody checked it, so it is not "healthy".
        verdict = "unknown"
    return Assessment(verdict, problems, frozenset(kinds))


def _covered(issue: str, problems: Sequence[str]) -> bool:
    """Skip dashboard issues that only repeat what the room status already says."""
    return issue.strip().lower() == "zoom room is offline" and any(p.startswith("Room is offline") for p in problems)
