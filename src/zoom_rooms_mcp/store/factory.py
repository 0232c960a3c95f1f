"""``open_store``: turn ``ZOOM_ROOMS_STORE`` into an open, migrated store (DESIGN §3, §9, §11).

* ``None``/``""``/``sqlite``: ``fleet-{account}.sqlite3`` in the user data dir; ``sqlite:///ABS/PATH``: that
  file (the path is absolute whether written with three slashes or four).
* ``memory``: the same SQL on an in-memory SQLite database, so there is one code path.
* ``postgresql://…`` (also ``postgresql+psycopg://``, ``postgres://``): psycopg 3, from the ``postgres`` extra.

SQLite faults never stop the server: a corrupt file is moved aside and rebuilt; a directory or disk that
cannot be written gives a memory store whose ``fallback_reason`` says why. A store written by a newer
version or for another account is refused (``StoreSchemaError``) and left exactly as it was.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sqlite3
import time
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import sqlalchemy as sa
from platformdirs import user_data_dir
from sqlalchemy.pool import StaticPool

from zoom_rooms_mcp.store import schema
from zoom_rooms_mcp.store.errors import StoreConfigError, StoreError, StoreSchemaError
from zoom_rooms_mcp.store.leadership import AlwaysLeader, FileLeadership, PgLeadership
from zoom_rooms_mcp.store.sql import PG_LOCK_NAMESPACE, PG_MIGRATE_LOCK, SqlStore, unavailable_or_error

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000  # another process's write (a 20,000-room batch takes well under a second)
SQLITE_THREADS = 4
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 5
# Bounded waits everywhere: an unreachable server is an error within seconds, never a hang, and a dead
# peer is noticed by TCP keepalives (which also bound how long a partitioned leader believes it leads).
PG_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 20_000,
    "application_name": "zoom-rooms-mcp",
}
POSTGRES_EXTRA_HINT = "pip install 'zoom-rooms-mcp[postgres]'"


def default_sqlite_path(account_id: str, data_dir: Path | None = None) -> Path:
    directory = data_dir if data_dir is not None else Path(user_data_dir("zoom-rooms-mcp", appauthor=False))
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in account_id)[:64] or "default"
    return directory / f"fleet-{safe}.sqlite3"


async def open_store(url_or_setting: str | None, *, account_id: str, data_dir: Path | None = None) -> SqlStore:
    """Open (creating and migrating as needed) the store ``ZOOM_ROOMS_STORE`` names.

    Raises ``StoreConfigError`` for a setting this install cannot use, ``StoreSchemaError`` for a store
    from a newer version or another account, ``StoreUnavailableError`` when PostgreSQL cannot be reached.
    """
    setting = (url_or_setting or "").strip()
    if setting == "memory":
        opener = partial(_open_memory, account_id, None)
    elif setting in ("", "sqlite"):
        opener = partial(_open_sqlite, default_sqlite_path(account_id, data_dir), account_id)
    elif setting.startswith("sqlite:///"):
        path = Path("/" + setting.removeprefix("sqlite:///").lstrip("/"))
        opener = partial(_open_sqlite, path, account_id)
    elif setting.split("://", 1)[0] in ("postgresql", "postgresql+psycopg", "postgres"):
        opener = partial(_open_postgres, setting, account_id)
    else:
        raise StoreConfigError(
            "ZOOM_ROOMS_STORE must be 'memory', 'sqlite:///ABS/PATH' or 'postgresql://…'"
            f" (got a value starting {setting.split(':', 1)[0][:20]!r})"
        )
    return await anyio.to_thread.run_sync(opener)


# ---- SQLite ---------------------------------------------------------------------------------------------


def _sqlite_engine(path: Path | None) -> sa.Engine:
    if path is None:
        engine = sa.create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = sa.create_engine(
            sa.URL.create("sqlite", database=str(path)),
            pool_size=SQLITE_THREADS,
            max_overflow=0,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Autocommit at the driver level, so that we, not pysqlite, say when and how a transaction begins.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable at checkpoints, never corrupt

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # Writers ask for BEGIN IMMEDIATE: they take the write lock first and wait (busy_timeout) instead
        # of deadlocking on an upgrade; readers get a deferred BEGIN, a snapshot under WAL.
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))

    return engine


class _CorruptError(Exception):
    pass


def _open_memory(account_id: str, fallback_reason: str | None) -> SqlStore:
    engine = _sqlite_engine(None)
    _migrate_sqlite(engine, account_id, "memory")
    return SqlStore(
        engine,
        backend="memory",
        display_url="memory",
        leadership=AlwaysLeader,
        threads=1,  # one shared connection
        fallback_reason=fallback_reason,
    )


def _open_sqlite(path: Path, account_id: str) -> SqlStore:
    try:
        try:
            return _open_sqlite_file(path, account_id)
        except _CorruptError as exc:
            aside = _move_aside(path)
            log.warning("The fleet store %s was corrupt (%s); moved it to %s and started a new one.", path, exc, aside)
            return _open_sqlite_file(path, account_id)
    except StoreError:
        raise
    except (OSError, sqlite3.Error, sa.exc.SQLAlchemyError, _CorruptError) as exc:
        reason = f"cannot use {path}: {_reason(exc)}"
        log.warning("The fleet store %s; keeping the fleet in memory only (lost at exit).", reason)
        return _open_memory(account_id, reason)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def _open_sqlite_file(path: Path, account_id: str) -> SqlStore:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # Created 0600 before SQLite touches it; SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    _preflight(path, account_id)
    engine = _sqlite_engine(path)
    try:
        _migrate_sqlite(engine, account_id, str(path))
    except BaseException:
        engine.dispose()
        raise
    return SqlStore(
        engine,
        backend="sqlite",
        display_url=str(path),
        leadership=partial(FileLeadership, Path(f"{path}.leader")),
        threads=SQLITE_THREADS,
    )


def _preflight(path: Path, account_id: str) -> None:
    """Check integrity, version and account on a plain connection that changes nothing, then turn on WAL.

    Runs before SQLAlchemy opens the file, so a refused store is left byte for byte as it was.
    """
    con = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        try:
            checked = [row[0] for row in con.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.OperationalError:  # locked or unreadable is not corrupt (it subclasses DatabaseError)
            raise
        except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
            raise _CorruptError(str(exc)) from exc
        if checked != ["ok"]:
            raise _CorruptError("; ".join(str(c) for c in checked[:3]))
        has_meta = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if has_meta:
            found = dict(
                con.execute(
                    "SELECT key, value FROM meta WHERE key IN (?, ?)", (schema.KEY_VERSION, schema.KEY_ACCOUNT)
                ).fetchall()
            )
            _check_owner(int(found.get(schema.KEY_VERSION, 0)), found.get(schema.KEY_ACCOUNT), account_id, str(path))
        con.execute("PRAGMA journal_mode = WAL")
    finally:
        con.close()


def _check_owner(version: int, stored_account: str | None, account_id: str, where: str) -> None:
    if version > schema.SCHEMA_VERSION:
        raise StoreSchemaError(
            f"The fleet store {where} has schema version {version}, newer than this server's"
            f" {schema.SCHEMA_VERSION}: it was written by a newer zoom-rooms-mcp. Upgrade, or point"
            " ZOOM_ROOMS_STORE elsewhere; the store was left untouched."
        )
    if stored_account is not None and stored_account != account_id:
        raise StoreSchemaError(
            f"The fleet store {where} belongs to another Zoom account, not {account_id!r}; it was left"
            " untouched. Point ZOOM_ROOMS_STORE at this account's store."
        )


def _migrate_sqlite(engine: sa.Engine, account_id: str, where: str) -> None:
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")  # the write lock: one process migrates
        with conn.begin():
            _check_owner(schema.stored_version(conn), schema.stored_account(conn), account_id, where)
            old = schema.migrate(conn, account_id)
    if old and old < schema.SCHEMA_VERSION:
        log.info("Upgraded the fleet store %s from schema version %d to %d.", where, old, schema.SCHEMA_VERSION)


def _move_aside(path: Path) -> Path:
    """Rename the corrupt file (and its WAL companions) to ``<name>.corrupt-<UTC time>``; never delete."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(path.with_name(f"{path.name}{suffix}.corrupt-{stamp}"))
    return target


