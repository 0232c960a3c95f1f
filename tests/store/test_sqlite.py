"""The SQLite store on disk: file modes, faults (corrupt file, read-only dir, full disk, kill -9), two processes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.store.conftest import ACCOUNT
from zoom_rooms_mcp.store import StoreConfigError, StoreSchemaError, default_sqlite_path, open_store
from zoom_rooms_mcp.store.api import Batch, DeviceReading, RoomRow
from zoom_rooms_mcp.zoom.records import Device, Room

pytestmark = pytest.mark.anyio


def _mode(path: Path | str) -> int:
    return Path(path).stat().st_mode & 0o777


def _names(directory: Path, pattern: str = "*") -> list[str]:
    return sorted(p.name for p in directory.glob(pattern))


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir())


def rooms(n: int, tag: str = "") -> list[RoomRow]:
    return [RoomRow(Room(f"r{i}", f"R{i}", f"{tag}Room {i}", "Available", f"loc{i % 50}"), 1.0) for i in range(n)]


async def test_file_is_private_in_a_private_directory_and_uses_wal(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    store = await open_store(None, account_id="acct/1:x", data_dir=data_dir)
    try:
        path = data_dir / "fleet-acct_1_x.sqlite3"
        assert store.display_url == str(path) == str(default_sqlite_path("acct/1:x", data_dir))
        assert store.backend == "sqlite"
        assert store.fallback_reason is None
        await store.write(Batch(rooms_upsert=rooms(3)))
        assert _mode(data_dir) == 0o700
        for companion in ("", "-wal", "-shm"):
            assert _mode(f"{path}{companion}") == 0o600, companion
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        await store.close()


async def test_explicit_path_setting_and_bad_settings(tmp_path: Path) -> None:
    target = tmp_path / "x" / "fleet.db"
    store = await open_store(f"sqlite:///{target}", account_id=ACCOUNT)
    assert store.display_url == str(target)
    await store.close()
    with pytest.raises(StoreConfigError, match="ZOOM_ROOMS_STORE must be"):
        await open_store("mysql://u:p@h/db", account_id=ACCOUNT)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_newer_store_is_refused_and_left_untouched(tmp_path: Path) -> None:
    store = await open_store(None, account_id=ACCOUNT, data_dir=tmp_path)
    await store.write(Batch(rooms_upsert=rooms(2)))
    await store.close()
    path = default_sqlite_path(ACCOUNT, tmp_path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'store:schema_version'")
    con.close()
    before = _digest(path)
    with pytest.raises(StoreSchemaError, match=r"schema version 99, newer than this server's") as info:
        await open_store(None, account_id=ACCOUNT, data_dir=tmp_path)
    assert str(path) in str(info.value)
    assert _digest(path) == before
    assert _names(tmp_path) == [path.name]


async def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = default_sqlite_path(ACCOUNT, tmp_path)
    path.write_bytes(b"this is not a database, it is a note " * 200)
    original = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="zoom_rooms_mcp.store"):
        store = await open_store(None, account_id=ACCOUNT, data_dir=tmp_path)
    try:
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1
        assert "corrupt" in warnings[0].getMessage()
        aside = _names(tmp_path, f"{path.name}.corrupt-*")
        assert len(aside) == 1
        assert _digest(tmp_path / aside[0]) == hashlib.sha256(original).hexdigest()  # kept, never deleted
        assert store.backend == "sqlite"
        assert store.fallback_reason is None
        await store.write(Batch(rooms_upsert=rooms(2)))
        assert len((await store.load()).rooms) == 2
    finally:
        await store.close()


async def test_damaged_pages_fail_the_integrity_check_and_are_moved_aside(tmp_path: Path) -> None:
    store = await open_store(None, account_id=ACCOUNT, data_dir=tmp_path)
    await store.write(Batch(rooms_upsert=rooms(3000)))
    await store.close()
    path = default_sqlite_path(ACCOUNT, tmp_path)
    raw = bytearray(path.read_bytes())
    page = int.from_bytes(raw[16:18], "big")
    raw[page * 2 : page * 6] = b"\xa5" * (page * 4)  # scribble over b-tree pages, keep the header
    path.write_bytes(bytes(raw))
    store = await open_store(None, account_id=ACCOUNT, data_dir=tmp_path)
    try:
        assert _names(tmp_path, f"{path.name}.corrupt-*")
        assert (await store.load()).rooms == {}
        assert store.fallback_reason is None
    finally:
        await store.close()


_OPEN_AND_REPORT = """
import json, logging, sys
import anyio
from pathlib import Path
from zoom_rooms_mcp.store import open_store

