"""Opaque keyset cursors: a page continues below the last message id it showed. The
opaque form (`encode_opaque`, `decode_opaque`) serves every keyset cursor of the API."""

from __future__ import annotations

import base64
import binascii

_PREFIX = "m1:"
MAX_CURSOR_LENGTH = 64


def encode_opaque(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_opaque(cursor: str, prefix: str) -> str:
    """What follows `prefix` in a cursor `encode_opaque` made; ValueError for anything
    else."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise ValueError("cursor too long")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not text.startswith(prefix):
        raise ValueError("not a cursor")
    return text[len(prefix) :]


def encode_cursor(last_id: int) -> str:
    return encode_opaque(f"{_PREFIX}{last_id}")


def decode_cursor(cursor: str) -> int:
    """The message id a cursor continues below; raises ValueError for anything else."""
    text = decode_opaque(cursor, _PREFIX)
    if not text.isdigit():
        raise ValueError("not a cursor")
    value = int(text)
    if value < 1 or value > 2**63 - 1:
        raise ValueError("cursor out of range")
    return value
