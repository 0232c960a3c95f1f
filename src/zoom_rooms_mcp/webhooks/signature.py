"""Zoom's webhook signature (``x-zm-signature``) and the ``endpoint.url_validation`` answer.

Zoom signs every delivery, URL validation included: ``x-zm-signature`` is ``v0=`` followed by the hex
HMAC-SHA256, keyed with the app's Secret Token, of ``v0:{x-zm-request-timestamp}:{raw body}``. The
timestamp is Unix seconds. We check it against our clock (5 minutes either way) so a captured delivery
cannot be replayed later, and compare in constant time so the comparison leaks nothing.

Nothing here logs, and no error message carries the secret, a signature or header values.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import SecretStr

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
MAX_SKEW_SECONDS = 300.0
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-fA-F]{64}")


class SignatureError(Exception):
    """The delivery is not provably from Zoom. ``reason`` is ours (fixed words), safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    timestamp: str
    signature: str


def _key(secret: SecretStr | str) -> bytes:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return value.encode("utf-8")


def _hex_hmac(secret: SecretStr | str, message: bytes) -> str:
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def message(timestamp: str | int, raw_body: bytes) -> bytes:
    """The signed message: ``v0:{timestamp}:{raw body}``, bytes exactly as received."""
    return b"v0:" + str(timestamp).encode("ascii") + b":" + raw_body


def sign(secret: SecretStr | str, timestamp: str | int, raw_body: bytes) -> str:
    """The ``x-zm-signature`` value Zoom sends for ``raw_body`` at ``timestamp`` (Unix seconds)."""
    return "v0=" + _hex_hmac(secret, message(timestamp, raw_body))


def _items(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    # A Starlette ``Headers`` yields every raw header from ``items()`` (duplicates included); a dict has no
    # duplicates but may use any case.
    return headers.items() if isinstance(headers, Mapping) else headers


def check_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]], now: float) -> SignedHeaders:
    """Both headers present once, well formed, and the timestamp within 5 minutes of ``now``.

    Cheap (no HMAC, no body): the route calls it before reading the body, so unsigned floods cost little.
    """
    found: dict[str, list[str]] = {SIGNATURE_HEADER: [], TIMESTAMP_HEADER: []}
    for name, value in _items(headers):
        bucket = found.get(name.lower())
        if bucket is not None:
            bucket.append(value)
    signatures, timestamps = found[SIGNATURE_HEADER], found[TIMESTAMP_HEADER]
    if not signatures or not timestamps:
        raise SignatureError("missing signature headers")
    if len(signatures) > 1 or len(timestamps) > 1:
        raise SignatureError("repeated signature headers")
    signature, timestamp = signatures[0].strip(), timestamps[0].strip()
    if not _SIGNATURE.fullmatch(signature):
        raise SignatureError("malformed signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureError("malformed timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise SignatureError("stale timestamp")
    return SignedHeaders(timestamp=timestamp, signature=signature)


def verify(
    secret: SecretStr | str, headers: Mapping[str, str] | Iterable[tuple[str, str]], raw_body: bytes, now: float
) -> None:
    """Return if ``raw_body`` was signed by Zoom with ``secret`` within 5 minutes of ``now``; else raise
    ``SignatureError``. Call it on the raw bytes, before any parsing: re-serialised JSON no longer matches."""
    signed = check_headers(headers, now)
    expected = sign(secret, signed.timestamp, raw_body).encode("ascii")
    given = ("v0=" + signed.signature[3:].lower()).encode("ascii")
    if not hmac.compare_digest(expected, given):
        raise SignatureError("bad signature")


def url_validation_response(secret: SecretStr | str, plain_token: str) -> dict[str, str]:
    """Zoom's challenge-response check: echo ``plainToken`` with its hex HMAC-SHA256 under the secret."""
    return {"plainToken": plain_token, "encryptedToken": _hex_hmac(secret, plain_token.encode("utf-8"))}
