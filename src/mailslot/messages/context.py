"""Conversation context: what a message is about (`ref`, `data`), and the signed context
tokens a host mints so that a browser can send under a ref it cannot forge.

A token is `ctx_` + base64url(JSON payload) + `.` + base64url(HMAC-SHA256 of everything
before the dot), unpadded. The payload holds the ref, the participants' user ids, the
data (if any) and the expiry in Unix seconds. The HMAC key is derived from the server's
secret key (`context_key`), so a context token can be confused with no other keyed hash
mailslot computes with that secret. The signature is checked before the payload is read:
nothing unauthenticated is parsed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from mailslot.errors import InvalidContext

MAX_REF_LENGTH = 200
MAX_DATA_BYTES = 4096
# A message's receivers (at most 100) and its sender.
MAX_PARTICIPANTS = 101
TOKEN_PREFIX = "ctx_"  # noqa: S105 (a prefix, not a secret)
_VERSION = 1
# No control character (C0, DEL, C1) anywhere; no white space first or last.
REF_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\s]([^\x00-\x1f\x7f-\x9f]*[^\x00-\x1f\x7f-\x9f\s])?$"
_REF = re.compile(REF_PATTERN)


@dataclass(frozen=True, slots=True)
class Context:
    """What a message is about: a host's reference (`order:A-123`) and, optionally, a
    JSON object of at most MAX_DATA_BYTES."""

    ref: str
    data: dict[str, Any] | None = None
    # Whether it came from a context token (then a reply cannot take it beyond the
    # message's participants), rather than as the sender wrote it.
    signed: bool = False


@dataclass(frozen=True, slots=True)
class SignedContext:
    """A verified context token: its context, who may write under it, until when."""

    context: Context
    participants: tuple[int, ...]
    expires_at: datetime


def check_ref(ref: str) -> str:
    """The ref, if of the allowed form; raises ValueError saying what is wrong."""
    if not 1 <= len(ref) <= MAX_REF_LENGTH:
        raise ValueError(f"a context ref is 1 to {MAX_REF_LENGTH} characters")
    if not _REF.match(ref):
        raise ValueError(
            "a context ref holds no control characters and does not begin or end with white space"
        )
    _utf8(ref)
    return ref


def check_data(data: dict[str, Any]) -> dict[str, Any]:
    """The data, if it serializes to at most MAX_DATA_BYTES; raises ValueError naming
    the limit."""
    size = len(_utf8(canonical(data)))
    if size > MAX_DATA_BYTES:
        raise ValueError(
            f"context data is at most {MAX_DATA_BYTES} bytes as JSON (UTF-8); this is {size}"
        )
    return data


def canonical(value: Any) -> str:
    """Compact JSON with sorted keys: how data is measured and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utf8(text: str) -> bytes:
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate, which JSON can carry as \ud800
        raise ValueError("must be valid Unicode (no lone surrogates)") from None


@lru_cache(maxsize=4)
def context_key(secret_key: str) -> bytes:
    """The HMAC key of context tokens, derived from the server's secret key."""
    return hmac.new(secret_key.encode(), b"mailslot context token v1", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, signed_part: str) -> bytes:
    return hmac.new(key, signed_part.encode("ascii"), hashlib.sha256).digest()


def mint_context(
    *,
    key: bytes,
    ref: str,
    participants: Sequence[int],
    expires_at: datetime,
    data: dict[str, Any] | None = None,
) -> str:
    """A `ctx_` token for `ref` (and `data`) that lets each participant (user ids, each
    kept once, in order) send to the others until `expires_at`. Raises ValueError for a
    ref, data or participant list outside their limits."""
    check_ref(ref)
    if data is not None:
        check_data(data)
    unique = list(dict.fromkeys(participants))
    if not 1 <= len(unique) <= MAX_PARTICIPANTS:
        raise ValueError(f"a context has 1 to {MAX_PARTICIPANTS} participants")
    if any(isinstance(p, bool) or not isinstance(p, int) or p < 1 for p in unique):
        raise ValueError("participants are user ids")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must carry its time zone")
    payload: dict[str, Any] = {
        "v": _VERSION,
        "ref": ref,
        "participants": unique,
        "exp": int(expires_at.timestamp()),
    }
    if data is not None:
        payload["data"] = data
    signed_part = TOKEN_PREFIX + _b64(canonical(payload).encode())
    return f"{signed_part}.{_b64(_signature(key, signed_part))}"


def verify_context(token: str, *, key: bytes, now: datetime) -> SignedContext:
    """The context a token carries; raises InvalidContext (403) for a token this server
    did not sign, one altered since, and one expired at `now`."""
    signed_part, dot, signature = token.rpartition(".")
    if not dot or not signed_part.startswith(TOKEN_PREFIX) or not signed_part.isascii():
        raise InvalidContext("The context token is not one this server signed.")
    try:
        given = _unb64(signature)
    except (binascii.Error, ValueError):
        raise InvalidContext("The context token is not one this server signed.") from None
    if not hmac.compare_digest(given, _signature(key, signed_part)):
        raise InvalidContext("The context token is not one this server signed.")
    payload = json.loads(_unb64(signed_part.removeprefix(TOKEN_PREFIX)))
    if payload.get("v") != _VERSION:
        raise InvalidContext("The context token's version is not one this server reads.")
    expires_at = datetime.fromtimestamp(payload["exp"], UTC)
    if expires_at <= now:
        raise InvalidContext(f"The context token expired at {expires_at.isoformat()}.")
    return SignedContext(
        Context(payload["ref"], payload.get("data"), signed=True),
        tuple(payload["participants"]),
        expires_at,
    )
