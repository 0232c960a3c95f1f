"""Token lifecycle: memory → file → endpoint, single flight, the cache file's safety, endpoint errors."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import anyio
import httpx2
import pytest
from anyio import wait_all_tasks_blocked

from tests.conftest import FakeClock
from tests.zoom.fakes import ACCOUNT, CLIENT_ID, SECRET, TOKEN_URL, FakeZoom, token_manager, zoom_json
from zoom_rooms_mcp.zoom.errors import ZoomAuthError, ZoomNetworkError, ZoomResponseError, ZoomServerError
from zoom_rooms_mcp.zoom.token import AccessToken, TokenManager, client_fingerprint

pytestmark = pytest.mark.anyio


def manager(
    zoom: FakeZoom, cache_dir: Path | None, clock: FakeClock, *, client_id: str = CLIENT_ID, secret: str = SECRET
) -> TokenManager:
    http = httpx2.AsyncClient(transport=zoom.transport())
    return token_manager(http, cache_dir, client_id=client_id, secret=secret, clock=clock)


async def test_memory_then_file_then_endpoint(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    zoom = FakeZoom()
    first = manager(zoom, tmp_path, clock)
    r1 = await first.get_token()
    r2 = await first.get_token()
    assert (r1.source, r2.source) == ("endpoint", "memory")
    assert r1.token.expires_at == clock.now + 3600
    assert r1.token.scopes == frozenset({"room:read:admin"})
    # A second process (new manager, same directory) finds the token on disk.
    second = manager(zoom, tmp_path, clock)
    r3 = await second.get_token()
    assert r3.source == "file"
    assert r3.token.value == r1.token.value
    assert zoom.token_requests == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # e.g. no stale file lock


async def test_refreshes_five_minutes_before_expiry(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom()
    tokens = manager(zoom, tmp_path, clock)
    first = (await tokens.get_token()).token
    clock.advance(3600 - 301)
    assert (await tokens.get_token()).token == first
    clock.advance(2)  # now inside the 5-minute buffer: memory and file copies are both too old
    renewed = await tokens.get_token()
    assert renewed.source == "endpoint"
    assert renewed.token.value != first.value
    assert zoom.token_requests == 2


async def test_force_refresh_fetches_a_new_token(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom()
    tokens = manager(zoom, tmp_path, clock)
    first = (await tokens.get_token()).token
    forced = await tokens.get_token(force_refresh=True)
    assert forced.source == "endpoint"
    assert forced.token.value != first.value


async def test_fifty_concurrent_callers_make_one_request(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom(gate=anyio.Event())
    tokens = manager(zoom, tmp_path, clock)
    results: list[str] = []

    async def call() -> None:
        results.append((await tokens.get_token()).token.value)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(call)
            while zoom.token_requests == 0:  # the first caller is inside the token request …
                await wait_all_tasks_blocked()
            await wait_all_tasks_blocked()  # … and the other 49 are queued behind it
            assert zoom.gate is not None
            zoom.gate.set()
    assert zoom.token_requests == 1
    assert len(results) == 50
    assert len(set(results)) == 1


async def test_cache_file_is_private_atomic_and_holds_no_secret(tmp_path: Path, clock: FakeClock) -> None:
    cache = tmp_path / "cache"
    tokens = manager(FakeZoom(), cache, clock)
    token = (await tokens.get_token()).token
    path = cache / f"zoom_token_{ACCOUNT}.json"
    assert tokens.cache_path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    raw = path.read_text()
    assert SECRET not in raw
    assert CLIENT_ID not in raw  # only a fingerprint of it
    data = json.loads(raw)
    assert data["access_token"] == token.value
    assert data["expires_at"] == token.expires_at
    assert data["scopes"] == ["room:read:admin"]
    assert data["client_fingerprint"] == client_fingerprint(CLIENT_ID, TOKEN_URL)
    assert [p.name for p in cache.iterdir() if p.suffix == ".tmp"] == []  # no temp files left behind


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[]", b'{"version": 1}', b'{"version": 1, "access_token": "x", "expires_at": "soon"}'],
    ids=["garbage", "empty", "list", "missing-fields", "bad-expiry"],
)
async def test_corrupt_file_is_ignored_and_replaced(tmp_path: Path, clock: FakeClock, content: bytes) -> None:
    path = tmp_path / f"zoom_token_{ACCOUNT}.json"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, content)
    os.close(fd)
    zoom = FakeZoom()
    result = await manager(zoom, tmp_path, clock).get_token()
    assert result.source == "endpoint"
    assert json.loads(path.read_text())["access_token"] == result.token.value


async def test_file_of_another_client_or_expired_is_ignored(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom()
    await manager(zoom, tmp_path, clock).get_token()
    other_app = manager(zoom, tmp_path, clock, client_id="someone-else")
    # The other app cannot fetch (fake Zoom rejects its id), proving it did not take our cached token.
    with pytest.raises(ZoomAuthError):
        await other_app.get_token()
    clock.advance(3600)
    fresh = await manager(zoom, tmp_path, clock).get_token()
    assert fresh.source == "endpoint"


async def test_loosely_permissioned_file_is_not_trusted(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom()
    await manager(zoom, tmp_path, clock).get_token()
    path = tmp_path / f"zoom_token_{ACCOUNT}.json"
    path.chmod(0o644)
    result = await manager(zoom, tmp_path, clock).get_token()
    assert result.source == "endpoint"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_symlink_is_never_followed(tmp_path: Path, clock: FakeClock) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    link = cache / f"zoom_token_{ACCOUNT}.json"
    link.symlink_to(victim)
    result = await manager(FakeZoom(), cache, clock).get_token()
    assert result.source == "endpoint"
    assert victim.read_text() == "do not touch"
    assert not link.is_symlink()  # replaced by a regular private file
    assert stat.S_IMODE(link.stat().st_mode) == 0o600


async def test_unwritable_directory_means_memory_only_with_one_warning(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    zoom = FakeZoom()
    with caplog.at_level(logging.WARNING):
        tokens = manager(zoom, blocker / "cache", clock)
        await tokens.get_token()
        assert (await tokens.get_token()).source == "memory"
    assert tokens.cache_path is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "memory only" in warnings[0].getMessage()
    assert zoom.token_requests == 1


async def test_invalidate_clears_memory_and_file_only_for_the_rejected_token(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom()
    tokens = manager(zoom, tmp_path, clock)
    old = (await tokens.get_token()).token
    await tokens.invalidate(old)
    assert not (tmp_path / f"zoom_token_{ACCOUNT}.json").exists()
    new = (await tokens.get_token()).token
    # A late invalidation of the old token (another caller's 401) must not throw away the new one.
    await tokens.invalidate(old)
    assert (await tokens.get_token()).token == new
    assert (tmp_path / f"zoom_token_{ACCOUNT}.json").exists()
    await tokens.invalidate(AccessToken(value="unrelated", expires_at=0, scopes=frozenset()))
    assert (await tokens.get_token()).source == "memory"


async def test_clear_deletes_the_file(tmp_path: Path, clock: FakeClock) -> None:
    tokens = manager(FakeZoom(), tmp_path, clock)
    await tokens.get_token()
    assert await tokens.clear() is True
    assert tokens.read_cache_file() is None
    assert await tokens.clear() is False


@pytest.mark.parametrize(
    ("body", "fix"),
    [
        (
            {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
            "ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET",
        ),
        ({"reason": "Bad Request", "error": "invalid_request"}, "ZOOM_ACCOUNT_ID"),
        ({"reason": "unsupported grant type", "error": "unsupported_grant_type"}, "Server-to-Server OAuth app"),
        ({"reason": "<script>x</script>", "error": "weird\nerror"}, "HTTP 400"),
    ],
)
async def test_token_endpoint_errors_say_what_to_fix(
    tmp_path: Path, clock: FakeClock, body: dict[str, str], fix: str
) -> None:
    zoom = FakeZoom(token_script=[zoom_json(400, body)])
    with pytest.raises(ZoomAuthError) as info:
        await manager(zoom, tmp_path, clock).get_token()
    assert fix in info.value.message
    assert "<script>" not in info.value.message
    assert "\n" not in info.value.message
    assert zoom.token_requests == 1  # credential errors are not retried


async def test_wrong_secret_is_reported_without_leaking_it(tmp_path: Path, clock: FakeClock) -> None:
    with pytest.raises(ZoomAuthError) as info:
        await manager(FakeZoom(), tmp_path, clock, secret="wrong-secret").get_token()
    assert "wrong-secret" not in str(info.value)


@pytest.mark.parametrize(
    ("replies", "error"),
    [
        ([zoom_json(500, {})] * 3, ZoomServerError),
        ([httpx2.Response(502, content=b"<html>bad gateway</html>")] * 3, ZoomServerError),
        ([httpx2.Response(200, content=b"<html>captive portal</html>")] * 3, ZoomResponseError),
        ([zoom_json(200, {"token_type": "bearer"})] * 3, ZoomResponseError),
        ([httpx2.ConnectTimeout("slow")] * 3, ZoomNetworkError),
        ([httpx2.ConnectError("refused")] * 3, ZoomNetworkError),
    ],
    ids=["500", "html-502", "html-200", "no-token", "timeout", "refused"],
)
async def test_transient_token_failures_are_retried_then_reported(
    tmp_path: Path, clock: FakeClock, replies: list[object], error: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anyio, "sleep", clock.sleep)
    zoom = FakeZoom(token_script=list(replies))  # type: ignore[arg-type]
    with pytest.raises(error) as info:
        await manager(zoom, tmp_path, clock).get_token()
    assert zoom.token_requests == 3
    assert "<html>" not in info.value.args[0]
    assert clock.sleeps == [0.5, 1.0]


async def test_transient_token_failure_then_success(tmp_path: Path, clock: FakeClock, monkeypatch) -> None:
    monkeypatch.setattr(anyio, "sleep", clock.sleep)
    zoom = FakeZoom(token_script=[zoom_json(503, {})])
    assert (await manager(zoom, tmp_path, clock).get_token()).source == "endpoint"
    assert zoom.token_requests == 2
