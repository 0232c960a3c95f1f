"""Server-to-Server OAuth token lifecycle (DESIGN §4): memory → shared cache → token endpoint.

The shared cache is pluggable (``TokenCache``): a file in ``TOKEN_CACHE_DIR`` (``FileTokenCache``, one machine)
or the fleet store (``zoom_rooms_mcp.store.token_cache.StoreTokenCache``, PostgreSQL replicas, DESIGN §11).
The rules below are the file's; the store keeps the same ones with an advisory lock instead of a file lock.

* Single flight: one ``anyio.Lock`` serialises callers in this process, and a file lock serialises
  processes that share ``TOKEN_CACHE_DIR``; whoever gets the lock second finds the token the first one
  wrote, so N callers cost one token request. The file lock waits longer than the worst-case token fetch
  (every attempt timing out, plus the pauses between them), so a slow fetch is never duplicated.
* Lock files live in one place, ``TOKEN_CACHE_DIR/locks/zoom_token_{account_id}.lock``, and are kept
  there: deleting an fcntl lock file while another process waits on it would let two processes hold
  "the" lock at once. Nothing but the cache file itself sits beside the cache file.
* The cache file is created 0600 (``os.open`` with the mode, never chmod afterwards), written to a
  temp file and renamed into place, and opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked with
  ``fstat``, so a planted symlink is never followed and a FIFO or device never blocks the server.
* The file is keyed to the credentials that made the token: a fingerprint of the client id and token
  URL, and a scrypt hash of the client secret with a random salt stored in the file (never the secret).
  A file made with another secret (a rotated or mistyped one) is ignored, so the next call fetches a
  token with the current credentials at once. Corrupt, foreign, loosely-permissioned, non-regular or
  expired files are ignored and replaced.
* A token Zoom rejected is never used again by this process, even when its file cannot be deleted.
* An unwritable cache directory degrades to memory-only caching with one warning.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Protocol

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
FILE_VERSION = 2  # 2: credentials fingerprint with a salted hash of the secret
MAX_FILE_BYTES = 64_000
LOCK_DIR_NAME = "locks"
# Token requests: each attempt has a hard deadline, transient failures are retried after 0.5 s, 1 s, …
TOKEN_ATTEMPTS = 3
TOKEN_REQUEST_TIMEOUT = 20.0
TOKEN_RETRY_DELAY = 0.5
LOCK_SLACK_SECONDS = 5.0  # reading and writing the file around the fetch, and scheduling delays
# scrypt at n=2**14, r=8 (16 MiB, ~50 ms): costly to brute-force from a stolen cache file, computed at
# most once per file version in a process.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
TokenSource = Literal["memory", "file", "store", "endpoint"]


def worst_case_fetch_seconds(
    attempts: int = TOKEN_ATTEMPTS,
    request_timeout: float = TOKEN_REQUEST_TIMEOUT,
    retry_delay: float = TOKEN_RETRY_DELAY,
) -> float:
    """The longest one token fetch can take: every attempt runs to its deadline, with the doubling pauses
    between them (3 × 20 s + 0.5 s + 1 s = 61.5 s by default)."""
    return attempts * request_timeout + sum(retry_delay * 2.0**i for i in range(attempts - 1))


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


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a token is made with; the cache file is keyed to all three."""

    token_url: str
    client_id: str
    client_secret: SecretStr = field(repr=False)

    @property
    def client_fingerprint(self) -> str:
        return client_fingerprint(self.client_id, self.token_url)

    def secret_fingerprint(self, salt: bytes) -> str:
        """A salted, deliberately slow hash of the secret, bound to the client fingerprint."""
        digest = hashlib.scrypt(
            self.client_secret.get_secret_value().encode(),
            salt=salt + self.client_fingerprint.encode(),
            **_SCRYPT,
        )
        return digest.hex()


class TokenFileProblem(StrEnum):
    """Why a cache file holds no usable token. ``description`` says what the server does about it."""

    SYMLINK = "symlink"
    NOT_REGULAR = "not_regular"
    UNREADABLE = "unreadable"
    NOT_PRIVATE = "not_private"
    TOO_LARGE = "too_large"
    CORRUPT = "corrupt"
    OLD_FORMAT = "old_format"
    OTHER_CLIENT = "other_client"
    OTHER_SECRET = "other_secret"
    REJECTED = "rejected"
    EXPIRED = "expired"
    EXPIRING = "expiring"

    @property
    def description(self) -> str:
        return _PROBLEM_TEXT[self]


