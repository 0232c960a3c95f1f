"""A real, throwaway PostgreSQL server for tests: initdb + pg_ctl in a temporary directory.

PostgreSQL refuses to run as root, so when the tests run as root (CI, this machine) the server's
processes run as ``nobody`` (``subprocess`` ``user=``/``group=``), in a directory handed to that user.
It listens on a free loopback port and a unix socket inside the directory; ``trust`` authentication is
enough there. Tests skip, naming the reason, only when no PostgreSQL binaries exist (``.ci/run``
installs Debian's ``postgresql`` package).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
import pytest

_UNPRIVILEGED = 65534  # nobody / nogroup


def find_pg_bin() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: from PATH, else Debian's versioned directories."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name, reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One cluster; ``database()`` hands each test its own fresh database."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="zrm-pg-"))
        self.data = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.socket_dir.mkdir()
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            for path in (self.base, self.socket_dir):
                os.chown(path, _UNPRIVILEGED, _UNPRIVILEGED)
        self._names = itertools.count(1)

    def _run(self, args: Sequence[str]) -> None:
        kwargs: dict[str, object] = {}
        if self._as_root:
            kwargs = {"user": _UNPRIVILEGED, "group": _UNPRIVILEGED, "extra_groups": []}
        result = subprocess.run(
            list(args),
            cwd=self.base,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "TZ": "UTC"},
            capture_output=True,
            text=True,
            timeout=120,
            **kwargs,  # type: ignore[call-overload]
        )
        if result.returncode:
            log = (self.base / "server.log").read_text() if (self.base / "server.log").exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr}\n{log[-2000:]}")

    def init(self) -> None:
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c full_page_writes=off -c synchronous_commit=off -c max_connections=100"
        )
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.base / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )

    def stop(self) -> None:
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"])

    def restart(self) -> None:
        # Not ``pg_ctl restart``: it forgets ``-l``, and a postmaster writing to our pipe never lets ``run`` return.
        self.stop()
        self.start()

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True)

    def database(self) -> str:
        """A new empty database; its ``postgresql://`` URL."""
        name = f"t{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def cleanup(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def pg_server_fixture() -> Iterator[PgServer]:
    """Body of a session-scoped fixture: start a server for the session, stop and remove it after."""
    bindir = find_pg_bin()
    if bindir is None:
        reason = "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin)"
        if os.environ.get("REQUIRE_POSTGRES"):  # CI installed it: a skip there would hide a broken install
            pytest.fail(reason)
        pytest.skip(reason)
    server = PgServer(bindir)
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()
