"""The store's contract, run unchanged on memory, SQLite and a real PostgreSQL server."""

from __future__ import annotations

import pytest

from tests.store.conftest import Target
from zoom_rooms_mcp.store import StoreSchemaError
from zoom_rooms_mcp.store.api import (
    Batch,
    DashboardReading,
    DeviceReading,
    EventQuery,
    NewEvent,
    OccupancyReading,
    ProfileReading,
    RoomRow,
    SensorReading,
    Store,
    TokenRecord,
)
from zoom_rooms_mcp.zoom.records import DashboardRow, Device, RawLocation, Room, RoomProfile

pytestmark = pytest.mark.anyio


def room(i: int, *, status: str = "Available", location: str | None = "floor-1") -> RoomRow:
    return RoomRow(Room(f"r{i}", f"R{i}", f"Room {i}", status, location, "ZoomRoom", 6), listed_at=100.0 + i)


def event(
    key: str,
    *,
    time: float,
    room_id: str | None = "r1",
    location: str | None = "floor-1",
    kind: str = "offline",
    severity: str = "critical",
) -> NewEvent:
    return NewEvent(time, room_id, f"Room {room_id}", location, kind, severity, f"{kind} at {time}", "sync", key)  # type: ignore[arg-type]


LOCATIONS = [
    RawLocation("hq", "HQ", "campus", None),
    RawLocation("floor-1", "Floor 1", "floor", "hq"),
    RawLocation("floor-2", "Floor 2", "floor", "hq"),
]
DEVICES = (
    Device("Zoom Rooms Computer", "Online", app_version="6.1.0", device_id="a"),
    Device("Controller", "Offline", device_system="iPadOS 17"),
)


async def test_write_load_round_trip(target: Target) -> None:
    store: Store = await target.open()  # also checks, statically, that the implementation meets the protocol
    try:
        assert store.backend == target.backend
        seq = await store.write(
            Batch(
                locations=LOCATIONS,
                structure=["campus", "floor"],
                rooms_upsert=[room(1), room(2, status="Offline")],
                devices={"r1": DeviceReading(DEVICES, 200.0), "r2": DeviceReading(None, 201.0, "timeout")},
                dashboard={
                    "r1": DashboardReading(DashboardRow("R1", "warning", ("Controller offline",), camera="HD"), 202.0),
                    "r2": DashboardReading(None, 203.0),
                },
                profiles={"r1": ProfileReading(RoomProfile("ZoomRoom", 8, "help@x", None, "floor-1"), 204.0)},
                sensors={"r1": SensorReading({"co2": 612, "temperature": 22.5, "note": "ok"}, 205.0)},
                occupancy={"r1": OccupancyReading(True, 206.0)},
                meta={"sync.rooms_as_of": "123.5"},
            )
        )
        assert seq >= 1
        for handle in [store] + ([await target.open()] if target.shared else []):
            loaded = await handle.load()
            assert loaded.seq == seq
            assert loaded.locations == LOCATIONS
            assert loaded.structure == ["campus", "floor"]
            assert loaded.rooms == {"r1": room(1), "r2": room(2, status="Offline")}
            assert loaded.devices == {"r1": DeviceReading(DEVICES, 200.0), "r2": DeviceReading(None, 201.0, "timeout")}
            assert loaded.dashboard["r1"].row == DashboardRow("R1", "warning", ("Controller offline",), camera="HD")
            assert loaded.dashboard["r2"] == DashboardReading(None, 203.0)
            assert loaded.profiles["r1"].profile.capacity == 8
            assert loaded.sensors["r1"].values == {"co2": 612, "temperature": 22.5, "note": "ok"}
            assert loaded.occupancy == {"r1": OccupancyReading(True, 206.0)}
            assert loaded.meta == {"sync.rooms_as_of": "123.5"}
            assert loaded.rooms_deleted == []
            if handle is not store:
                await handle.close()
    finally:
        await store.close()


async def test_changes_since_include_tombstones_and_only_what_is_new(target: Target) -> None:
    writer = await target.open()
    reader = await target.open() if target.shared else writer
    try:
        first = await writer.write(
            Batch(
                locations=LOCATIONS,
                rooms_upsert=[room(i) for i in range(1, 5)],
                devices={"r3": DeviceReading(DEVICES, 1.0)},
            )
        )
        assert (await reader.changes(first)).seq == first  # nothing new: seq unchanged
        caught_up = await reader.changes(0)
        assert set(caught_up.rooms) == {"r1", "r2", "r3", "r4"}
        assert caught_up.locations == LOCATIONS

        second = await writer.write(
            Batch(rooms_upsert=[room(2, status="Offline")], rooms_delete=["r3"], meta={"k": "v"})
        )
        delta = await reader.changes(first)
        assert delta.seq == second > first
        assert list(delta.rooms) == ["r2"]
        assert delta.rooms["r2"].room.status == "Offline"
        assert delta.rooms_deleted == ["r3"]
        assert delta.locations is None
        assert delta.structure is None
        assert delta.meta == {"k": "v"}
        assert delta.devices == {}

        loaded = await reader.load()
        assert set(loaded.rooms) == {"r1", "r2", "r4"}
        assert loaded.rooms_deleted == []
        assert "r3" not in loaded.devices  # a deleted room's readings go with it

        third = await writer.write(Batch(rooms_upsert=[room(3)], locations=LOCATIONS[:2]))  # the room is back
        delta = await reader.changes(second)
        assert delta.seq == third
        assert list(delta.rooms) == ["r3"]
        assert delta.rooms_deleted == []
        assert delta.locations == LOCATIONS[:2]
    finally:
        if reader is not writer:
            await reader.close()
        await writer.close()