_PROBLEM_TEXT = {
    TokenFileProblem.SYMLINK: "the path is a symlink; the server never follows it and replaces it",
    TokenFileProblem.NOT_REGULAR: "not a regular file (a FIFO, directory or device); the server ignores it",
    TokenFileProblem.UNREADABLE: "unreadable; the server ignores it",
    TokenFileProblem.NOT_PRIVATE: "not private (mode 0600); the server ignores and replaces it",
    TokenFileProblem.TOO_LARGE: "too large to be a token cache file; the server ignores and replaces it",
    TokenFileProblem.CORRUPT: "corrupt; the server replaces it",
    TokenFileProblem.OLD_FORMAT: "written by another version of zoom-rooms-mcp; the server replaces it",
    TokenFileProblem.OTHER_CLIENT: "written for another client id or token URL; the server replaces it",
    TokenFileProblem.OTHER_SECRET: "written with another client secret; the server fetches a new token",
    TokenFileProblem.REJECTED: "Zoom rejected this token; the server fetches a new one",
    TokenFileProblem.EXPIRED: "expired; the server fetches a new token",
    TokenFileProblem.EXPIRING: "expires within 5 minutes; the server fetches a new token",
}
# Problems worth a warning in the log: someone or something other than this server made the file so.
_SUSPICIOUS = frozenset(
    {
        TokenFileProblem.SYMLINK,
        TokenFileProblem.NOT_REGULAR,
        TokenFileProblem.UNREADABLE,
        TokenFileProblem.NOT_PRIVATE,
        TokenFileProblem.TOO_LARGE,
        TokenFileProblem.CORRUPT,
    }
)


@dataclass(frozen=True, slots=True)
class TokenFileInfo:
    """A secret-free description of the cache file (for the ``token`` command and ``check``)."""

    path: Path
    exists: bool
    regular_file: bool | None = None  # None: not looked at (missing, or a symlink never opened)
    mode: int | None = None  # permission bits, e.g. 0o600
    valid: bool = False
    problem: TokenFileProblem | None = None
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    current_credentials: bool | None = None  # made by this client id, token URL and secret; None: unknown

    @property
    def private(self) -> bool | None:
        return None if self.mode is None else not self.mode & 0o077

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["mode"] = None if self.mode is None else f"{self.mode:04o}"
        data["problem"] = self.problem.value if self.problem else None
        data["problem_description"] = self.problem.description if self.problem else None
        data["expires_at"] = (
            self.expires_at.isoformat(timespec="seconds").replace("+00:00", "Z") if self.expires_at else None
        )
        data["scopes"] = list(self.scopes)
        return data


