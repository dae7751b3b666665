"""Seed A's `timestamp`: an RFC 1123 date (`Fri, 09 Oct 2020 23:01:26 GMT`). Pure functions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

EXAMPLE = "Fri, 09 Oct 2020 23:01:26 GMT"

# RFC 1123 §5.2.14 (RFC 822 dates with four-digit years), the form seed A's README writes
# and what JavaScript's toUTCString() and Python's formatdate(usegmt=True) produce. The
# zone is GMT (or UT/UTC) or a numeric offset; military letters and US zones are refused.
_RFC1123 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"[0-9]{2}:[0-9]{2}:[0-9]{2} (GMT|UTC|UT|[+-][0-9]{4})"
)


def parse_rfc1123(value: str) -> datetime:
    """The instant an RFC 1123 date names, in UTC; ValueError for anything else, including
    a well-formed date that does not exist (31 Feb). The weekday is not checked against the
    date: seed A kept the text as written, and so do we."""
    if not _RFC1123.fullmatch(value):
        raise ValueError(f"must be an RFC 1123 date such as {EXAMPLE!r}")
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise ValueError(f"is not a real date; write it like {EXAMPLE!r}") from None
    # `-0000` means "UTC, origin unknown" (RFC 5322 §3.3) and parses naive.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 31 Dec 9999 23:00 -0100 is in the year 10000 in UTC
        raise ValueError(f"is out of range; write it like {EXAMPLE!r}") from None


def format_rfc1123(moment: datetime) -> str:
    """The IMF-fixdate form (RFC 9110 §5.6.7), e.g. `Fri, 09 Oct 2020 23:01:26 GMT`."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)
