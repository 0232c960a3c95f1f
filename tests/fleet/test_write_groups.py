"""FleetService.write's group commit: writes queued behind one another share a transaction, with the outcome
of writing them one by one."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from tests.fleet.engine import engine
from tests.harness import simulator
from zoom_rooms_mcp.fleet.state import room_row
from zoom_rooms_mcp.store.api import Batch, EventQuery, NewEvent

pytestmark = pytest.mark.anyio


def event(n: int, room_id: str | None = None) -> NewEvent:
    return NewEvent(
        time=1_000.0 + n,
        room_id=room_id,
        room_name=f"Room {n}",
        location_id=None,
        kind="room_offline",
        severity="critical",
        message="Zoom room is offline",
        source="webhook",
        dedupe_key=f"key-{n}",
    )


async def test_queued_writes_share_transactions_in_order_and_lose_nothing(tmp_path: Path) -> None:
    sim = simulator(rooms=20, seed=5)
    async with engine(sim, tmp_path) as e:
        await e.fleet.refresh_rooms("tool")
        room = next(iter(e.fleet.state.rooms.values()))
        store_write = e.store.write
        gate = anyio.Event()
        transactions: list[Batch] = []

        async def gated(batch: Batch) -> int:
            transactions.append(batch)
            if len(transactions) == 1:
                await gate.wait()  # hold the first write so that the others queue behind it
            return await store_write(batch)

        e.store.write = gated  # type: ignore[method-assign]
        writes = [Batch(events=[event(0)])]
        writes += [Batch(events=[event(n)]) for n in range(1, 40)]
        # The room is deleted, then listed again: whatever is grouped, it must end up present.
        writes += [Batch(rooms_delete=[room.id]), Batch(rooms_upsert=[room_row(room, 2_000.0)], events=[event(40)])]
        writes += [Batch(events=[event(1)])]  # a redelivery: stored once
        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(e.fleet.write, writes[0])
                await anyio.wait_all_tasks_blocked()
                for batch in writes[1:]:
                    tg.start_soon(e.fleet.write, batch)
                    await anyio.wait_all_tasks_blocked()  # queued in this order
                gate.set()

        assert len(transactions) < len(writes) / 4
        page = await e.store.events(EventQuery(since=0, limit=100))
        assert sorted(ev.message for ev in page.events) == ["Zoom room is offline"] * 41
        assert room.id in e.fleet.state.rooms
        assert room.id in (await e.store.load()).rooms
        # The deletion was a transaction of its own, between the events before it and the re-listing.
        assert any(list(batch.rooms_delete) == [room.id] and not batch.events for batch in transactions)


async def test_a_write_cancelled_while_queued_is_never_written(tmp_path: Path) -> None:
    sim = simulator(rooms=5, seed=5)
    async with engine(sim, tmp_path) as e:
        store_write = e.store.write
        gate = anyio.Event()

        async def gated(batch: Batch) -> int:
            await gate.wait()
            return await store_write(batch)

        e.store.write = gated  # type: ignore[method-assign]
        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(e.fleet.write, Batch(events=[event(1)]))
                await anyio.wait_all_tasks_blocked()
                with anyio.CancelScope() as queued:
                    queued.cancel()
                    await e.fleet.write(Batch(events=[event(2)]))
                gate.set()
        page = await e.store.events(EventQuery(since=0, limit=10))
        assert [ev.time for ev in page.events] == [1_001.0]
