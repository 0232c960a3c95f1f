"""The doctor's report: one ``CheckItem`` per check, grouped in sections; data only (the CLI renders it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from zoom_rooms_mcp import __version__

Status = Literal["pass", "warn", "fail", "info", "skip"]
Section = Literal["config", "cache", "token", "scopes", "api"]
SECTION_TITLES: dict[Section, str] = {
    "config": "Configuration",
    "cache": "Token cache",
    "token": "Zoom token",
    "scopes": "Scopes per tool",
    "api": "Zoom API",
}
APP_PAGE = "Zoom App Marketplace → Manage → your Server-to-Server OAuth app"


@dataclass(slots=True)
class CheckItem:
    id: str
    section: Section
    title: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass(slots=True)
class DoctorReport:
    demo: bool
    checks: list[CheckItem] = field(default_factory=list)
    granted_scopes: list[str] = field(default_factory=list)
    missing_scopes: list[str] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)
    strict: bool = False

    def add(
        self, id: str, section: Section, title: str, status: Status, detail: str, fix: str | None = None
    ) -> CheckItem:
        item = CheckItem(id, section, title, status, detail, fix)
        self.checks.append(item)
        return item

    @property
    def failures(self) -> list[CheckItem]:
        bad: tuple[Status, ...] = ("fail", "warn") if self.strict else ("fail",)
        return [c for c in self.checks if c.status in bad]

    @property
    def warnings(self) -> list[CheckItem]:
        return [c for c in self.checks if c.status == "warn"]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0: everything works; 2: the configuration is missing or malformed; 1: anything else failed."""
        if any(c.section == "config" and c.status == "fail" for c in self.checks):
            return 2
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "version": __version__,
            "demo": self.demo,
            "checks": [asdict(c) for c in self.checks],
            "scopes": {"granted": self.granted_scopes, "missing": self.missing_scopes},
            "tools": self.tools,
        }


def scope_fix_tail() -> str:
    """How to make servers use newly added scopes, with a command that works as printed."""
    from zoom_rooms_mcp.cli.invocation import hint_command

    return (
        f"then make sure the app is activated and run `{hint_command()} token --clear` so that servers fetch a "
        "token with the new scopes (running servers: restart them, or call test_zoom_connection with "
        "force_refresh=true)."
    )


def duration(seconds: int) -> str:
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{max(seconds, 0)} s"
