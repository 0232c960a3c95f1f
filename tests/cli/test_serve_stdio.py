"""``zoom-rooms-mcp`` with no sub-command serves MCP over stdio: a real client session against the process."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.harness import clean_env

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("args", "extra_env"),
    [(["--demo"], {}), ([], {"ZOOM_ROOMS_DEMO": "1"})],
    ids=["--demo", "ZOOM_ROOMS_DEMO=1"],
)
async def test_default_command_serves_stdio(tmp_path: Path, args: list[str], extra_env: dict[str, str]) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "zoom_rooms_mcp", *args],
        env=clean_env(tmp_path, **extra_env),
        cwd=tmp_path,
    )
    errors = (tmp_path / "stderr.log").open("w+", encoding="utf-8")
    with errors, anyio.fail_after(60):
        async with Client(stdio_client(params, errlog=errors)) as client:  # stray stdout bytes would break it
            names = {tool.name for tool in (await client.list_tools()).tools}
            result = await client.call_tool("resolve_location", {"query": "Munchen"})
        errors.seek(0)
        log = errors.read()
    assert "get_zoom_rooms" in names
    assert result.structured_content is not None
    assert result.structured_content["status"] in ("exact", "fuzzy")
    assert "München" in result.structured_content["locations"][0]["path"]
    assert "Traceback" not in log
    assert "WARNING" not in log  # stdio logs at WARNING by default: a clean start logs nothing
