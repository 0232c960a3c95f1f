"""The Server-to-Server OAuth token endpoint (``account_credentials`` grant) and the tokens it issues.

Behaviour per REFERENCE §1: many tokens valid at once, each for 3600 s by the injected clock; a token keeps
the scopes the app had when it was issued (as a real token does).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from .errors import invalid_token

TOKEN_TTL = 3600


@dataclass(frozen=True)
class SimCredentials:
    account_id: str = "sim-account-0001"
    client_id: str = "sim-client-id"
    client_secret: str = "sim-client-secret"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    scopes: tuple[str, ...]
    expires_at: float


def _unique(scopes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for s in scopes if s))


class TokenStore:
    def __init__(self, clock: Callable[[], float], scopes: Iterable[str], invalid_status: int = 401) -> None:
        self._clock = clock
        self._invalid_status = invalid_status
        self.scopes = _unique(scopes)
        self._issued: dict[str, IssuedToken] = {}

    def issue(self) -> tuple[str, IssuedToken]:
        token = _jwt_lookalike()
        issued = IssuedToken(self.scopes, self._clock() + TOKEN_TTL)
        self._issued[token] = issued
        return token, issued

    def lookup(self, authorization: str) -> IssuedToken:
        """The token named by an ``Authorization`` header, or a 401 code 124 error."""
        scheme, _, token = authorization.partition(" ")
        issued = self._issued.get(token.strip()) if scheme.lower() == "bearer" else None
        if issued is None:
            raise invalid_token(status=self._invalid_status)
        if self._clock() >= issued.expires_at:
            raise invalid_token("Access token is expired.", self._invalid_status)
        return issued

    def revoke_all(self) -> int:
        """Invalidate every token issued so far (like deactivating the app); returns how many there were."""
        count, self._issued = len(self._issued), {}
        return count

    def set_scopes(self, scopes: Iterable[str]) -> None:
        self.scopes = _unique(scopes)


def _jwt_lookalike() -> str:
    """Opaque, but shaped like Zoom's HS512 JWTs ("eyJ...") so that clients never parse it."""
    header = {"sv": "000002", "alg": "HS512", "v": "2.0", "kid": secrets.token_hex(16)}
    parts = [json.dumps(header, separators=(",", ":")).encode(), secrets.token_bytes(180), secrets.token_bytes(64)]
    return ".".join(base64.urlsafe_b64encode(p).decode().rstrip("=") for p in parts)


def _error(reason: str, error: str) -> JSONResponse:
    return JSONResponse({"reason": reason, "error": error}, status_code=400)


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, secret) if sep else None


async def token_endpoint(request: Request, store: TokenStore, credentials: SimCredentials) -> JSONResponse:
    # Zoom has documented both styles; the form body wins when both are given.
    params = dict(parse_qsl(request.url.query))
    params.update(parse_qsl((await request.body()).decode("utf-8", "replace")))
    given = _basic_credentials(request.headers.get("authorization", ""))
    if given is None or not (
        secrets.compare_digest(given[0].encode(), credentials.client_id.encode())
        & secrets.compare_digest(given[1].encode(), credentials.client_secret.encode())
    ):
        return _error("Invalid client_id or client_secret", "invalid_client")
    if params.get("grant_type") != "account_credentials":
        return _error("unsupported grant type", "unsupported_grant_type")
    if params.get("account_id") != credentials.account_id:
        return _error("Bad Request", "invalid_request")
    token, issued = store.issue()
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": TOKEN_TTL,
            "scope": " ".join(issued.scopes),
            # Zoom sends its regional API host; the simulator names itself so that a client honouring it stays here.
            "api_url": str(request.base_url).rstrip("/"),
        }
    )
