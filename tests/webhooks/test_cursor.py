"""The delivery log's cursors (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailslot.webhooks.cursor import decode_position, encode_position


def test_a_position_survives_its_cursor() -> None:
    at = datetime(2026, 12, 7, 3, 4, 5, 123456, tzinfo=UTC)
    assert decode_position(encode_position(at, 42)) == (at, 42)


@pytest.mark.parametrize(
    "cursor", ["", "x", "bTE6NDI", "ZDE6LTE6MQ", "ZDE6MTI6MA", "ZDE6MTI6YQ", "a" * 65]
)
def test_anything_else_is_refused(cursor: str) -> None:
    with pytest.raises(ValueError, match="cursor"):
        decode_position(cursor)
