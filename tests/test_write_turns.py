"""SQLite writers of one process take turns before BEGIN IMMEDIATE, so none of them waits
in SQLite's busy handler (which retries with growing sleeps and starves some)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiosqlite
import anyio
import pytest
from sqlalchemy import event, text

from mailslot.db.engine import make_engine
from tests.support.databases import make_settings

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


async def test_a_connection_goes_back_rolled_back_only_if_a_transaction_is_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite: a connection back in the pool is rolled back when it holds a transaction
    (and the write lock with it), and costs no rollback, a hop to aiosqlite's thread, when
    it holds none, as after a read on the driver."""
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/reset.db")
    engine = make_engine(settings)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
    caplog.set_level(logging.DEBUG, logger="aiosqlite")

    async with engine.connect() as connection:  # a transaction SQLAlchemy never saw
        driver = (await connection.get_raw_connection()).driver_connection
        assert isinstance(driver, aiosqlite.Connection)
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute("INSERT INTO t VALUES (1)")
    rolled_back = [r for r in caplog.records if _runs_rollback(r)]
    caplog.clear()
    async with engine.connect() as connection:  # a read on the driver
        driver = (await connection.get_raw_connection()).driver_connection
        assert isinstance(driver, aiosqlite.Connection)
        assert list(await driver.execute_fetchall("SELECT count(*) FROM t")) == [(0,)]
    assert not [r for r in caplog.records if _runs_rollback(r)]
    assert rolled_back
    async with engine.begin() as connection:  # the write lock was given back
        await connection.execute(text("INSERT INTO t VALUES (2)"))
    await engine.dispose()


def _runs_rollback(record: logging.LogRecord) -> bool:
    # aiosqlite's thread logs "executing <call>" before it runs a call (and "completed"
    # after, possibly once the test has moved on).
    message = record.getMessage()
    return message.startswith("executing") and "rollback" in message
