"""Who syncs: one leader per store, chosen by a lock the operating system or the database releases when
the leader dies, so a crashed leader never needs cleaning up after (DESIGN §9, §11)."""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Any

import anyio
import sqlalchemy as sa
from filelock import FileLock, Timeout
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

SERVER_KEEPALIVES = (
    "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=3 -c tcp_keepalives_count=3 -c tcp_user_timeout=14000"
)
PG_LEADER_NAMESPACE = 0x5A53  # first advisory-lock key of the leader lock; the second comes from the account id


def leader_key(account_id: str) -> int:
    """The account's leader-lock key: a positive int4, so it reads back unchanged from ``pg_locks.objid``."""
    return zlib.crc32(account_id.encode()) & 0x7FFFFFFF


class AlwaysLeader:
    """The memory store: one process, so it always leads."""

    @property
    def is_leader(self) -> bool:
        return True

    async def try_acquire(self) -> bool:
        return True

    async def check(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class FileLeadership:
    """SQLite: an exclusive, non-blocking lock on ``<store>.leader``; the OS drops it when the process dies."""

    def __init__(self, path: Path) -> None:
        # The file is kept on release: unlinking it would let a waiter lock a deleted inode while a third
        # process locks a new file of the same name, giving two leaders.
        self._lock = FileLock(path, mode=0o600, thread_local=False, blocking=False, preserve_lock_file=True)

    @property
    def is_leader(self) -> bool:
        return self._lock.is_locked

    async def try_acquire(self) -> bool:
        if self._lock.is_locked:
            return True

        def acquire() -> bool:
            try:
                self._lock.acquire(blocking=False)
            except Timeout:
                return False
            return True

        return await anyio.to_thread.run_sync(acquire)

    async def check(self) -> bool:
        return self._lock.is_locked

    async def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


class PgLeadership:
    """PostgreSQL: ``pg_try_advisory_lock`` held by a dedicated connection (never a pooled one).

    The session lock dies with its connection, so a dead leader frees it at once (or, across a network
    partition, when TCP keepalives give up). ``check`` re-reads ``pg_locks`` on that connection, which also
    keeps it alive; the sync calls it before each write, and any failure means leadership is lost.
    """

    def __init__(self, url: sa.URL, connect_args: dict[str, Any], account_id: str) -> None:
        # The server must notice a vanished leader host too (its own keepalives default to hours): these
        # session settings make PostgreSQL drop the dead session, and the lock with it, within about 15 s, so that
        # with the followers' 10 s retry a new leader syncs within 30 s.
        server_keepalives = {**connect_args, "options": SERVER_KEEPALIVES}
        self._engine = sa.create_engine(
            url, poolclass=NullPool, connect_args=server_keepalives, isolation_level="AUTOCOMMIT"
        )
        self._key = leader_key(account_id)
        self._conn: sa.Connection | None = None
        self._leader = False
        self._limiter = anyio.CapacityLimiter(1)

    @property
    def is_leader(self) -> bool:
        return self._leader

    async def try_acquire(self) -> bool:
        if self._leader and await self.check():
            return True
        return await anyio.to_thread.run_sync(self._acquire, limiter=self._limiter)

    async def check(self) -> bool:
        if not self._leader:
            return False
        return await anyio.to_thread.run_sync(self._verify, limiter=self._limiter)

    async def release(self) -> None:
        await anyio.to_thread.run_sync(self._release, limiter=self._limiter)

    def _acquire(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
            self._leader = bool(
                self._conn.execute(sa.select(sa.func.pg_try_advisory_lock(PG_LEADER_NAMESPACE, self._key))).scalar()
            )
        except sa.exc.SQLAlchemyError as exc:
            log.debug("Leader lock not taken: %s", type(exc).__name__)
            self._drop()
        return self._leader

    def _verify(self) -> bool:
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            self._drop()
            return False
        try:
            held = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                    " AND granted AND classid::bigint = :ns AND objid::bigint = :key AND objsubid = 2"
                ),
                {"ns": PG_LEADER_NAMESPACE, "key": self._key},
            ).scalar()
        except sa.exc.SQLAlchemyError:
            held = 0
        if not held:
            log.warning("Lost the sync leadership: the database connection holding the leader lock is gone.")
            self._drop()
        return bool(held)

    def _drop(self) -> None:
        self._leader = False
        if self._conn is not None:
            try:
                self._conn.close()
            except sa.exc.SQLAlchemyError:
                log.debug("Closing a dead leader connection failed", exc_info=True)
            self._conn = None

    def _release(self) -> None:
        # Closing the session releases its advisory locks; no unlock call that could fail on a dead link.
        self._drop()
        self._engine.dispose()
