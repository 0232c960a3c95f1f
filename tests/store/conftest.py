"""Store fixtures: one behaviour suite over memory, SQLite and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pg import PgServer, pg_server_fixture
from zoom_rooms_mcp.store import SqlStore, open_store

ACCOUNT = "acct-1"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    yield from pg_server_fixture()


@dataclass
class Target:
    """Where a test's store lives; ``open()`` may be called again to get a second handle on it."""

    backend: str
    setting: str
    data_dir: Path

    async def open(self, account_id: str = ACCOUNT) -> SqlStore:
        return await open_store(self.setting, account_id=account_id, data_dir=self.data_dir)

    @property
    def shared(self) -> bool:
        """Whether two ``open()`` calls see the same data (not so for memory)."""
        return self.backend != "memory"


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    if request.param == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        return Target("postgresql", server.database(), tmp_path)
    if request.param == "sqlite":
        return Target("sqlite", "", tmp_path)
    return Target("memory", "memory", tmp_path)
