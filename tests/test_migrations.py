"""Alembic keeps up with the models: upgrade head on an empty database equals them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy import text as sql

from mailslot.config import Settings
from mailslot.db.base import metadata
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade
from mailslot.messages.search import include_in_autogenerate
from tests.support.databases import create_postgres_database, drop_postgres_database, make_settings

pytestmark = pytest.mark.anyio


async def test_migrations_match_the_models(settings, dialect) -> None:
    engine = make_engine(settings)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync,
                    # The FTS5 table (SQLite) and the tsvector column and its GIN index
                    # (PostgreSQL) are hand-written in migration 0003: no model has them.
                    opts={"compare_type": True, "include_name": include_in_autogenerate},
                ),
                metadata,
            )
        )
        indexes = await connection.run_sync(
            lambda sync: {ix["name"] for ix in inspect(sync).get_indexes("delivery")}
        )
    await engine.dispose()
    assert diff == []
    assert {"ix_delivery_inbox", "ix_delivery_unread"} <= indexes


async def test_sqlite_runs_durable_wal_with_foreign_keys(tmp_path) -> None:
    from sqlalchemy import text

    from tests.support.databases import make_settings

    engine = make_engine(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/d.db"))
    async with engine.connect() as connection:
        pragmas = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    await engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


async def test_inbox_page_is_an_index_range_scan(settings, dialect) -> None:
    """The plan of the first inbox page walks the inbox index, whatever the mailbox size."""
    from sqlalchemy import text

    from mailslot.messages.pages import received_page

    engine = make_engine(settings)
    query = received_page("inbox", 1, None, None, 0, 21)
    compiled = query.compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
    async with engine.connect() as connection:
        if dialect == "sqlite":
            plan = " ".join(
                str(row[-1])
                for row in await connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
        else:
            await connection.execute(text("SET enable_seqscan = off"))
            plan = " ".join(row[0] for row in await connection.execute(text(f"EXPLAIN {compiled}")))
    await engine.dispose()
    # A range of one receiver's rows in an index ordered by message id, never a sort.
    assert re.search(
        r"(ix_delivery_inbox|pk_delivery|sqlite_autoindex_delivery_1).*receiver_id", plan
    ), plan
    assert "SORT" not in plan.upper(), plan
    assert "TEMP B-TREE" not in plan.upper(), plan


@asynccontextmanager
async def scratch_settings(dialect: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings for an empty database of the test's own, dropped after it."""
    url = (
        f"sqlite+aiosqlite:///{tmp_path}/m.db"
        if dialect == "sqlite"
        else await create_postgres_database()
    )
    try:
        yield make_settings(tmp_path, url)
    finally:
        if dialect == "postgres":
            await drop_postgres_database(url)


async def test_0011_keeps_every_row_of_a_populated_database(dialect, tmp_path) -> None:
    """Migration 0011 adds to user_account, which every table references: on SQLite a
    rebuild of it would be refused, or cascade, while they hold rows."""
    async with scratch_settings(dialect, tmp_path) as settings:
        await upgrade(settings, revision="0008")
        engine = make_engine(settings)
        async with engine.begin() as db:
            for statement in (
                "INSERT INTO user_account (id, username, username_key, password_hash, "
                "created_at) VALUES (1, 'a', 'a', 'x', '2026-01-01'), (2, 'b', 'b', 'x', "
                "'2026-01-01')",
                "INSERT INTO message (id, sender_id, subject, body, receiver_names, created_at,"
                " thread_id) VALUES (1, 1, 's', 'b', '[\"b\"]', '2026-01-01', 1)",
                "INSERT INTO delivery (receiver_id, message_id, thread_id) VALUES (2, 1, 1)",
            ):
                await db.execute(sql(statement))
        await engine.dispose()
        await upgrade(settings)
        engine = make_engine(settings)
        async with engine.connect() as db:
            for table in ("user_account", "message", "delivery"):
                count = (await db.execute(sql(f"SELECT count(*) FROM {table}"))).scalar()  # noqa: S608
                assert count == (2 if table == "user_account" else 1), table
        await engine.dispose()


async def test_0023_leaves_the_latest_attempt_on_its_delivery(dialect, tmp_path) -> None:
    """Migration 0023: webhook_attempt keeps the attempts before each delivery's latest,
    which the delivery's last_* columns hold."""
    async with scratch_settings(dialect, tmp_path) as settings:
        await upgrade(settings, revision="0022")
        engine = make_engine(settings)
        async with engine.begin() as db:
            await db.execute(
                sql(
                    "INSERT INTO webhook_delivery (id, endpoint_id, event_id, status, attempts,"
                    " created_at) VALUES (1, 1, 'msg_a', 'succeeded', 2, '2026-01-01'),"
                    " (2, 1, 'msg_b', 'succeeded', 1, '2026-01-01'),"
                    " (3, 1, 'msg_c', 'pending', 0, '2026-01-01')"
                )
            )
            await db.execute(
                sql(
                    "INSERT INTO webhook_attempt (delivery_id, number, started_at, latency_ms)"
                    " VALUES (1, 1, '2026-01-01', 5), (1, 2, '2026-01-01', 5),"
                    " (2, 1, '2026-01-01', 5)"
                )
            )
        await engine.dispose()
        await upgrade(settings)
        engine = make_engine(settings)
        async with engine.connect() as db:
            left = await db.execute(sql("SELECT delivery_id, number FROM webhook_attempt"))
            assert sorted(map(tuple, left)) == [(1, 1)]
        await engine.dispose()