class TokenFile:
    """The on-disk cache ``TOKEN_CACHE_DIR/zoom_token_{account_id}.json`` and its lock in ``locks/``."""

    def __init__(self, directory: Path, account_id: str, credentials: Credentials) -> None:
        safe_account = "".join(c if c.isalnum() or c in "-_" else "_" for c in account_id)[:64]
        self.directory = directory
        self.path = directory / f"zoom_token_{safe_account}.json"
        self.lock_path = directory / LOCK_DIR_NAME / f"zoom_token_{safe_account}.lock"
        # Not thread-local: it is acquired in a worker thread and released on the event loop's thread.
        self.lock = FileLock(str(self.lock_path), mode=0o600, thread_local=False)
        self.credentials = credentials
        self._secret_fingerprints: dict[bytes, str] = {}  # salt → hash: scrypt once per file version
        self._rejected: set[str] = set()  # sha256 of tokens Zoom rejected

    def prepare(self) -> None:
        """Create the directories (0700) and check that we can write there; raises OSError if not."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.lock_path.parent.mkdir(mode=0o700, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=self.directory, prefix=".probe-", delete=True)  # noqa: SIM115
        probe.close()
        # Earlier releases kept the lock beside the cache file and left it there.
        with contextlib.suppress(OSError):
            os.unlink(str(self.path) + ".lock")

    def inspect(self, now: float | None = None) -> TokenFileInfo:
        """Describe the file without the token; never blocks on a FIFO, never follows a symlink.

        Without a client secret (the ``token`` command needs none) the secret cannot be checked:
        ``current_credentials`` is then None and validity is judged on everything else.
        """
        verify = bool(self.credentials.client_secret.get_secret_value())
        return self._load(time.time() if now is None else now, verify_secret=verify)[0]

    def read(self, now: float) -> AccessToken | None:
        info, token = self._load(now, verify_secret=True)
        if info.problem in _SUSPICIOUS:
            log.warning("Ignoring token cache file %s: %s", self.path, info.problem.description)
        return token if info.valid else None

    def reject(self, value: str) -> None:
        """Never hand out ``value`` from the file again, whether or not the file can be deleted."""
        self._rejected.add(_digest(value))

    def write(self, token: AccessToken) -> None:
        salt = os.urandom(16)
        secret_fingerprint = self._secret_fingerprint(salt)
        payload = json.dumps(
            {
                "version": FILE_VERSION,
                "access_token": token.value,
                "expires_at": token.expires_at,
                "scopes": sorted(token.scopes),
                "client_fingerprint": self.credentials.client_fingerprint,
                "secret_salt": salt.hex(),
                "secret_fingerprint": secret_fingerprint,
            }
        ).encode()
        # A fresh, randomly named temp file created 0600 and exclusively: nothing can pre-create it or
        # read it before the rename, and rename replaces a symlink or FIFO at the target rather than using it.
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
        """Delete the file, but only if it still holds ``value`` (None: unconditionally). A file whose token
        cannot be read (corrupt, not a regular file) is deleted too: it is of no use to anyone."""
        if value is not None:
            raw = self._read_bytes()[1]
            try:
                current = json.loads(raw)["access_token"] if raw is not None else None
            except (ValueError, KeyError, TypeError):
                current = None
            if isinstance(current, str) and current and current != value:
                return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def _read_bytes(self) -> tuple[TokenFileInfo, bytes | None]:
        """The file's bytes if it is a regular file of sane size, with what its inode says about it."""
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return TokenFileInfo(self.path, exists=False), None
            problem = TokenFileProblem.SYMLINK if exc.errno == errno.ELOOP else TokenFileProblem.UNREADABLE
            return TokenFileInfo(self.path, exists=True, problem=problem), None
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            regular, mode = stat.S_ISREG(st.st_mode), stat.S_IMODE(st.st_mode)
            info = TokenFileInfo(self.path, exists=True, regular_file=regular, mode=mode)
            if not regular:
                return replace(info, problem=TokenFileProblem.NOT_REGULAR), None
            if st.st_size > MAX_FILE_BYTES:
                return replace(info, problem=TokenFileProblem.TOO_LARGE), None
            return info, fh.read(MAX_FILE_BYTES + 1)

    def _load(self, now: float, *, verify_secret: bool) -> tuple[TokenFileInfo, AccessToken | None]:
        info, raw = self._read_bytes()
        if raw is None:
            return info, None
        if info.private is False:
            return replace(info, problem=TokenFileProblem.NOT_PRIVATE), None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise TypeError
            if data.get("version") != FILE_VERSION:
                return replace(info, problem=TokenFileProblem.OLD_FORMAT), None
            token = AccessToken(
                value=str(data["access_token"]),
                expires_at=float(data["expires_at"]),
                scopes=frozenset(str(s) for s in data.get("scopes", [])),
            )
            salt = bytes.fromhex(str(data["secret_salt"]))
            stored_secret = str(data["secret_fingerprint"])
            if not stored_secret.isascii():
                raise ValueError
            stored_client = data.get("client_fingerprint")
            expires_at = datetime.fromtimestamp(token.expires_at, UTC)
        except (ValueError, KeyError, TypeError, OverflowError, OSError):
            return replace(info, problem=TokenFileProblem.CORRUPT), None
        if not token.value or not salt:
            return replace(info, problem=TokenFileProblem.CORRUPT), None
        info = replace(info, expires_at=expires_at, scopes=tuple(sorted(token.scopes)))
        if stored_client != self.credentials.client_fingerprint:
            return replace(info, problem=TokenFileProblem.OTHER_CLIENT, current_credentials=False), None
        if verify_secret:
            if not hmac.compare_digest(stored_secret, self._secret_fingerprint(salt)):
                return replace(info, problem=TokenFileProblem.OTHER_SECRET, current_credentials=False), None
            info = replace(info, current_credentials=True)
        if _digest(token.value) in self._rejected:
            return replace(info, problem=TokenFileProblem.REJECTED), None
        if token.expires_at <= now:
            return replace(info, problem=TokenFileProblem.EXPIRED), None
        if not token.usable(now):
            return replace(info, problem=TokenFileProblem.EXPIRING), None
        return replace(info, valid=True), token

    def _secret_fingerprint(self, salt: bytes) -> str:
        cached = self._secret_fingerprints.get(salt)
        if cached is None:
            if len(self._secret_fingerprints) >= 8:
                self._secret_fingerprints.clear()
            cached = self._secret_fingerprints[salt] = self.credentials.secret_fingerprint(salt)
        return cached


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class TokenCache(Protocol):
    """Where a token is shared beyond this process's memory, and the lock that makes its fetch single-flight.

    Implementations handle their own failures: a cache that cannot be used logs why and behaves as empty
    (``hold`` yields False, ``read`` returns None), so Zoom calls go on with a token in memory.
    """

    source: TokenSource  # what ``TokenResult.source`` says for a token read from here

    def hold(self, max_wait: float) -> AbstractAsyncContextManager[bool]:
        """Exclusive across processes while a token is read, fetched and written; waits at most ``max_wait``
        seconds (then yields True without the lock: a slow peer must not stop this one). Yields whether the
        cache can be used at all."""
        ...

    async def read(self, now: float) -> AccessToken | None:
        """A usable token made with the current credentials, or None."""
        ...

    async def write(self, token: AccessToken) -> None: ...

    async def remove_if(self, value: str | None) -> None:
        """Forget the cached token if it still is ``value`` (None: whatever it is); atomic on its own."""
        ...

    def reject(self, value: str) -> None:
        """Never hand out ``value`` again in this process, even if it cannot be removed from the cache."""
        ...


