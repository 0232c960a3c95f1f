"""``open_zoom_stack``: one HTTP client, token manager, pacer and client, built from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from tests.zoom.fakes import ACCOUNT, API, CLIENT_ID, SECRET, TOKEN_URL, FakeZoom
from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.zoom.catalog import Category
from zoom_rooms_mcp.zoom.errors import ZoomRequestError
from zoom_rooms_mcp.zoom.stack import TIMEOUT, USER_AGENT, inspect_token_file, open_zoom_stack, token_file
from zoom_rooms_mcp.zoom.token import TokenFileProblem

pytestmark = pytest.mark.anyio


def settings(cache_dir: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "zoom_account_id": ACCOUNT,
        "zoom_client_id": CLIENT_ID,
        "zoom_client_secret": SecretStr(SECRET),
        "zoom_api_base_url": API,
        "zoom_oauth_token_url": TOKEN_URL,
        "zoom_api_plan": "business",
        "token_cache_dir": cache_dir,
        "zoom_rooms_sync_share": 0.3,
        **changes,
    }
    return Settings(_env_file=None, **values)


async def test_the_stack_is_wired_from_the_settings(tmp_path: Path) -> None:
    zoom = FakeZoom()
    config = settings(tmp_path)
    assert inspect_token_file(config).exists is False
    async with open_zoom_stack(config, transport=zoom.transport(), rate_scale=2) as stack:
        assert (await stack.client.get("list_rooms"))["ok"] is True
        assert stack.client.http is stack.http
        assert stack.settings is config
        assert stack.tokens.cache_path == token_file(config).path
        assert stack.pacer.plan == "business"
        assert stack.pacer.rate(Category.MEDIUM) == pytest.approx(60 * 2 * 0.85)
        assert stack.pacer.category(Category.MEDIUM).sync_share == 0.3
        assert stack.http.timeout == TIMEOUT
        assert stack.tokens.lock_timeout > stack.tokens.worst_case_fetch
    assert stack.http.is_closed
    request = zoom.api_calls[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert __version__ in USER_AGENT
    info = inspect_token_file(config)
    assert info.valid
    assert info.current_credentials is True
    wrong = inspect_token_file(config.model_copy(update={"zoom_client_secret": SecretStr("rotated")}))
    assert wrong.problem is TokenFileProblem.OTHER_SECRET


@pytest.mark.parametrize(
    ("changes", "cache_dir", "cached"),
    [({}, None, False), ({"zoom_rooms_demo": True}, "default", False), ({}, "default", True)],
    ids=["memory-only", "demo", "from-settings"],
)
async def test_token_cache_location(
    tmp_path: Path, changes: dict[str, object], cache_dir: str | None, cached: bool
) -> None:
    config = settings(tmp_path, **changes)
    zoom = FakeZoom()
    if cache_dir == "default":
        opened = open_zoom_stack(config, transport=zoom.transport())
    else:
        opened = open_zoom_stack(config, transport=zoom.transport(), cache_dir=None)
    async with opened as stack:
        await stack.client.get("list_rooms")
        assert (stack.tokens.cache_path is not None) is cached
    assert token_file(config).path.exists() is cached


async def test_the_stack_never_follows_redirects(tmp_path: Path) -> None:
    def redirect(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(302, headers={"Location": "https://evil.example/"})

    zoom = FakeZoom(api_default=redirect)
    async with open_zoom_stack(settings(tmp_path), transport=zoom.transport(), cache_dir=None) as stack:
        with pytest.raises(ZoomRequestError, match="HTTP 302"):
            await stack.client.get("list_rooms")
    assert [str(r.url.host) for r in zoom.api_calls] == ["api.zoom.test"]
