"""The deployment's one OAuth token, shared through the PostgreSQL store (DESIGN §4, §11).

A ``TokenCache`` for ``TokenManager`` (``zoom.token``), used instead of the file cache when the store is
PostgreSQL, so replicas need no shared filesystem:

* Single flight across replicas: the fetch runs under a transaction-level advisory lock keyed to the app
  (``SqlStore.advisory_lock``); a replica that waited for it reads the token the holder wrote, so N replicas
  cost one token request. The write is a compare-and-set (``put_token_if``) on top, for a replica that
  fetched without the lock (its wait ran out, or the database blinked).
* A 401 anywhere deletes the stored token, only if it still is the rejected one (``delete_token_if``); every
  replica then finds either nothing (and fetches, one of them) or the replacement.
* Stored under a fingerprint of the account, the client id, the token URL and a salted scrypt hash of the
  secret, never the secret: a rotated secret finds nothing and fetches with the new one.
* The database down: the cache behaves as empty (one warning per attempt), the replica fetches and keeps its
  own token in memory, and Zoom calls go on.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import anyio.to_thread

from zoom_rooms_mcp.store.api import TokenRecord
from zoom_rooms_mcp.store.errors import StoreError
from zoom_rooms_mcp.store.sql import PG_TOKEN_NAMESPACE, SqlStore
from zoom_rooms_mcp.zoom.token import AccessToken, Credentials, TokenSource

log = logging.getLogger(__name__)


class StoreTokenCache:
    source: TokenSource = "store"

    def __init__(self, store: SqlStore, credentials: Credentials, account_id: str) -> None:
        self._store = store
        self._credentials = credentials
        self._account_id = account_id
        self._fingerprint: str | None = None
        self._rejected: set[str] = set()  # sha256 of tokens Zoom rejected

    async def fingerprint(self) -> str:
        """The row's key (64 hex characters). The salt is fixed per account and app, so that every replica
        computes the same key; scrypt (~50 ms) runs once per process, off the event loop."""
        if self._fingerprint is None:
            salt = f"zoom-rooms-mcp shared token\n{self._account_id}".encode()
            secret = await anyio.to_thread.run_sync(self._credentials.secret_fingerprint, salt)
            material = f"{self._account_id}\n{self._credentials.client_fingerprint}\n{secret}"
            self._fingerprint = hashlib.sha256(material.encode()).hexdigest()
        return self._fingerprint

    @asynccontextmanager
    async def hold(self, max_wait: float) -> AsyncIterator[bool]:
        async with AsyncExitStack() as stack:
            usable = True
            try:
                key = zlib.crc32((await self.fingerprint()).encode()) & 0x7FFFFFFF
                locked = await stack.enter_async_context(self._store.advisory_lock(PG_TOKEN_NAMESPACE, key, max_wait))
                if not locked:
                    log.warning(
                        "Another replica has been fetching the token for %.0fs; fetching without waiting.", max_wait
                    )
            except StoreError as exc:
                usable = False
                log.warning("The shared token is out of reach (%s); this replica uses a token of its own.", exc)
            yield usable

    async def read(self, now: float) -> AccessToken | None:
        try:
            record = await self._store.get_token(await self.fingerprint())
        except StoreError as exc:
            log.warning("Cannot read the shared token (%s)", exc)
            return None
        if record is None or _digest(record.value) in self._rejected or record.expires_at <= now:
            return None
        return AccessToken(record.value, record.expires_at, frozenset(record.scopes))

    async def write(self, token: AccessToken) -> None:
        try:
            key = await self.fingerprint()
            current = await self._store.get_token(key)
            record = TokenRecord(token.value, token.expires_at, tuple(sorted(token.scopes)), key)
            if not await self._store.put_token_if(record, current.value if current else None):
                log.info("Another replica stored a token first; keeping this one in memory only.")
        except StoreError as exc:
            log.warning("Cannot share the new token through the fleet store (%s); keeping it in memory.", exc)

    async def remove_if(self, value: str | None) -> None:
        try:
            await self._store.delete_token_if(await self.fingerprint(), value)
        except StoreError as exc:
            log.warning("Cannot remove the rejected token from the fleet store (%s)", exc)

    def reject(self, value: str) -> None:
        self._rejected.add(_digest(value))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
