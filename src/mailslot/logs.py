"""Logging set-up: text or JSON lines on stderr, the request each line belongs to, and the
audit stream (`mailslot.audit`). docs/monitoring.md#logs describes every field."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from contextvars import ContextVar
from typing import Any, TextIO

from mailslot.config import Settings

audit_log = logging.getLogger("mailslot.audit")


class RequestContext:
    """The request being served: its id (middleware.Edge), and who acts, once
    authentication knows (a user's id, or a server key's)."""

    __slots__ = ("request_id", "server_key", "user")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.user: int | None = None
        self.server_key: int | None = None


# Set by middleware.Edge for the whole request, streams included; tasks a request starts
# copy it. Every line logged meanwhile, by any logger, names the request.
current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


def acting_user(user_id: int) -> None:
    """The request acts as this user (its token, password or ticket was accepted)."""
    context = current_request.get()
    if context is not None:
        context.user = user_id


def acting_key(key_id: int) -> None:
    """The request acts with this server key."""
    context = current_request.get()
    if context is not None:
        context.server_key = key_id


class _Pairs:
    """`name=value ...`, formatted only if the record is."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, object]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        return "".join(f" {name}={value}" for name, value in self.fields.items())


def audit(action: str, **fields: object) -> None:
    """One record on the `mailslot.audit` stream for an administrative act (a key made, a
    user deactivated), logged once the act is committed: the act and what it touched, by
    internal ids. Never a secret, an email address or a host's external id (it may be
    one). Who acted comes from the request (`user`, `server_key`); the JSON format writes
    `action` and each field as they are."""
    audit_log.info("%s%s", action, _Pairs(fields), extra={"fields": {"action": action, **fields}})


_instance = ""
_instance_port: int | None = None


def _name_instance() -> None:
    global _instance
    host, pid = socket.gethostname(), os.getpid()
    _instance = f"{host}:{_instance_port}:{pid}" if _instance_port else f"{host}:{pid}"


# A process forked from this one is another (uvicorn spawns its workers, which configure
# logging themselves; a fork would not).
os.register_at_fork(after_in_child=_name_instance)


# One encoder for every record, built once: compact, and what JSON lacks (a datetime, an
# enum) as its str().
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, event (the message), the request's
    id and actor while one is served, the instance, the record's `fields` (extra=), and
    an exception's traceback."""

    _second: int | None = None
    _formatted = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:
            self._second = second
            self._formatted = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        entry: dict[str, Any] = {
            "time": f"{self._formatted}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        context = current_request.get()
        if context is not None:
            entry["request_id"] = context.request_id
            if context.user is not None:
                entry["user"] = context.user
            if context.server_key is not None:
                entry["server_key"] = context.server_key
        entry["instance"] = _instance
        fields = record.__dict__.get("fields")
        if fields:
            entry.update(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return _encode(entry)


class TextFormatter(logging.Formatter):
    """logging.Formatter, with asctime's date and time formatted once a second instead of
    for every record (an access-log line per request), and the request's id and actor
    after the message of a line logged while one is served."""

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

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        context = current_request.get()
        if context is None:
            return line
        line += f" rid={context.request_id}"
        if context.user is not None:
            line += f" user={context.user}"
        if context.server_key is not None:
            line += f" server_key={context.server_key}"
        return line


def resolved_log_format(settings: Settings) -> str:
    """The configured format, else text on a terminal and JSON lines anywhere else."""
    return settings.log_format or ("text" if sys.stderr.isatty() else "json")


def configure_logging(
    settings: Settings, *, serving: bool = False, stream: TextIO | None = None
) -> None:
    """Every logger's lines, uvicorn's too, to stderr (or `stream`) in the configured
    format. A serving process is named by host, port and pid in JSON lines; a command by
    host and pid."""
    # No format here names a thread or a process: the logging HOWTO's "Optimization" flags
    # spare every record (an access-log line per request) looking them up.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # nor where it was called from: no format names the line
    global _instance_port
    _instance_port = settings.port if serving else None
    _name_instance()
    handler = logging.StreamHandler(stream)
    if resolved_log_format(settings) == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    logging.captureWarnings(True)  # a Python warning is a line in the same format
    # uvicorn's access log prints raw query strings, where seed A carries passwords: ours
    # (mailslot.access) replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    # aiosqlite logs each statement with its parameters at debug level: message bodies.
    logging.getLogger("aiosqlite").setLevel(max(root.level, logging.INFO))
    # httpx logs each request's URL at info level: a webhook endpoint's URL may hold the
    # receiver's own secret (and the deliveries have a log of their own).
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
    uvicorn_errors = logging.getLogger("uvicorn.error")
    if _cut_streams not in uvicorn_errors.filters:
        uvicorn_errors.addFilter(_cut_streams)


def _cut_streams(record: logging.LogRecord) -> bool:
    # A live stream whose client stopped reading is cut on purpose (mailslot.realtime logs
    # why); uvicorn would call that an error.
    return record.msg != "ASGI callable returned without completing response."
