"""Log lines: text as the standard library would write it, JSON one object a line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime, timedelta

from mailslot.logs import (
    JsonFormatter,
    RequestContext,
    TextFormatter,
    audit,
    audit_log,
    current_request,
)

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


def record(created: float, message: str = "hello %s", *args: object) -> logging.LogRecord:
    made = logging.LogRecord("mailslot.test", logging.WARNING, __file__, 1, message, args, None)
    made.created, made.msecs = created, int(created % 1 * 1000)
    return made


def test_a_json_line_is_one_object_with_an_rfc_3339_utc_time() -> None:
    formatter = JsonFormatter()
    for created in (1_700_000_000.002, 1_700_000_000.999, 1_700_000_001.5, 1_699_999_999.25):
        made = record(created, "hello %s", "you")
        line = json.loads(formatter.format(made))
        assert line["time"].endswith("Z")
        when = datetime.fromisoformat(line["time"])  # the record's time, to the millisecond
        assert when == datetime.fromtimestamp(int(created), UTC) + timedelta(
            milliseconds=int(made.msecs)
        )
        assert (line["level"], line["logger"], line["event"]) == (
            "warning",
            "mailslot.test",
            "hello you",
        )
        assert "request_id" not in line


def test_a_json_line_holds_its_traceback_on_one_line() -> None:
    failed = record(1_700_000_000.0, "failed")
    try:
        raise ValueError("boom")
    except ValueError:
        failed.exc_info = sys.exc_info()
    text = JsonFormatter().format(failed)
    assert "\n" not in text
    exception = json.loads(text)["exception"]
    assert exception.startswith("Traceback (most recent call last):")
    assert exception.endswith("ValueError: boom")


def test_a_line_logged_during_a_request_names_it_in_both_formats() -> None:
    context = RequestContext("req-1")
    context.user, context.server_key = 7, 3
    token = current_request.set(context)
    try:
        line = json.loads(JsonFormatter().format(record(1_700_000_000.0)))
        text = TextFormatter(FORMAT).format(record(1_700_000_000.0))
    finally:
        current_request.reset(token)
    assert (line["request_id"], line["user"], line["server_key"]) == ("req-1", 7, 3)
    assert text.endswith("mailslot.test: hello %s rid=req-1 user=7 server_key=3")


def test_an_audit_record_carries_the_act_and_its_fields() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    audit_log.addHandler(handler)
    level = audit_log.level
    audit_log.setLevel(logging.INFO)
    try:
        audit("key.created", key_id=4, scopes="users:write")
    finally:
        audit_log.removeHandler(handler)
        audit_log.setLevel(level)
    (made,) = records
    line = json.loads(JsonFormatter().format(made))
    assert line["logger"] == "mailslot.audit"
    assert line["event"] == "key.created key_id=4 scopes=users:write"
    assert (line["action"], line["key_id"], line["scopes"]) == ("key.created", 4, "users:write")
    assert TextFormatter(FORMAT).format(made).endswith(": key.created key_id=4 scopes=users:write")
