"""``serve --transport http`` as real processes: the bind rule, and two replicas sharing one token cache."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.cli.helpers import http_server, run_cli
from tests.harness import clean_env, sim_env
from zoom_rooms_mcp.simulator import Simulator, running_simulator

TOKEN = "replica-shared-token-0123456789"


def test_refuses_a_public_bind_without_a_token(tmp_path: Path) -> None:
    result = run_cli(
        "serve", "--transport", "http", "--host", "0.0.0.0", "--demo", env=clean_env(tmp_path), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "ZOOM_ROOMS_MCP_HTTP_TOKEN: required to listen on '0.0.0.0'" in result.stderr
    assert "Traceback" not in result.stderr


async def rooms_in(url: str, city: str) -> list[dict[str, object]]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    async with http, Client(streamable_http_client(url, http_client=http)) as client:
        result = await client.call_tool("get_zoom_rooms", {"location_query": city})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    rooms = result.structured_content["rooms"]
    assert isinstance(rooms, list)
    return rooms


@pytest.mark.anyio
@pytest.mark.slow
async def test_two_replicas_share_one_token(tmp_path: Path) -> None:
    sim = Simulator(rooms=60, seed=7)
    with running_simulator(sim) as base, ExitStack() as stack:
        env = sim_env(tmp_path, base, ZOOM_ROOMS_MCP_HTTP_TOKEN=TOKEN)
        servers = [stack.enter_context(http_server(env, tmp_path)) for _ in range(2)]
        (url_a, proc_a, log_a), (url_b, proc_b, log_b) = servers
        assert url_a != url_b
        results: dict[str, list[dict[str, object]]] = {}

        async def ask(url: str, city: str) -> None:
            results[f"{url} {city}"] = await rooms_in(url, city)

        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                for url in (url_a, url_b):
                    for city in ("Seattle", "Denver"):
                        tg.start_soon(ask, url, city)
        assert len(results) == 4
        assert all(rooms for rooms in results.values())
        assert results[f"{url_a} Seattle"] == results[f"{url_b} Seattle"]
        # Four concurrent calls across two processes: exactly one token request, thanks to the shared file cache.
        assert sim.stats.token_requests == 1
        assert (Path(env["TOKEN_CACHE_DIR"]) / "zoom_token_sim-account-0001.json").is_file()
        for proc in (proc_a, proc_b):
            proc.terminate()
        for proc, log in ((proc_a, log_a), (proc_b, log_b)):
            assert proc.wait(timeout=20) == 0  # SIGTERM: graceful shutdown, exit status 0
            text = "\n".join(log.rest())
            assert "Application shutdown complete" in text
            assert TOKEN not in text
            assert "Traceback" not in text
