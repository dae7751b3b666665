import pytest

from mailslot.messages.cursor import decode_cursor, encode_cursor


def test_cursor_round_trips() -> None:
    for value in (1, 42, 2**63 - 1):
        assert decode_cursor(encode_cursor(value)) == value


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "abc",
        "bTE6",
        "bTE6LTE",
        "bTE6MA",
        "x" * 65,
        "bTI6NQ",
        "%%%",
        "bTE6OTIyMzM3MjAzNjg1NDc3NTgwOA",
    ],
)
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(ValueError, match="cursor"):
        decode_cursor(cursor)
