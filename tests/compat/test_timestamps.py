"""Seed A's RFC 1123 timestamps (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailslot.compat.timestamps import format_rfc1123, parse_rfc1123


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("Fri, 09 Oct 2020 23:01:26 GMT", datetime(2020, 10, 9, 23, 1, 26, tzinfo=UTC)),
        ("Fri, 9 Oct 2020 23:01:26 GMT", datetime(2020, 10, 9, 23, 1, 26, tzinfo=UTC)),
        ("Sat, 10 Oct 2020 01:01:26 +0200", datetime(2020, 10, 9, 23, 1, 26, tzinfo=UTC)),
        ("Fri, 09 Oct 2020 23:01:26 -0000", datetime(2020, 10, 9, 23, 1, 26, tzinfo=UTC)),
        ("Fri, 09 Oct 2020 23:01:26 UTC", datetime(2020, 10, 9, 23, 1, 26, tzinfo=UTC)),
        ("Fri, 31 Dec 9999 23:59:59 +0100", datetime(9999, 12, 31, 22, 59, 59, tzinfo=UTC)),
        ("Fri, 31 Dec 9999 23:59:59 GMT", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_rfc1123_dates_parse_to_their_instant(text, instant) -> None:
    assert parse_rfc1123(text) == instant


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Fri, 09 Oct 2020",
        "2020-10-09T23:01:26Z",
        "Friday, 09-Oct-20 23:01:26 GMT",  # RFC 850
        "Fri Oct  9 23:01:26 2020",  # asctime
        "fri, 09 oct 2020 23:01:26 gmt",
        "Fri, 31 Feb 2020 23:01:26 GMT",
        "Fri, 09 Oct 2020 24:01:26 GMT",
        "Fri, 09 Oct 2020 23:01:26 EST",
        "Fri, 09 Oct 2020 23:01:26 GMT trailing",
        " Fri, 09 Oct 2020 23:01:26 GMT",
        # Real dates whose instant in UTC is in the year 10000.
        "Fri, 31 Dec 9999 23:59:59 -0100",
        "Fri, 31 Dec 9999 23:00:00 -2359",
    ],
)
def test_anything_else_is_refused(text) -> None:
    with pytest.raises(ValueError, match="Fri, 09 Oct 2020 23:01:26 GMT"):
        parse_rfc1123(text)


def test_server_times_format_as_imf_fixdate() -> None:
    moment = datetime(2020, 10, 9, 23, 1, 26, 999_999, tzinfo=UTC)
    assert format_rfc1123(moment) == "Fri, 09 Oct 2020 23:01:26 GMT"
    assert parse_rfc1123(format_rfc1123(moment)) == moment.replace(microsecond=0)