# ---- PostgreSQL -----------------------------------------------------------------------------------------


def _open_postgres(setting: str, account_id: str) -> SqlStore:
    if importlib.util.find_spec("psycopg") is None:
        raise StoreConfigError(
            f"ZOOM_ROOMS_STORE names PostgreSQL, but its driver is not installed: {POSTGRES_EXTRA_HINT}"
        )
    try:
        url = sa.make_url(setting).set(drivername="postgresql+psycopg")
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise StoreConfigError("ZOOM_ROOMS_STORE is not a valid postgresql:// URL") from exc
    display = url.render_as_string(hide_password=True)
    engine = sa.create_engine(
        url,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        pool_timeout=10,
        pool_pre_ping=True,  # a restarted server: stale pooled connections are replaced, not returned
        connect_args=PG_CONNECT_ARGS,
    )
    try:
        with engine.connect() as conn, conn.begin():
            # Replicas started together: the first migrates, the others wait here and find nothing to do.
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_LOCK_NAMESPACE, PG_MIGRATE_LOCK)))
            _check_owner(schema.stored_version(conn), schema.stored_account(conn), account_id, display)
            old = schema.migrate(conn, account_id)
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise unavailable_or_error(exc, display) from exc
    except BaseException:
        engine.dispose()
        raise
    if not old:
        log.info("Created the fleet store %s (schema version %d).", display, schema.SCHEMA_VERSION)
    elif old < schema.SCHEMA_VERSION:
        log.info("Upgraded the fleet store %s from schema version %d to %d.", display, old, schema.SCHEMA_VERSION)
    return SqlStore(
        engine,
        backend="postgresql",
        display_url=display,
        leadership=partial(PgLeadership, url, PG_CONNECT_ARGS, account_id),
        threads=PG_POOL_SIZE + PG_MAX_OVERFLOW,
    )
