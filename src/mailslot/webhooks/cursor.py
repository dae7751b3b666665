"""Opaque keyset cursors of the delivery log: a page continues below a position, the
(created_at, id) of the last delivery it showed or looked at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailslot.messages.cursor import decode_opaque, encode_opaque

_PREFIX = "d1:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_position(created_at: datetime, delivery_id: int) -> str:
    micros = (created_at - _EPOCH) // _MICROSECOND
    return encode_opaque(f"{_PREFIX}{micros}:{delivery_id}")


def decode_position(cursor: str) -> tuple[datetime, int]:
    """The position a cursor continues below; raises ValueError for anything else."""
    micros, _, delivery_id = decode_opaque(cursor, _PREFIX).partition(":")
    if not micros.isdigit() or not delivery_id.isdigit():
        raise ValueError("not a cursor")
    if int(delivery_id) < 1 or int(delivery_id) > 2**63 - 1:
        raise ValueError("cursor out of range")
    try:
        at = _EPOCH + int(micros) * _MICROSECOND
    except OverflowError as exc:
        raise ValueError("cursor out of range") from exc
    return at, int(delivery_id)