warnings = []
class Keep(logging.Handler):
    def emit(self, record):
        if record.levelno >= logging.WARNING:
            warnings.append(record.getMessage())
logging.getLogger().addHandler(Keep())

async def main():
    store = await open_store(None, account_id="acct-1", data_dir=Path(sys.argv[1]))
    seq = await store.write(__import__("zoom_rooms_mcp.store.api", fromlist=["Batch"]).Batch(meta={"k": "v"}))
    print(json.dumps({"backend": store.backend, "reason": store.fallback_reason, "warnings": warnings, "seq": seq}))
    await store.close()

anyio.run(main)
"""


@pytest.fixture
def read_only_dir() -> Iterator[Path]:
    """A directory nobody may write to, under /tmp so that an unprivileged test process can reach it."""
    base = Path(tempfile.mkdtemp(prefix="zrm-ro-"))
    data = base / "data"
    data.mkdir()
    if os.geteuid() == 0:
        os.chown(base, 65534, 65534)
        os.chown(data, 65534, 65534)
    data.chmod(0o500)
    try:
        yield data
    finally:
        data.chmod(0o700)
        for leftover in data.iterdir():
            leftover.unlink()
        data.rmdir()
        base.rmdir()


@pytest.mark.slow
def test_read_only_directory_falls_back_to_memory_with_one_warning(read_only_dir: Path) -> None:
    # Root ignores directory permissions, so when the tests run as root the store is opened by a child
    # process running as nobody (setpriv drops every capability): a real read-only directory.
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a directory read-only for the store")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    result = subprocess.run(
        [*prefix, sys.executable, "-c", _OPEN_AND_REPORT, str(read_only_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd="/",
    )
    report = json.loads(result.stdout)
    assert report["backend"] == "memory"
    assert str(read_only_dir / "fleet-acct-1.sqlite3") in report["reason"]
    assert len(report["warnings"]) == 1
    assert "memory" in report["warnings"][0]
    assert report["seq"] == 1  # and it works
    assert list(read_only_dir.iterdir()) == []


class _FullDiskConnection(sqlite3.Connection):
    """A DB-API connection to a file on a full disk: reads work, every write fails as SQLite says it."""

    @staticmethod
    def _check(sql: str) -> None:
        if sql.lstrip().split(None, 1)[0].upper() in {"CREATE", "INSERT", "UPDATE", "DELETE"}:
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._check(sql)
        return super().execute(sql, *args)

    def cursor(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(_FullDiskCursor)


class _FullDiskCursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        _FullDiskConnection._check(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        _FullDiskConnection._check(sql)
        return super().executemany(sql, *args)


async def test_full_disk_falls_back_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_connect = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(database) != ":memory:":
            kwargs["factory"] = _FullDiskConnection
        connection: sqlite3.Connection = real_connect(database, *args, **kwargs)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect)  # the module SQLAlchemy's driver uses
    with caplog.at_level(logging.WARNING, logger="zoom_rooms_mcp.store"):
        store = await open_store(None, account_id=ACCOUNT, data_dir=tmp_path)
    try:
        assert store.backend == "memory"
        assert store.fallback_reason is not None
        assert "database or disk is full" in store.fallback_reason
        assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
        assert await store.write(Batch(rooms_upsert=rooms(2))) == 1
    finally:
        await store.close()


_WRITE_FOREVER = """
import sys
import anyio
from zoom_rooms_mcp.store import open_store
from zoom_rooms_mcp.store.api import Batch, DeviceReading, RoomRow
from zoom_rooms_mcp.zoom.records import Device, Room

async def main():
    store = await open_store("sqlite:///" + sys.argv[1], account_id="acct-1")
    generation = 0
    while True:
        generation += 1
        batch = Batch(
            rooms_upsert=[RoomRow(Room(f"r{i}", f"R{i}", f"g{generation}-{i}", "Available", None), generation)
                          for i in range(5000)],
            devices={f"r{i}": DeviceReading((Device("Controller", "Online"),), generation) for i in range(5000)},
            meta={"generation": str(generation)},
        )
        print(f"writing {generation}", flush=True)
        await store.write(batch)

