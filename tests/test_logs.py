"""Log lines read as the standard library would write them."""

from __future__ import annotations

import logging

from mailslot.logs import TextFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def test_the_text_format_keeps_the_standard_timestamps() -> None:
    """TextFormatter formats a second's date and time once; every record still reads as
    logging.Formatter writes it, milliseconds included, across seconds and back."""
    ours, standard = TextFormatter(FORMAT), logging.Formatter(FORMAT)
    for created in (1_700_000_000.001, 1_700_000_000.999, 1_700_000_001.5, 1_699_999_999.25):
        record = logging.LogRecord("mailslot.access", logging.INFO, __file__, 1, "%s", ("x",), None)
        record.created, record.msecs = created, created % 1 * 1000
        assert ours.format(record) == standard.format(record)
    assert ours.formatTime(record, "%Y") == standard.formatTime(record, "%Y")
