"""Opaque keyset cursors: a page continues below the last message id it showed."""

from __future__ import annotations

import base64
import binascii

_PREFIX = "m1:"


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The message id a cursor continues below; raises ValueError for anything else."""
    if len(cursor) > 64:
        raise ValueError("cursor too long")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise ValueError("not a cursor")
    value = int(text[len(_PREFIX) :])
    if value < 1 or value > 2**63 - 1:
        raise ValueError("cursor out of range")
    return value