class FileTokenCache:
    """``TOKEN_CACHE_DIR/zoom_token_{account_id}.json`` behind its file lock. An OS error on the lock or a
    write turns it off for the process's life (memory only, one warning): a directory that refuses us once
    will keep refusing."""

    source: TokenSource = "file"

    def __init__(self, file: TokenFile, lock_timeout: float | None = None) -> None:
        self.file = file
        # How long ``remove_if`` waits for a peer's fetch (``hold`` is told by its caller).
        self.lock_timeout = worst_case_fetch_seconds() + LOCK_SLACK_SECONDS if lock_timeout is None else lock_timeout
        self.enabled = True

    @contextlib.asynccontextmanager
    async def hold(self, max_wait: float) -> AsyncIterator[bool]:
        if not self.enabled:
            yield False
            return
        lock = self.file.lock
        try:
            # filelock blocks; wait in a worker thread so the event loop keeps serving other calls.
            await anyio.to_thread.run_sync(lambda: lock.acquire(timeout=max_wait))
        except Timeout:
            log.warning("Token cache lock %s busy for %.0fs; fetching without it.", lock.lock_file, max_wait)
            yield True
            return
        except OSError as exc:
            self._disable("Cannot lock token cache (%s); caching tokens in memory only.", exc)
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    async def read(self, now: float) -> AccessToken | None:
        return self.file.read(now) if self.enabled else None

    async def write(self, token: AccessToken) -> None:
        if not self.enabled:
            return
        try:
            self.file.write(token)
        except OSError as exc:
            self._disable("Could not write token cache file (%s); continuing with memory only.", exc)

    async def remove_if(self, value: str | None) -> None:
        async with self.hold(self.lock_timeout) as usable:
            if not usable:
                return
            try:
                self.file.remove_if(value)
            except OSError as exc:
                log.warning("Could not delete token cache file (%s)", exc.strerror)

    def reject(self, value: str) -> None:
        self.file.reject(value)

    def _disable(self, message: str, exc: OSError) -> None:
        log.warning(message, exc.strerror or exc.__class__.__name__)
        self.enabled = False


