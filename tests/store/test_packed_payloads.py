"""Device and Dashboard payloads are packed (schema version 3): arrays of the fields in order, decoded fast at
start-up. An older store is converted in place; a row still written the old way is read all the same."""

from __future__ import annotations

import json
from dataclasses import fields

import anyio
import pytest
import sqlalchemy as sa

from tests.store.conftest import Target
from tests.store.test_migrations import _url
from zoom_rooms_mcp.store import schema
from zoom_rooms_mcp.store.api import Batch, DashboardReading, DeviceReading, RoomRow
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, Room

pytestmark = pytest.mark.anyio

DEVICES = (
    Device("Zoom Rooms Computer", "Online", "6.3.0 (5120)", "Win11", "ThinkSmart Core", "Lenovo", "10.0.0.1", "{a}"),
    Device("Controller", "Offline", None, None, "TC8 «ü»", None, "10.0.0.2"),  # None inside and at the end
    Device("Scheduling Display", "Online"),
)
ROWS = {
    "r1": DashboardRow("R1", "warning", ("Room Controller disconnected",), "Available", camera="Logi"),
    "r2": DashboardRow("R2", None, ()),
}
ROOMS = [RoomRow(Room(i, i.upper(), f"Room {i}", "Available", None), 1.0) for i in ("r1", "r2", "r3")]


def batch() -> Batch:
    return Batch(
        rooms_upsert=ROOMS,
        devices={
            "r1": DeviceReading(DEVICES, 10.0),
            "r2": DeviceReading((), 11.0),
            "r3": DeviceReading(None, 12.0, "timed out"),
        },
        dashboard={
            "r1": DashboardReading(ROWS["r1"], 20.0),
            "r2": DashboardReading(ROWS["r2"], 21.0),
            "r3": DashboardReading(None, 22.0),
        },
    )


def test_the_records_keep_the_packed_layout() -> None:
    """Packed rows are decoded by position: the records may only gain fields at the end."""
    device_fields = tuple(f.name for f in fields(Device))
    dashboard_fields = tuple(f.name for f in fields(DashboardRow))
    assert device_fields[: len(schema.V3_DEVICE_FIELDS)] == schema.V3_DEVICE_FIELDS
    assert dashboard_fields[: len(schema.V3_DASHBOARD_FIELDS)] == schema.V3_DASHBOARD_FIELDS


async def test_readings_round_trip_packed(target: Target) -> None:
    store = await target.open()
    try:
        await store.write(batch())
        loaded = await store.load()
        changed = await store.changes(0)
    finally:
        await store.close()
    for found in (loaded, changed):
        assert found.devices == batch().devices
        assert found.dashboard == batch().dashboard
    if target.backend == "memory":
        return
    devices, dashboard = await anyio.to_thread.run_sync(_payloads, _url(target))
    assert json.loads(devices["r1"])[1] == ["Controller", "Offline", None, None, "TC8 «ü»", None, "10.0.0.2"]
    assert json.loads(devices["r1"])[2] == ["Scheduling Display", "Online"]  # trailing nulls dropped
    assert json.loads(dashboard["r2"]) == ["R2", None, []]


def _payloads(url: str) -> tuple[dict[str, str], dict[str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            devices = dict(conn.execute(sa.select(schema.devices.c.room, schema.devices.c.payload)).all())
            dashboard = dict(conn.execute(sa.select(schema.dashboard.c.room, schema.dashboard.c.payload)).all())
    finally:
        engine.dispose()
    return devices, dashboard


def _as_objects(url: str, *, version: str | None) -> None:
    """Rewrite the readings as the code before version 3 wrote them (JSON objects without None fields)."""

    def obj(values: list[object], names: tuple[str, ...]) -> dict[str, object]:
        return {name: value for name, value in zip(names, values, strict=False) if value is not None}

    devices, dashboard = _payloads(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for room, payload in devices.items():
                if payload is not None:
                    old = json.dumps([obj(d, schema.V3_DEVICE_FIELDS) for d in json.loads(payload)])
                    conn.execute(sa.update(schema.devices).where(schema.devices.c.room == room).values(payload=old))
            for room, payload in dashboard.items():
                if payload is not None:
                    old = json.dumps(obj(json.loads(payload), schema.V3_DASHBOARD_FIELDS))
                    conn.execute(sa.update(schema.dashboard).where(schema.dashboard.c.room == room).values(payload=old))
            if version is not None:
                conn.execute(
                    sa.update(schema.meta).where(schema.meta.c.key == schema.KEY_VERSION).values(value=version)
                )
    finally:
        engine.dispose()


async def test_a_version_2_store_is_packed_on_upgrade(target: Target) -> None:
    if target.backend == "memory":
        pytest.skip("a memory store is always new")
    store = await target.open()
    await store.write(batch())
    await store.close()
    await anyio.to_thread.run_sync(lambda: _as_objects(_url(target), version="2"))
    store = await target.open()
    try:
        loaded = await store.load()
    finally:
        await store.close()
    assert loaded.devices == batch().devices
    assert loaded.dashboard == batch().dashboard
    devices, dashboard = await anyio.to_thread.run_sync(_payloads, _url(target))
    assert json.loads(devices["r1"])[0][0] == "Zoom Rooms Computer"
    assert json.loads(dashboard["r1"])[:3] == ["R1", "warning", ["Room Controller disconnected"]]


async def test_a_row_written_by_older_code_is_still_read(target: Target) -> None:
    """A process still running the code before version 3 writes objects until it is restarted."""
    if target.backend == "memory":
        pytest.skip("a memory store cannot be written from outside")
    store = await target.open()
    try:
        await store.write(batch())
        await anyio.to_thread.run_sync(lambda: _as_objects(_url(target), version=None))
        loaded = await store.load()
    finally:
        await store.close()
    assert loaded.devices == batch().devices
    assert loaded.dashboard == batch().dashboard
