"""The new listings walk their indexes, so their cost does not grow with the mailbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text

from mailslot.accounts.service import Account
from mailslot.db.engine import make_engine
from mailslot.messages import service
from mailslot.messages.models import Delivery
from mailslot.messages.search import MessageFilter

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
