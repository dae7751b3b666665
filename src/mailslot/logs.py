"""Logging set-up: text or JSON lines on stderr."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from mailslot.config import Settings

audit_log = logging.getLogger("mailslot.audit")


def audit(action: str, **fields: object) -> None:
    """One record on the `mailslot.audit` stream for an administrative act (a key made, a
    user disabled): the act and what it touched, by internal ids. Never a secret, never
    personal data beyond an id. The JSON format writes the fields as they are."""
    audit_log.info("%s %s", action, fields, extra={"audit": {"action": action, **fields}})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        audited = getattr(record, "audit", None)
        if audited is not None:
            entry.update(audited)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    """logging.Formatter, with asctime's date and time formatted once a second instead of
    for every record (an access-log line per request)."""

    _second: int | None = None
    _formatted = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if second != self._second:
            self._second = second
            self._formatted = time.strftime(self.default_time_format, self.converter(second))
        return f"{self._formatted},{int(record.msecs):03d}"  # default_msec_format's form


def resolved_log_format(settings: Settings) -> str:
    """The configured format, else text on a terminal and JSON lines anywhere else."""
    return settings.log_format or ("text" if sys.stderr.isatty() else "json")


def configure_logging(settings: Settings) -> None:
    # No format here names a thread or a process: the logging HOWTO's "Optimization" flags
    # spare every record (an access-log line per request) looking them up.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # nor where it was called from: no format names the line
    handler = logging.StreamHandler()
    if resolved_log_format(settings) == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # uvicorn's access log prints raw query strings, where seed A carries passwords: ours
    # (mailslot.access) replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    # aiosqlite logs each statement with its parameters at debug level: message bodies.
    logging.getLogger("aiosqlite").setLevel(max(root.level, logging.INFO))
    logging.getLogger("uvicorn.error").addFilter(_cut_streams)


def _cut_streams(record: logging.LogRecord) -> bool:
    # A live stream whose client stopped reading is cut on purpose (mailslot.realtime logs
    # why); uvicorn would call that an error.
    return record.msg != "ASGI callable returned without completing response."
