"""The SQL an app runs, recorded: for tests that count statements (Zulip-style query
counts: a fixed number per request, whatever the data); and whether a session's
connection has a transaction open at the driver."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db import direct
from mailslot.state import app_state


@contextmanager
def statements(app: FastAPI, matching: str | None = None) -> Iterator[list[str]]:
    """The statements the app's engine sends while the block runs (its read-only engine
    shares its events) and those run on the driver (db.direct), or only those in which
    the regular expression `matching` is found. Transaction control through the driver
    (BEGIN, COMMIT) is not a statement."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if matching is None or re.search(matching, statement):
            seen.append(statement)

    class Direct(logging.Handler):
        def emit(self, entry: logging.LogRecord) -> None:
            record(None, None, entry.getMessage())

    engine = app_state(app).engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    handler, level = Direct(), direct.log.level
    direct.log.addHandler(handler)
    direct.log.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
        direct.log.removeHandler(handler)
        direct.log.setLevel(level)


async def in_transaction(db: AsyncSession) -> bool:
    """Whether the driver's connection under `db` is in a transaction (BEGIN was sent)."""
    raw = await (await db.connection()).get_raw_connection()
    assert raw.driver_connection is not None
    return bool(raw.driver_connection.is_in_transaction())
