"""Real replicas (``serve --transport http`` processes) sharing one real PostgreSQL store, against the simulator on
loopback: one leader, one token, the same answers and events everywhere; a killed leader; a restarted database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.pg import PgServer
from tests.replicas.cluster import (
    Replica,
    call,
    eventually,
    launch,
    post_alert,
    readiness,
    replica_env,
    replicas,
    sync_report,
    wait_started,
)
from zoom_rooms_mcp.simulator import Simulator, running_simulator

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
FAILOVER_LIMIT = 30.0  # DESIGN §11


async def reports(group: list[Replica]) -> list[dict[str, Any]]:
    return [await sync_report(replica) for replica in group]


async def one_leader(group: list[Replica]) -> Replica | None:
    """The one replica that syncs, once exactly one says so and it has listed the rooms."""
    found = await reports(group)
    leaders = [replica for replica, report in zip(group, found, strict=True) if report["leader"]]
    if len(leaders) == 1 and found[group.index(leaders[0])]["rooms_total"]:
        return leaders[0]
    return None


async def test_three_replicas_one_leader_one_token_same_answers_shared_events(
    replicas_pg: PgServer, tmp_path: Path
) -> None:
    sim = Simulator(rooms=60, seed=7)
    with running_simulator(sim) as base:
        env = replica_env(tmp_path, base, replicas_pg.database())
        with replicas(3, env, tmp_path) as group:
            await eventually(lambda: one_leader(group), within=60)
            # Every replica answers, from the same store, the same rooms.
            answers = [await call(replica, "get_zoom_rooms", {"location_query": "Seattle"}) for replica in group]
            rows = [[(r["id"], r["status"]) for r in answer["rooms"]] for answer in answers]
            assert rows[0]
            assert rows[0] == rows[1] == rows[2]
            assert len({answer["total_count"] for answer in answers}) == 1
            # The sync and three replicas' tool calls: one token request for the whole deployment, kept in the
            # store (no token file anywhere: no shared filesystem needed).
            assert sim.stats.token_requests == 1
            assert not [p async for p in anyio.Path(env["TOKEN_CACHE_DIR"]).glob("zoom_token_*.json")]
            # Exactly one replica holds the leader lock, seen from the database too.
            with replicas_pg.admin() as admin:
                holders = admin.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s AND granted",
                    (0x5A53,),
                ).fetchone()
            assert holders == (1,)
            # An alert accepted by one replica is in every replica's answer at once (the store is the log).
            room = answers[0]["rooms"][0]
            status = await post_alert(
                group[0], room["id"], room["name"], issue="Zoom room is offline", event_ts_ms=int(time.time() * 1000)
            )
            assert status == 200
            started = time.monotonic()
            alerts = await call(group[2], "get_room_alerts", {"room": room["id"], "since_minutes": 10})
            elapsed = time.monotonic() - started
            assert [(e["source"], e["room_id"]) for e in alerts["events"]][:1] == [("webhook", room["id"])]
            assert elapsed < 5  # the first read after the 200 sees it; the time is the MCP call's own
    for replica in group:
        assert replica.proc.returncode == 0
        assert "Traceback" not in replica.log()


async def test_two_replicas_started_together_migrate_once_and_fail_over(replicas_pg: PgServer, tmp_path: Path) -> None:
    sim = Simulator(rooms=40, seed=3)
    with running_simulator(sim) as base:
        env = replica_env(tmp_path, base, replicas_pg.database())
        with replicas(2, env, tmp_path) as group:
            # Both opened an empty database at the same moment: one created the schema, the other waited on the
            # migration lock and found it done (a second run would have failed on existing tables).
            logs = [replica.log() for replica in group]
            assert sum(log.count("Created the fleet store") for log in logs) == 1
            leader = await eventually(lambda: one_leader(group), within=60)
            follower = group[1 - group.index(leader)]

            async def followed() -> str | None:
                as_of: str | None = (await sync_report(follower))["rooms_as_of"]
                return as_of

            before = await eventually(followed, within=30)  # the follower has taken in the leader's listing

            leader.proc.kill()  # kill -9: no goodbye, the database drops its session and the lock with it
            killed_at = time.monotonic()

            async def took_over() -> dict[str, Any] | None:
                report = await sync_report(follower)
                return report if report["leader"] and report["rooms_as_of"] != before else None

            report = await eventually(took_over, within=FAILOVER_LIMIT)
            failover = time.monotonic() - killed_at
            assert failover < FAILOVER_LIMIT
            assert report["state"] in ("syncing", "current")
            # The sync goes on: the new leader listed the rooms again after the old one died.
            assert report["rooms_as_of"] > before
            assert follower.alive()


async def test_a_database_restart_is_survived(replicas_pg: PgServer, tmp_path: Path) -> None:
    sim = Simulator(rooms=40, seed=5)
    with running_simulator(sim) as base:
        env = replica_env(tmp_path, base, replicas_pg.database())
        with replicas(2, env, tmp_path) as group:
            await eventually(lambda: one_leader(group), within=60)
            assert [await readiness(replica) for replica in group] == [200, 200]

            await anyio.to_thread.run_sync(replicas_pg.stop)
            try:

                async def unready() -> bool | None:
                    return True if [await readiness(r) for r in group] == [503, 503] else None

                await eventually(unready, within=15)
                # Still answering, from memory, and saying why.
                answer = await call(group[0], "get_zoom_rooms", {"location_query": "Seattle"})
                assert answer["rooms"]

                async def cut_off() -> Replica | None:
                    for replica in group:
                        if "store: The fleet store" in ((await sync_report(replica))["last_error"] or ""):
                            return replica
                    return None

                reader = await eventually(cut_off, within=20)
                health = await call(reader, "get_fleet_health", {"location_query": "Seattle"})
                assert any("fleet store" in note for note in health["notes"]), health["notes"]
                # A replica started during the outage waits for the database instead of giving up.
                late = launch(env, tmp_path)
                group.append(late)

                async def late_waits() -> bool | None:
                    return True if "retrying in" in late.log() else None

                await eventually(late_waits, within=30)
            finally:
                await anyio.to_thread.run_sync(replicas_pg.start)
            await anyio.to_thread.run_sync(wait_started, late)

            async def all_ready() -> bool | None:
                return True if [await readiness(r) for r in group] == [200, 200, 200] else None

            await eventually(all_ready, within=15)
            await eventually(lambda: one_leader(group), within=FAILOVER_LIMIT)
            assert all(replica.alive() for replica in group)
