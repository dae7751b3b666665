"""SQLite writers of one process take turns before BEGIN IMMEDIATE, so none of them waits
in SQLite's busy handler (which retries with growing sleeps and starves some)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from sqlalchemy import event, text

from mailslot.db.engine import make_engine
from tests.conftest import make_settings

pytestmark = pytest.mark.anyio


async def test_concurrent_sqlite_writers_queue_in_the_process(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/turns.db")
    engine = make_engine(settings)

    @event.listens_for(engine.sync_engine, "connect")
    def _short_busy_wait(dbapi_connection: Any, _record: Any) -> None:
        # Long enough for the one commit a queued writer may meet (the turn passes just
        # before SQLite's COMMIT), far too short for waiting behind 19 writers in SQLite.
        dbapi_connection.cursor().execute("PRAGMA busy_timeout=1000")

    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
    failures: list[BaseException] = []

    async def write(n: int) -> None:
        try:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                await anyio.sleep(0.1)  # hold the write lock while others arrive
        except Exception as exc:
            failures.append(exc)

    try:
        async with anyio.create_task_group() as group:
            for n in range(20):
                group.start_soon(write, n)
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM t"))
    finally:
        await engine.dispose()
    assert failures == []
    assert count == 20