anyio.run(main)
"""


def _kill_writer_during(path: Path, generation: int) -> None:
    """Start the writer and SIGKILL it as soon as it starts writing batch ``generation``."""
    proc = subprocess.Popen([sys.executable, "-c", _WRITE_FOREVER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        while (line := proc.stdout.readline()) != f"writing {generation}\n":
            assert line, "the writer died"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)


@pytest.mark.slow
async def test_kill_9_in_the_middle_of_writes_leaves_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "fleet.sqlite3"
    with anyio.fail_after(60):
        await anyio.to_thread.run_sync(_kill_writer_during, path, 4)
    store = await open_store(f"sqlite:///{path}", account_id=ACCOUNT)
    try:
        loaded = await store.load()
        generation = int(loaded.meta["generation"])
        assert generation in (3, 4)
        assert len(loaded.rooms) == 5000
        assert {row.room.name.split("-")[0] for row in loaded.rooms.values()} == {f"g{generation}"}
        assert {reading.read_at for reading in loaded.devices.values()} == {float(generation)}
    finally:
        await store.close()
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()


_LEAD = """
import sys
import anyio
from zoom_rooms_mcp.store import open_store

async def main():
    store = await open_store("sqlite:///" + sys.argv[1], account_id="acct-1")
    lead = store.leadership()
    print("leader" if await lead.try_acquire() else "follower", flush=True)
    await anyio.to_thread.run_sync(sys.stdin.readline)
    await store.close()

anyio.run(main)
"""


def _start_candidate(path: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _LEAD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


@pytest.mark.slow
async def test_two_processes_one_leader_and_take_over_on_exit_or_kill(tmp_path: Path) -> None:
    path = tmp_path / "fleet.sqlite3"
    here = await open_store(f"sqlite:///{path}", account_id=ACCOUNT)
    lead = here.leadership()
    first, said = await anyio.to_thread.run_sync(_start_candidate, path)
    try:
        assert said == "leader"
        assert not await lead.try_acquire()
        second, said = await anyio.to_thread.run_sync(_start_candidate, path)
        assert said == "follower"
        second.communicate("\n", timeout=30)

        first.communicate("\n", timeout=30)  # the leader exits cleanly
        assert first.returncode == 0
        assert await lead.try_acquire()
        assert await lead.check()
        await lead.release()
        assert not await lead.check()

        third, said = await anyio.to_thread.run_sync(_start_candidate, path)
        assert said == "leader"
        third.send_signal(signal.SIGKILL)  # a crashed leader: the OS drops its lock
        third.wait(timeout=30)
        assert await lead.try_acquire()
    finally:
        for proc in (first,):
            proc.kill()
        await here.close()


@pytest.mark.slow
async def test_twenty_thousand_rooms_write_and_load_quickly_in_a_small_file(tmp_path: Path) -> None:
    n = 20_000
    devices = {
        f"r{i}": DeviceReading(
            (
                Device("Zoom Rooms Computer", "Online", "6.1.0", "Windows 11", "NUC 13", "Intel", "10.1.2.3", f"c-{i}"),
                Device("Controller", "Online", "6.1.0", "iPadOS 17", "iPad", "Apple", "10.1.2.4", f"t-{i}"),
            ),
            1000.0,
        )
        for i in range(n)
    }
    store = await open_store(None, account_id=ACCOUNT, data_dir=tmp_path)
    try:
        started = time.perf_counter()
        await store.write(Batch(rooms_upsert=rooms(n), devices=devices))
        wrote = time.perf_counter() - started
        started = time.perf_counter()
        loaded = await store.load()
        read = time.perf_counter() - started
    finally:
        await store.close()
    size = _size(tmp_path)
    print(f"20,000 rooms + devices: write {wrote:.2f} s, load {read:.2f} s, file {size / 1e6:.1f} MB")
    assert len(loaded.rooms) == n
    assert len(loaded.devices) == n
    # The target is well under 2 s each; the bound leaves room for a loaded CI machine.
    assert wrote < 4.0
    assert read < 4.0
    assert size < 100e6
