"""Opaque keyset cursors of the delivery log: a page continues below a position, the
(created_at, id) of the last delivery it showed or looked at."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

_PREFIX = "d1:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_position(created_at: datetime, delivery_id: int) -> str:
    micros = (created_at - _EPOCH) // _MICROSECOND
    text = f"{_PREFIX}{micros}:{delivery_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[datetime, int]:
    """The position a cursor continues below; raises ValueError for anything else."""
    if len(cursor) > 64:
        raise ValueError("cursor too long")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    micros, _, delivery_id = text.removeprefix(_PREFIX).partition(":")
    if not text.startswith(_PREFIX) or not micros.isdigit() or not delivery_id.isdigit():
        raise ValueError("not a cursor")
    if int(delivery_id) < 1 or int(delivery_id) > 2**63 - 1:
        raise ValueError("cursor out of range")
    try:
        at = _EPOCH + int(micros) * _MICROSECOND
    except OverflowError as exc:
        raise ValueError("cursor out of range") from exc
    return at, int(delivery_id)