async def test_events_are_deduplicated_and_queried(target: Target) -> None:
    store = await target.open()
    try:
        batch = Batch(
            events=[
                event("e1", time=10.0),
                event("e2", time=20.0, kind="online", severity="info"),
                event("e3", time=30.0, room_id="r2", location="floor-2"),
                event("e4", time=40.0, room_id=None, location=None, kind="location_added", severity="info"),
            ]
        )
        await store.write(batch)
        await store.write(Batch(events=[event("e1", time=10.0), event("e1", time=99.0)]))  # redelivered: no-op

        page = await store.events(EventQuery(since=0.0))
        assert [e.message for e in page.events] == [
            "location_added at 40.0",
            "offline at 30.0",
            "online at 20.0",
            "offline at 10.0",
        ]  # newest first
        assert page.total == 4
        assert page.counts_by_kind == {"offline": 2, "online": 1, "location_added": 1}
        assert page.events[0].seq > page.events[1].seq

        window = await store.events(EventQuery(since=15.0, until=30.0))
        assert [e.time for e in window.events] == [30.0, 20.0]
        room1 = await store.events(EventQuery(since=0.0, room_ids=frozenset({"r1"})))
        assert [e.time for e in room1.events] == [20.0, 10.0]
        floor2 = await store.events(EventQuery(since=0.0, location_ids=frozenset({"floor-2"})))
        assert [e.room_id for e in floor2.events] == ["r2"]
        critical = await store.events(EventQuery(since=0.0, severity="critical", limit=1, offset=1))
        assert [e.time for e in critical.events] == [10.0]
        assert critical.total == 2
        nothing = await store.events(EventQuery(since=0.0, room_ids=frozenset()))
        assert nothing.total == 0
        assert nothing.events == []
        # A whole-fleet filter larger than any bound-parameter limit is one parameter, not 40,000.
        many = frozenset({"r1", *(f"x{i}" for i in range(40_000))})
        assert (await store.events(EventQuery(since=0.0, room_ids=many))).total == 2

        assert await store.prune_events(before=25.0) == 2
        assert (await store.events(EventQuery(since=0.0))).total == 2
    finally:
        await store.close()


async def test_meta_keys_of_the_store_itself_are_refused(target: Target) -> None:
    store = await target.open()
    try:
        with pytest.raises(ValueError, match="store:"):
            await store.write(Batch(meta={"store:seq": "0"}))
        assert await store.write(Batch()) == (await store.load()).seq  # an empty batch changes nothing
        await store.ping()
    finally:
        await store.close()


async def test_shared_token_compare_and_set(target: Target) -> None:
    store = await target.open()
    other = await target.open() if target.shared else store
    try:
        assert await store.get_token("fp") is None
        first = TokenRecord("tok-1", 1000.0, ("rooms:read:admin",), "fp")
        assert await store.put_token_if(first, expected=None)
        assert await other.get_token("fp") == first
        # A replica that fetched its own token meanwhile loses the race and must use the stored one.
        assert not await other.put_token_if(TokenRecord("tok-x", 1000.0, (), "fp"), expected=None)
        second = TokenRecord("tok-2", 2000.0, (), "fp")
        assert await other.put_token_if(second, expected="tok-1")
        assert not await store.delete_token_if("fp", "tok-1")  # a stale 401 does not drop the new token
        assert await store.delete_token_if("fp", "tok-2")
        assert await other.get_token("fp") is None
    finally:
        if other is not store:
            await other.close()
        await store.close()


async def test_store_for_another_account_is_refused(target: Target) -> None:
    if not target.shared:
        pytest.skip("a memory store is new at every open")
    store = await target.open()
    await store.write(Batch(rooms_upsert=[room(1)]))
    await store.close()
    with pytest.raises(StoreSchemaError, match="another Zoom account"):
        await open_store_for(target, "someone-else")


async def open_store_for(target: Target, account: str) -> None:
    if target.backend == "sqlite":
        # The file name is per account: point the other account at this account's file explicitly.
        from zoom_rooms_mcp.store import default_sqlite_path, open_store

        path = default_sqlite_path("acct-1", target.data_dir)
        await open_store(f"sqlite:///{path}", account_id=account)
    else:
        await target.open(account)


async def test_leadership_one_leader_per_store(target: Target) -> None:
    first = await target.open()
    second = await target.open() if target.shared else None
    try:
        lead = first.leadership()
        assert first.leadership() is lead
        assert await lead.try_acquire()
        assert lead.is_leader
        assert await lead.check()
        assert await lead.try_acquire()  # again: still ours
        if second is not None:
            other = second.leadership()
            assert not await other.try_acquire()
            assert not other.is_leader
            assert not await other.check()
            await lead.release()
            assert not lead.is_leader or target.backend == "memory"
            assert await other.try_acquire()
            assert await other.check()
    finally:
        if second is not None:
            await second.close()
        await first.close()
