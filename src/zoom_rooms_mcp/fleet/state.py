"""The fleet as this process knows it: the store's rows held in memory, so answers take milliseconds.

A ``FleetState`` is filled from the store at start-up (``load``), follows other processes' writes
(``apply`` of ``store.changes``) and records this process's own writes the same way, so the one rule
"what the store says" holds everywhere. Derived data (rooms per location, the fleet's newest app
versions) is computed lazily and dropped when its inputs change.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from zoom_rooms_mcp.fleet.tree import TreeSnapshot
from zoom_rooms_mcp.health import parse_version
from zoom_rooms_mcp.store.api import (
    Batch,
    Changes,
    DashboardReading,
    DeviceReading,
    OccupancyReading,
    ProfileReading,
    RoomRow,
    SensorReading,
)
from zoom_rooms_mcp.zoom.records import RawLocation, Room

Version = tuple[int, int, int, int]

# Source read times kept in the store's meta table (epoch seconds of the last complete read).
META_TREE_READ_AT = "tree_read_at"
META_ROOMS_READ_AT = "rooms_read_at"
META_DASHBOARD_READ_AT = "dashboard_read_at"
META_SYNC_STATUS = "sync_status"
META_TYPE_CENSUS = "type_census"


@dataclass(slots=True)
class FleetState:
    seq: int = 0
    # Bumped by every ``apply`` (``seq`` is the store's counter and stays put when a write fails and is kept
    # in memory only): answers derived from the state are cached under it. ``rooms_generation`` moves only
    # when the room listing changes (rooms added, changed or deleted).
    generation: int = 0
    rooms_generation: int = 0
    tree: TreeSnapshot | None = None
    locations: list[RawLocation] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)
    rooms: dict[str, Room] = field(default_factory=dict)
    rooms_read_at: float | None = None  # last complete listing
    dashboard_read_at: float | None = None  # last complete Dashboard list
    devices: dict[str, DeviceReading] = field(default_factory=dict)
    dashboard: dict[str, DashboardReading] = field(default_factory=dict)
    profiles: dict[str, ProfileReading] = field(default_factory=dict)
    sensors: dict[str, SensorReading] = field(default_factory=dict)
    occupancy: dict[str, OccupancyReading] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    _by_dashboard_id: dict[str, str] | None = None
    _newest: dict[str, Version] | None = None
    _by_location: dict[str | None, list[str]] | None = None

    # --- applying changes --------------------------------------------------------------------------

    def apply(self, changes: Changes) -> None:
        """Merge rows from the store (a full ``load`` or an incremental ``changes``)."""
        self.generation += 1
        if changes.locations is not None:
            self.locations = list(changes.locations)
            self.structure = list(changes.structure or [])
        if changes.rooms or changes.rooms_deleted:
            for room_id, row in changes.rooms.items():
                self.rooms[room_id] = row.room
            for room_id in changes.rooms_deleted:
                self._forget(room_id)
            self._by_dashboard_id = None
            self._by_location = None
            self.rooms_generation += 1
        if changes.devices:
            self.devices.update(changes.devices)
            self._newest = None
        self.dashboard.update(changes.dashboard)
        self.profiles.update(changes.profiles)
        self.sensors.update(changes.sensors)
        self.occupancy.update(changes.occupancy)
        self.meta.update(changes.meta)
        self._read_meta(tree_changed=changes.locations is not None)
        self.seq = max(self.seq, changes.seq)

    def apply_batch(self, batch: Batch, seq: int) -> None:
        """Record this process's own write (the same rows the store now holds)."""
        self.apply(
            Changes(
                seq=seq,
                locations=list(batch.locations) if batch.locations is not None else None,
                structure=list(batch.structure) if batch.structure is not None else None,
                rooms={row.room.id: row for row in batch.rooms_upsert},
                rooms_deleted=list(batch.rooms_delete),
                devices=dict(batch.devices),
                dashboard=dict(batch.dashboard),
                profiles=dict(batch.profiles),
                sensors=dict(batch.sensors),
                occupancy=dict(batch.occupancy),
                meta=dict(batch.meta),
            )
        )

    def _forget(self, room_id: str) -> None:
        self.rooms.pop(room_id, None)
        for readings in (self.devices, self.dashboard, self.profiles, self.sensors, self.occupancy):
            readings.pop(room_id, None)
        self._newest = None

    def _read_meta(self, *, tree_changed: bool) -> None:
        self.rooms_read_at = _float(self.meta.get(META_ROOMS_READ_AT))
        self.dashboard_read_at = _float(self.meta.get(META_DASHBOARD_READ_AT))
        tree_read_at = _float(self.meta.get(META_TREE_READ_AT))
        if tree_read_at is None or not self.locations:
            return
        if tree_changed or self.tree is None:
            self.tree = TreeSnapshot.build(self.locations, self.structure or None, tree_read_at)
        elif self.tree.read_at != tree_read_at:
            # Same locations read again: only the read time moved.
            self.tree = TreeSnapshot(
                tree=self.tree.tree,
                resolver=self.tree.resolver,
                structure=self.tree.structure,
                paths=self.tree.paths,
                read_at=tree_read_at,
            )

    # --- derived views -----------------------------------------------------------------------------

    def by_dashboard_id(self, dashboard_id: str) -> Room | None:
        if self._by_dashboard_id is None:
            self._by_dashboard_id = {room.dashboard_id: room_id for room_id, room in self.rooms.items()}
        room_id = self._by_dashboard_id.get(dashboard_id)
        return self.rooms.get(room_id) if room_id is not None else None

    def rooms_at(self, location_ids: Iterable[str]) -> list[Room]:
        """Rooms placed at any of the given locations (already expanded to whole subtrees)."""
        if self._by_location is None:
            index: dict[str | None, list[str]] = defaultdict(list)
            for room_id, room in self.rooms.items():
                index[room.location_id].append(room_id)
            self._by_location = dict(index)
        found: list[Room] = []
        for location_id in location_ids:
            found.extend(self.rooms[room_id] for room_id in self._by_location.get(location_id, ()))
        return found

    def newest_versions(self) -> dict[str, Version]:
        """The newest app version per device type across the whole fleet: the one 'outdated' yardstick."""
        if self._newest is None:
            newest: dict[str, Version] = {}
            for reading in self.devices.values():
                for device in reading.devices or ():
                    version = parse_version(device.app_version)
                    if version is not None and version > newest.get(device.device_type, (-1, 0, 0, 0)):
                        newest[device.device_type] = version
            self._newest = newest
        return self._newest

    def sync_status(self) -> dict[str, object]:
        raw = self.meta.get(META_SYNC_STATUS)
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def _float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def room_row(room: Room, at: float) -> RoomRow:
    return RoomRow(room=room, listed_at=at)
