"""The new listings walk their indexes, so their cost does not grow with the mailbox."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.db.engine import make_engine
from mailslot.messages import service
from mailslot.messages.models import Delivery
from mailslot.messages.search import MessageFilter
from tests.factories import make_user, post_message, send

pytestmark = pytest.mark.anyio

VIEWER = Account(1, "a", None, datetime.now(UTC))


async def plan_of(settings, dialect: str, query: Any) -> str:
    engine = make_engine(settings)
    compiled = query.compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
    async with engine.connect() as connection:
        if dialect == "sqlite":
            rows = await connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            plan = " ".join(str(row[-1]) for row in rows)
        else:
            # Tiny test tables make a sequential scan cheapest; ask what the index plan is.
            await connection.execute(text("SET enable_seqscan = off"))
            rows = await connection.execute(text(f"EXPLAIN {compiled}"))
            plan = " ".join(row[0] for row in rows)
    await engine.dispose()
    return plan


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("inbox_thread", "ix_delivery_thread"),
        # Either thread index bounds the walk to one thread; on tiny tables PostgreSQL's
        # pick between them depends on what other tests left, so both are accepted.
        ("inbox_thread_unread", "ix_delivery_thread"),
        ("sent_thread", "ix_message_sent_thread"),
        ("trash", "ix_delivery_trash"),
        ("unread_by_thread", "ix_delivery_thread"),
        ("purge", "ix_delivery_trashed_at"),
    ],
)
async def test_listing_walks_its_index(settings, dialect, name, index) -> None:
    thread = MessageFilter(dialect=dialect, thread_id=7)
    queries: dict[str, Callable[[], Any]] = {
        "inbox_thread": lambda: service._inbox_page(VIEWER, None, None, 0, 21, filters=thread),
        "inbox_thread_unread": lambda: service._inbox_page(
            VIEWER, True, None, 0, 21, filters=thread
        ),
        "sent_thread": lambda: service._sent_page(VIEWER, None, 0, 21, filters=thread),
        "trash": lambda: service._trash_page(VIEWER, None, None, 0, 21),
        "unread_by_thread": lambda: (
            select(Delivery.thread_id, func.count())
            .where(
                Delivery.receiver_id == 1,
                Delivery.deleted_at.is_(None),
                Delivery.read_at.is_(None),
                Delivery.thread_id.in_([7, 8]),
            )
            .group_by(Delivery.thread_id)
        ),
        "purge": lambda: (
            select(Delivery.message_id)
            .where(
                Delivery.trashed_at.is_not(None),
                Delivery.trashed_at < datetime(2026, 1, 1, tzinfo=UTC),
            )
            .order_by(Delivery.trashed_at)
            .limit(1000)
        ),
    }
    plan = await plan_of(settings, dialect, queries[name]())
    assert index in plan, plan
    if name != "unread_by_thread":
        assert "TEMP B-TREE" not in plan.upper(), plan  # SQLite: no sort step


def count_runs_on_sqlite(path: str, statement: str) -> int:
    """How many times `statement` runs count(*): SQLite lets an application function
    stand in for a built-in one, so this count(*) also counts itself."""
    runs: list[int] = []

    class Count:
        def __init__(self) -> None:
            self.rows = 0

        def step(self) -> None:
            self.rows += 1

        def finalize(self) -> int:
            runs.append(self.rows)
            return self.rows

    connection = sqlite3.connect(path)
    try:
        # typeshed knows aggregates of one argument only; count(*) takes none.
        connection.create_aggregate("count", 0, Count)  # type: ignore[arg-type]
        connection.execute(statement).fetchall()
    finally:
        connection.close()
    return len(runs)


async def test_a_page_counts_each_of_its_threads_once(client, settings, dialect) -> None:
    """Three rows of one thread and one of another: the unread count runs twice, over
    the per-thread unread index, not once per row."""
    alice, bob = await make_user(client), await make_user(client)
    first = await send(client, alice, bob)
    for _ in range(2):
        assert (await post_message(client, alice, {"reply_to": first["id"]})).status_code == 201
    await send(client, alice, bob)
    engine = make_engine(settings)
    async with engine.connect() as connection:
        bob_id = await connection.scalar(select(User.id).where(User.username == bob.username))
    query = service._unfiltered_page("inbox", None, keyset=False, thread_unread=True)
    params = {"viewer_id": bob_id, "page_offset": 0, "page_limit": 21}
    statement = str(
        query.params(**params).compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
    )
    async with engine.connect() as connection:
        if dialect == "sqlite":
            rows = await connection.execute(text(f"EXPLAIN QUERY PLAN {statement}"))
            plan = " ".join(str(row[-1]) for row in rows)
            database = make_url(settings.resolved_database_url).database
            assert database is not None
            runs = count_runs_on_sqlite(database, statement)
        else:
            await connection.execute(text("SET enable_seqscan = off"))  # tiny tables
            rows = await connection.execute(
                text(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {statement}")
            )
            plan = "\n".join(row[0] for row in rows)
            counted = re.search(r"SubPlan \d+\s+->  Aggregate \(actual rows=1 loops=(\d+)\)", plan)
            assert counted is not None, plan
            runs = int(counted[1])
    await engine.dispose()
    assert runs == 2, plan
    assert "ix_delivery_thread_unread" in plan, plan