class TokenManager:
    """Hands out a valid access token, fetching one only when memory and the shared cache have none.

    The shared cache is ``cache`` when given (e.g. the fleet store's), else a ``FileTokenCache`` in ``cache_dir``,
    else none (memory only).
    """

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
        request_timeout: float = TOKEN_REQUEST_TIMEOUT,
        attempts: int = TOKEN_ATTEMPTS,
        retry_delay: float = TOKEN_RETRY_DELAY,
        lock_timeout: float | None = None,
        cache: TokenCache | None = None,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._account_id = account_id
        self._client_id = client_id
        self._secret = client_secret
        self._clock = clock
        self._buffer = refresh_buffer
        self._request_timeout = request_timeout
        self._attempts = attempts
        self._retry_delay = retry_delay
        self.worst_case_fetch = worst_case_fetch_seconds(attempts, request_timeout, retry_delay)
        # Another process holding the lock is at worst this long in its fetch: wait it out, then read its token.
        self.lock_timeout = self.worst_case_fetch + LOCK_SLACK_SECONDS if lock_timeout is None else lock_timeout
        self._lock = anyio.Lock()
        self._memory: AccessToken | None = None
        self._cache: TokenCache | None = cache
        self.token_requests = 0
        self.last_source: TokenSource | None = None
        if cache is None and cache_dir is not None:
            candidate = TokenFile(cache_dir, account_id, Credentials(token_url, client_id, client_secret))
            try:
                candidate.prepare()
                self._cache = FileTokenCache(candidate, self.lock_timeout)
            except OSError as exc:
                log.warning(
                    "Token cache directory %s is not writable (%s); caching tokens in memory only.",
                    cache_dir,
                    exc.strerror or exc.__class__.__name__,
                )

    @property
    def credentials(self) -> Credentials:
        return Credentials(self._token_url, self._client_id, self._secret)

    @property
    def cache(self) -> TokenCache | None:
        return self._cache

    @property
    def _file(self) -> FileTokenCache | None:
        cache = self._cache
        return cache if isinstance(cache, FileTokenCache) and cache.enabled else None

    @property
    def cache_path(self) -> Path | None:
        return self._file.file.path if self._file else None

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
            async with self._hold() as cache:
                if cache is not None and not force_refresh:
                    cached = await cache.read(self._clock())
                    if cached is not None and cached.usable(self._clock(), self._buffer):
                        self._memory = cached
                        self.last_source = cache.source
                        return TokenResult(cached, cache.source)
                token = await self._request_token()
                self._memory = token
                if cache is not None:
                    await cache.write(token)
                self.last_source = "endpoint"
                return TokenResult(token, "endpoint")

    async def invalidate(self, token: AccessToken | None = None) -> None:
        """Forget a token Zoom rejected, in memory and in the shared cache (only if it is still the current one)."""
        async with self._lock:
            if token is None or self._memory is None or self._memory.value == token.value:
                self._memory = None
            cache = self._cache
            if cache is None:
                return
            if token is not None:
                cache.reject(token.value)  # even if the cache cannot be cleared, it is never read back
            await cache.remove_if(token.value if token else None)

    async def clear(self) -> bool:
        """Delete any cached token (``token --clear``); returns whether a file existed."""
        existed = bool(self._file and self._file.file.path.exists())
        await self.invalidate(None)
        return existed

    def seconds_left(self, token: AccessToken) -> int:
        return max(0, int(token.expires_at - self._clock()))

    def read_cache_file(self) -> AccessToken | None:
        """The token currently on disk, if valid (for ``token`` status output)."""
        return self._file.file.read(self._clock()) if self._file else None

    def inspect_cache(self) -> TokenFileInfo | None:
        """The cache file described without its token; None when caching is memory-only (or not in a file)."""
        return self._file.file.inspect(self._clock()) if self._file else None

    @contextlib.asynccontextmanager
    async def _hold(self) -> AsyncIterator[TokenCache | None]:
        cache = self._cache
        if cache is None:
            yield None
            return
        async with cache.hold(self.lock_timeout) as usable:
            yield cache if usable else None

    async def _request_token(self) -> AccessToken:
        delay = self._retry_delay
        last_error: ZoomError | None = None
        for attempt in range(1, self._attempts + 1):
            try:
                return await self._request_token_once()
            except (ZoomServerError, ZoomNetworkError, ZoomResponseError) as exc:
                last_error = exc
                if attempt < self._attempts:
                    log.info("Token request failed (%s); retrying in %.1fs", exc.message, delay)
                    await anyio.sleep(delay)
                    delay *= 2
        assert last_error is not None
        raise last_error

    async def _request_token_once(self) -> AccessToken:
        self.token_requests += 1
        sent_at = self._clock()
        try:
            # A hard deadline per attempt (httpx's timeouts are per read, so a server that drips bytes could
            # outlast them): it is what makes ``worst_case_fetch`` a bound the file lock can rely on.
            with anyio.fail_after(self._request_timeout):
                response = await self._http.post(
                    self._token_url,
                    data={"grant_type": "account_credentials", "account_id": self._account_id},
                    auth=httpx2.BasicAuth(self._client_id, self._secret.get_secret_value()),
                    headers={"Accept": "application/json"},
                )
                body = response.content
        except (httpx2.TimeoutException, TimeoutError):
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
