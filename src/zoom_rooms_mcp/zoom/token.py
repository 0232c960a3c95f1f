"""Server-to-Server OAuth token lifecycle (DESIGN §4): memory → file → token endpoint.

* Single flight: one ``anyio.Lock`` serialises callers in this process, and a file lock beside the
  cache file serialises processes that share ``TOKEN_CACHE_DIR``; whoever gets the lock second
  finds the token the first one wrote, so N callers cost one token request.
* The cache file is created 0600 (``os.open`` with the mode, never chmod afterwards), written to a
  temp file and renamed into place, and opened with ``O_NOFOLLOW`` so a planted symlink is never
  followed. Corrupt, foreign-client, loosely-permissioned or expired files are ignored and replaced.
* An unwritable cache directory degrades to memory-only caching with one warning.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import anyio
import anyio.to_thread
import httpx2
from filelock import FileLock, Timeout
from pydantic import SecretStr

from zoom_rooms_mcp.zoom.errors import (
    ZoomAuthError,
    ZoomError,
    ZoomNetworkError,
    ZoomResponseError,
    ZoomServerError,
    sanitize,
)

log = logging.getLogger(__name__)

REFRESH_BUFFER_SECONDS = 300
FILE_VERSION = 1
TokenSource = Literal["memory", "file", "endpoint"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float
    scopes: frozenset[str]

    def usable(self, now: float, buffer: float = REFRESH_BUFFER_SECONDS) -> bool:
        return now < self.expires_at - buffer


@dataclass(frozen=True, slots=True)
class TokenResult:
    token: AccessToken
    source: TokenSource

    @property
    def cached(self) -> bool:
        return self.source != "endpoint"


# Token-endpoint "error" values → what the operator should fix (REFERENCE §1.4).
OAUTH_ERROR_HINTS = {
    "invalid_client": "Zoom rejected the client credentials: check ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET "
    "(Zoom Marketplace → your Server-to-Server OAuth app → App Credentials).",
    "invalid_request": "Zoom rejected the token request: check ZOOM_ACCOUNT_ID "
    "(Zoom Marketplace → your Server-to-Server OAuth app → App Credentials → Account ID).",
    "unsupported_grant_type": "Zoom refused the account_credentials grant: the app must be a "
    "Server-to-Server OAuth app (not a General/OAuth or JWT app).",
    "access_denied": "Zoom denied the token request: the app may be deactivated; activate it in the Zoom Marketplace.",
}


def client_fingerprint(client_id: str, token_url: str) -> str:
    """Identifies which app (and which Zoom cloud) a cached token belongs to, without storing the id."""
    return hashlib.sha256(f"{token_url}\n{client_id}".encode()).hexdigest()[:32]


class TokenFile:
    """The on-disk cache: ``TOKEN_CACHE_DIR/zoom_token_{account_id}.json`` plus a ``.lock`` beside it."""

    def __init__(self, directory: Path, account_id: str, fingerprint: str) -> None:
        safe_account = "".join(c if c.isalnum() or c in "-_" else "_" for c in account_id)[:64]
        self.directory = directory
        self.path = directory / f"zoom_token_{safe_account}.json"
        # Not thread-local: it is acquired in a worker thread and released on the event loop's thread.
        self.lock = FileLock(str(self.path) + ".lock", mode=0o600, thread_local=False)
        self.fingerprint = fingerprint

    def prepare(self) -> None:
        """Create the directory (0700) and check that we can write there; raises OSError if not."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=self.directory, prefix=".probe-", delete=True)  # noqa: SIM115
        probe.close()

    def read(self, now: float) -> AccessToken | None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ELOOP):
                log.warning("Ignoring unreadable token cache file %s (%s)", self.path, exc.strerror)
            elif exc.errno == errno.ELOOP:
                log.warning("Ignoring token cache path %s: it is a symlink", self.path)
            return None
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_size > 64_000:
                log.warning("Ignoring token cache file %s: not a private regular file", self.path)
                return None
            raw = fh.read()
        try:
            data = json.loads(raw)
            token = AccessToken(
                value=str(data["access_token"]),
                expires_at=float(data["expires_at"]),
                scopes=frozenset(str(s) for s in data.get("scopes", [])),
            )
            if data.get("version") != FILE_VERSION or data.get("client_fingerprint") != self.fingerprint:
                return None
        except (ValueError, KeyError, TypeError):
            log.warning("Ignoring corrupt token cache file %s", self.path)
            return None
        return token if token.usable(now) and token.value else None

    def write(self, token: AccessToken) -> None:
        payload = json.dumps(
            {
                "version": FILE_VERSION,
                "access_token": token.value,
                "expires_at": token.expires_at,
                "scopes": sorted(token.scopes),
                "client_fingerprint": self.fingerprint,
            }
        ).encode()
        # A fresh, randomly named temp file created 0600 and exclusively: nothing can pre-create it or
        # read it before the rename, and rename replaces a symlink at the target rather than following it.
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".zoom_token_", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def remove_if(self, value: str | None) -> None:
        """Delete the file, but only if it still holds ``value`` (None: unconditionally)."""
        if value is not None:
            current = self.read(now=0.0)
            if current is not None and current.value != value:
                return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class TokenManager:
    """Hands out a valid access token, fetching one only when memory and file have none."""

    def __init__(
        self,
        *,
        http: httpx2.AsyncClient,
        token_url: str,
        account_id: str,
        client_id: str,
        client_secret: SecretStr,
        cache_dir: Path | None,
        clock: Callable[[], float] = time.time,
        refresh_buffer: float = REFRESH_BUFFER_SECONDS,
        lock_timeout: float = 30.0,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._account_id = account_id
        self._client_id = client_id
        self._secret = client_secret
        self._clock = clock
        self._buffer = refresh_buffer
        self._lock_timeout = lock_timeout
        self._lock = anyio.Lock()
        self._memory: AccessToken | None = None
        self._file: TokenFile | None = None
        self.token_requests = 0
        self.last_source: TokenSource | None = None
        if cache_dir is not None:
            candidate = TokenFile(cache_dir, account_id, client_fingerprint(client_id, token_url))
            try:
                candidate.prepare()
                self._file = candidate
            except OSError as exc:
                log.warning(
                    "Token cache directory %s is not writable (%s); caching tokens in memory only.",
                    cache_dir,
                    exc.strerror or exc.__class__.__name__,
                )

    @property
    def cache_path(self) -> Path | None:
        return self._file.path if self._file else None

    @property
    def cached_token(self) -> AccessToken | None:
        return self._memory

    async def get_token(self, *, force_refresh: bool = False) -> TokenResult:
        now = self._clock()
        memory = self._memory
        if not force_refresh and memory is not None and memory.usable(now, self._buffer):
            self.last_source = "memory"
            return TokenResult(memory, "memory")
        async with self._lock:
            # Someone may have fetched while we waited for the lock; a forced refresh is satisfied by
            # any token newer than the one that was current when it was asked for.
            current = self._memory
            if (
                current is not None
                and (not force_refresh or current is not memory)
                and current.usable(self._clock(), self._buffer)
            ):
                self.last_source = "memory"
                return TokenResult(current, "memory")
            async with self._file_lock() as file:
                if file is not None and not force_refresh:
                    from_file = file.read(self._clock())
                    if from_file is not None and from_file.usable(self._clock(), self._buffer):
                        self._memory = from_file
                        self.last_source = "file"
                        return TokenResult(from_file, "file")
                token = await self._request_token()
                self._memory = token
                if file is not None:
                    self._store(file, token)
                self.last_source = "endpoint"
                return TokenResult(token, "endpoint")

    async def invalidate(self, token: AccessToken | None = None) -> None:
        """Forget a token Zoom rejected, in memory and on disk (only if it is still the current one)."""
        async with self._lock:
            if token is None or self._memory is None or self._memory.value == token.value:
                self._memory = None
            async with self._file_lock() as file:
                if file is not None:
                    try:
                        file.remove_if(token.value if token else None)
                    except OSError as exc:
                        log.warning("Could not delete token cache file (%s)", exc.strerror)

    async def clear(self) -> bool:
        """Delete any cached token (``token --clear``); returns whether a file existed."""
        existed = bool(self._file and self._file.path.exists())
        await self.invalidate(None)
        return existed

    def seconds_left(self, token: AccessToken) -> int:
        return max(0, int(token.expires_at - self._clock()))

    def read_cache_file(self) -> AccessToken | None:
        """The token currently on disk, if valid (for ``token`` status output)."""
        return self._file.read(self._clock()) if self._file else None

    def _store(self, file: TokenFile, token: AccessToken) -> None:
        try:
            file.write(token)
        except OSError as exc:
            log.warning("Could not write token cache file (%s); continuing with memory only.", exc.strerror)
            self._file = None

    @contextlib.asynccontextmanager
    async def _file_lock(self) -> AsyncIterator[TokenFile | None]:
        file = self._file
        if file is None:
            yield None
            return
        try:
            # filelock blocks; wait in a worker thread so the event loop keeps serving other calls.
            await anyio.to_thread.run_sync(lambda: file.lock.acquire(timeout=self._lock_timeout))
        except Timeout:
            log.warning(
                "Token cache lock %s busy for %.0fs; fetching without it.", file.lock.lock_file, self._lock_timeout
            )
            yield file
            return
        except OSError as exc:
            log.warning("Cannot lock token cache (%s); caching tokens in memory only.", exc.strerror)
            self._file = None
            yield None
            return
        try:
            yield file
        finally:
            file.lock.release()

    async def _request_token(self) -> AccessToken:
        attempts = 3
        delay = 0.5
        last_error: ZoomError | None = None
        for attempt in range(1, attempts + 1):
            try:
                return await self._request_token_once()
            except (ZoomServerError, ZoomNetworkError, ZoomResponseError) as exc:
                last_error = exc
                if attempt < attempts:
                    log.info("Token request failed (%s); retrying in %.1fs", exc.message, delay)
                    await anyio.sleep(delay)
                    delay *= 2
        assert last_error is not None
        raise last_error

    async def _request_token_once(self) -> AccessToken:
        self.token_requests += 1
        sent_at = self._clock()
        try:
            response = await self._http.post(
                self._token_url,
                data={"grant_type": "account_credentials", "account_id": self._account_id},
                auth=httpx2.BasicAuth(self._client_id, self._secret.get_secret_value()),
                headers={"Accept": "application/json"},
            )
            body = response.content
        except httpx2.TimeoutException:
            raise ZoomNetworkError(f"Timed out requesting a token from {_host(self._token_url)}.") from None
        except httpx2.TransportError as exc:
            raise ZoomNetworkError(
                f"Could not reach the Zoom token endpoint {_host(self._token_url)} ({exc.__class__.__name__}); "
                "check the network, proxy settings and ZOOM_OAUTH_TOKEN_URL."
            ) from None
        status = response.status_code
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if status >= 500:
            raise ZoomServerError(f"The Zoom token endpoint answered HTTP {status}.", status=status)
        if not isinstance(data, dict):
            raise ZoomResponseError(
                f"The Zoom token endpoint answered HTTP {status} with a body that is not JSON; "
                "check ZOOM_OAUTH_TOKEN_URL.",
                status=status,
            )
        if status != 200:
            error = str(data.get("error", ""))
            hint = OAUTH_ERROR_HINTS.get(error)
            if hint is None:
                hint = f"Zoom refused the token request (HTTP {status}, {sanitize(error or data.get('reason'), 60)})."
            raise ZoomAuthError(hint, status=status, oauth_error=sanitize(error, 40) or None)
        token_value = data.get("access_token")
        expires_in = data.get("expires_in", 3600)
        if not isinstance(token_value, str) or not token_value or not isinstance(expires_in, int | float):
            raise ZoomResponseError("The Zoom token endpoint answered 200 without a usable access_token.", status=200)
        scope_text = data.get("scope", "")
        scopes = frozenset(scope_text.split()) if isinstance(scope_text, str) else frozenset()
        log.info("Obtained a new Zoom access token (expires in %ss, %d scopes)", int(expires_in), len(scopes))
        return AccessToken(value=token_value, expires_at=sent_at + float(expires_in), scopes=scopes)


def _host(url: str) -> str:
    return httpx2.URL(url).host or url
