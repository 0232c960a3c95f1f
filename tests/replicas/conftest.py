"""A real PostgreSQL server for the replica tests (started by the suite itself, see tests/pg.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg import PgServer, pg_server_fixture


@pytest.fixture(scope="session")
def replicas_pg() -> Iterator[PgServer]:
    # Its own cluster: these tests stop and restart it.
    yield from pg_server_fixture()
