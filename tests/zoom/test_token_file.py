"""The token cache file keyed to the credentials, described by ``inspect()``, and safe against odd files."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from pydantic import SecretStr

from tests.conftest import FakeClock
from tests.zoom.fakes import ACCOUNT, CLIENT_ID, SECRET, TOKEN_URL, FakeZoom, token_manager, zoom_json
from zoom_rooms_mcp.zoom.errors import ZoomAuthError, ZoomNetworkError
from zoom_rooms_mcp.zoom.token import (
    LOCK_DIR_NAME,
    AccessToken,
    Credentials,
    TokenFile,
    TokenFileProblem,
    TokenManager,
    worst_case_fetch_seconds,
)

pytestmark = pytest.mark.anyio


def _file(directory: Path, *, client_id: str = CLIENT_ID, secret: str = SECRET) -> TokenFile:
    return TokenFile(directory, ACCOUNT, Credentials(TOKEN_URL, client_id, SecretStr(secret)))


def _manager(zoom: FakeZoom, cache_dir: Path, clock: FakeClock, *, secret: str = SECRET) -> TokenManager:
    return token_manager(httpx2.AsyncClient(transport=zoom.transport()), cache_dir, secret=secret, clock=clock)


def _cache_path(directory: Path) -> Path:
    return directory / f"zoom_token_{ACCOUNT}.json"


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def test_a_token_made_with_another_secret_is_not_used(tmp_path: Path, clock: FakeClock) -> None:
    """Regression (issue 14): the file was keyed to the client id only, so after the secret was rotated the
    old token kept working from the cache while `check` (a fresh token) said invalid_client."""
    old = _file(tmp_path, secret="the-secret-before-rotation")
    old.prepare()
    old.write(AccessToken("tok-old", clock.now + 3600, frozenset({"room:read:admin"})))
    zoom = FakeZoom()
    result = await _manager(zoom, tmp_path, clock).get_token()
    assert result.source == "endpoint"
    assert result.token.value == "tok-1"
    info = _file(tmp_path).inspect(clock.now)
    assert info.valid
    assert info.current_credentials is True


async def test_a_wrong_secret_fails_at_once_instead_of_using_the_cached_token(tmp_path: Path, clock: FakeClock) -> None:
    zoom = FakeZoom()
    await _manager(zoom, tmp_path, clock).get_token()
    with pytest.raises(ZoomAuthError) as info:
        await _manager(zoom, tmp_path, clock, secret="typo-in-the-secret").get_token()
    assert info.value.oauth_error == "invalid_client"
    assert zoom.token_requests == 2
    # The good token stays for the right credentials.
    assert (await _manager(zoom, tmp_path, clock).get_token()).source == "file"


async def test_the_file_holds_a_salted_hash_never_the_secret(tmp_path: Path, clock: FakeClock) -> None:
    tokens = _manager(FakeZoom(), tmp_path, clock)
    await tokens.get_token()
    first = json.loads(_cache_path(tmp_path).read_text())
    await tokens.get_token(force_refresh=True)
    second = json.loads(_cache_path(tmp_path).read_text())
    raw = _cache_path(tmp_path).read_text()
    assert SECRET not in raw
    assert CLIENT_ID not in raw
    assert hashlib.sha256(SECRET.encode()).hexdigest() not in raw
    assert first["version"] == second["version"] == 2
    assert len(bytes.fromhex(first["secret_salt"])) == 16
    assert first["secret_salt"] != second["secret_salt"]  # a random salt per file
    assert first["secret_fingerprint"] != second["secret_fingerprint"]


async def test_a_file_of_the_previous_format_is_replaced(tmp_path: Path, clock: FakeClock) -> None:
    path = _cache_path(tmp_path)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, json.dumps({"version": 1, "access_token": "v1", "expires_at": clock.now + 3600}).encode())
    os.close(fd)
    assert _file(tmp_path).inspect(clock.now).problem is TokenFileProblem.OLD_FORMAT
    assert (await _manager(FakeZoom(), tmp_path, clock).get_token()).source == "endpoint"


@pytest.fixture
def fifo_rescuer(tmp_path: Path) -> Iterator[tuple[Path, threading.Event, list[bool]]]:
    """A FIFO at the token path, and a thread that unblocks a reader stuck on it after 3 s (so that the old,
    blocking code fails this test instead of hanging the run)."""
    path = _cache_path(tmp_path)
    os.mkfifo(path, 0o600)
    done, rescued = threading.Event(), [False]

    def rescue() -> None:
        if not done.wait(3):
            rescued[0] = True
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)

    thread = threading.Thread(target=rescue, daemon=True)
    thread.start()
    yield path, done, rescued
    done.set()
    thread.join(5)


async def test_a_fifo_at_the_token_path_never_blocks(
    tmp_path: Path, clock: FakeClock, fifo_rescuer: tuple[Path, threading.Event, list[bool]]
) -> None:
    path, done, rescued = fifo_rescuer
    info = _file(tmp_path).inspect(clock.now)
    assert info.exists
    assert info.regular_file is False
    assert info.problem is TokenFileProblem.NOT_REGULAR
    started = time.monotonic()
    result = await _manager(FakeZoom(), tmp_path, clock).get_token()
    done.set()
    assert rescued == [False], "the server blocked opening the FIFO"
    assert time.monotonic() - started < 2
    assert result.source == "endpoint"
    assert stat.S_ISREG(path.lstat().st_mode)  # replaced by a private regular file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_rejected_token_whose_file_cannot_be_deleted_is_never_read_back(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    zoom = FakeZoom()
    tokens = _manager(zoom, tmp_path, clock)
    rejected = (await tokens.get_token()).token
    real_unlink = os.unlink

    def refuse(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if Path(path) == _cache_path(tmp_path):
            raise PermissionError(13, "Permission denied")
        real_unlink(path)

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Read-only file system")

    # As in a directory that turned read-only: the file can be neither deleted nor replaced.
    monkeypatch.setattr(os, "unlink", refuse)
    monkeypatch.setattr(os, "replace", read_only)
    await tokens.invalidate(rejected)
    assert _cache_path(tmp_path).exists()  # still there: it could not be deleted …
    info = tokens.inspect_cache()
    assert info is not None
    assert info.problem is TokenFileProblem.REJECTED  # … but it is known to be bad
    assert not info.valid
    fresh = await tokens.get_token()
    assert fresh.source == "endpoint"
    assert fresh.token.value != rejected.value
    assert zoom.token_requests == 2


async def test_no_lock_file_is_left_beside_the_token_file_after_a_failed_fetch(
    tmp_path: Path, clock: FakeClock
) -> None:
    zoom = FakeZoom(token_script=[zoom_json(400, {"error": "invalid_client"})])
    with pytest.raises(ZoomAuthError):
        await _manager(zoom, tmp_path, clock).get_token()
    assert _names(tmp_path) == [LOCK_DIR_NAME]
    await _manager(zoom, tmp_path, clock).get_token()
    assert _names(tmp_path) == [LOCK_DIR_NAME, _cache_path(tmp_path).name]
    # The one documented place: one lock per account, private.
    locks = tmp_path / LOCK_DIR_NAME
    assert _names(locks) == [f"zoom_token_{ACCOUNT}.lock"]
    assert stat.S_IMODE(locks.stat().st_mode) == 0o700


async def test_a_lock_file_left_by_an_earlier_release_is_removed(tmp_path: Path, clock: FakeClock) -> None:
    legacy = tmp_path / f"zoom_token_{ACCOUNT}.json.lock"
    legacy.write_text("")
    _manager(FakeZoom(), tmp_path, clock)
    assert not legacy.exists()


def test_the_lock_waits_longer_than_the_worst_case_fetch() -> None:
    """Regression: the lock waited 30 s while a fetch could take 3 × 20 s + 1.5 s, so a second process
    gave up and fetched its own token."""
    assert worst_case_fetch_seconds() == pytest.approx(3 * 20 + 0.5 + 1.0)
    tokens = TokenManager(
        http=httpx2.AsyncClient(),
        token_url=TOKEN_URL,
        account_id=ACCOUNT,
        client_id=CLIENT_ID,
        client_secret=SecretStr(SECRET),
        cache_dir=None,
        request_timeout=30,
        attempts=4,
    )
    assert tokens.worst_case_fetch == pytest.approx(4 * 30 + 0.5 + 1 + 2)
    assert tokens.lock_timeout > tokens.worst_case_fetch


async def test_each_token_attempt_has_a_hard_deadline(tmp_path: Path, clock: FakeClock) -> None:
    """The worst case holds even when the endpoint never answers (no httpx timeout configured at all)."""
    attempts = 0

    async def never(request: httpx2.Request) -> httpx2.Response:
        nonlocal attempts
        attempts += 1
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    tokens = TokenManager(
        http=httpx2.AsyncClient(transport=httpx2.MockTransport(never)),
        token_url=TOKEN_URL,
        account_id=ACCOUNT,
        client_id=CLIENT_ID,
        client_secret=SecretStr(SECRET),
        cache_dir=tmp_path,
        clock=clock,
        request_timeout=0.2,
        attempts=2,
        retry_delay=0.01,
    )
    started = time.monotonic()
    with anyio.fail_after(5), pytest.raises(ZoomNetworkError, match="Timed out"):
        await tokens.get_token()
    assert attempts == 2
    assert time.monotonic() - started < tokens.worst_case_fetch + 1


async def test_inspect_describes_the_file_without_secrets(tmp_path: Path, clock: FakeClock) -> None:
    file = _file(tmp_path)
    missing = file.inspect(clock.now)
    assert (missing.exists, missing.valid, missing.problem) == (False, False, None)
    tokens = _manager(FakeZoom(scopes="room:read:admin dashboard_zr:read:admin"), tmp_path, clock)
    token = (await tokens.get_token()).token
    info = file.inspect(clock.now)
    assert info.valid
    assert info.problem is None
    assert info.regular_file is True
    assert info.mode == 0o600
    assert info.private is True
    assert info.current_credentials is True
    assert info.scopes == ("dashboard_zr:read:admin", "room:read:admin")
    assert info.expires_at is not None
    assert info.expires_at.timestamp() == token.expires_at
    as_json = json.dumps(info.to_json())
    assert token.value not in as_json
    assert SECRET not in as_json
    assert json.loads(as_json)["mode"] == "0600"

    assert _file(tmp_path, secret="other").inspect(clock.now).problem is TokenFileProblem.OTHER_SECRET
    unknown_secret = _file(tmp_path, secret="").inspect(clock.now)  # the `token` command has no secret
    assert (unknown_secret.valid, unknown_secret.current_credentials) == (True, None)
    assert _file(tmp_path, secret="").read(clock.now) is None  # … but a token is only ever used once verified
    other_client = _file(tmp_path, client_id="other-app").inspect(clock.now)
    assert other_client.problem is TokenFileProblem.OTHER_CLIENT
    assert other_client.current_credentials is False
    assert file.inspect(clock.now + 3600 - 200).problem is TokenFileProblem.EXPIRING
    assert file.inspect(clock.now + 3600).problem is TokenFileProblem.EXPIRED
    _cache_path(tmp_path).chmod(0o640)
    loose = file.inspect(clock.now)
    assert (loose.problem, loose.private, loose.valid) == (TokenFileProblem.NOT_PRIVATE, False, False)


async def test_inspect_never_follows_a_symlink(tmp_path: Path, clock: FakeClock) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text("{}")
    _cache_path(tmp_path).symlink_to(victim)
    info = _file(tmp_path).inspect(clock.now)
    assert (info.exists, info.problem, info.regular_file) == (True, TokenFileProblem.SYMLINK, None)
    assert TokenFileProblem.SYMLINK.description.startswith("the path is a symlink")
