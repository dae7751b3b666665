"""A listing filtered by context walks its box's context index, so its cost follows the
messages of that context, not the mailbox (ix_delivery_context, ix_message_sent_context).
Plans are read on a seeded database of their own, as in test_plans.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from mailslot.accounts.models import User
from mailslot.config import Settings
from mailslot.db.engine import make_engine
from mailslot.messages.models import Delivery, Message
from mailslot.messages.pages import received_page, sent_page
from mailslot.messages.search import MessageFilter
from tests.messages.test_plans import plan_of, seeded_database, user_rows

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

VIEWER = 1
RECEIVED = 30_000  # from user 2 to the viewer; every third has a context, 1,000 refs
SENT = 10_000  # from the viewer to user 3; every second has a context
REFS = 1000
REF = "order:7"
# A full scan of a mailbox table: PostgreSQL's Seq Scan, SQLite's SCAN (not SEARCH).
FULL_SCAN = re.compile(r"Seq Scan on (delivery|message)\b|\bSCAN (delivery|message)\b")


def ref_of(i: int, every: int) -> str | None:
    return f"order:{i % REFS}" if i % every == 0 else None


def rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    users = user_rows(3, now)
    messages: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for i in range(1, RECEIVED + SENT + 1):
        received = i <= RECEIVED
        ref = ref_of(i, 3 if received else 2)
        sender, receiver = (2, VIEWER) if received else (VIEWER, 3)
        messages.append(
            {
                "id": i,
                "sender_id": sender,
                "subject": "s",
                "body": "b",
                "receiver_names": [f"u{receiver}"],
                "created_at": now,
                "thread_id": i,
                "context_ref": ref,
                "context_data": {"n": i} if ref else None,
                "context_signed": False if ref else None,
            }
        )
        trashed = now if i % 50 == 0 else None
        deliveries.append(
            {
                "receiver_id": receiver,
                "message_id": i,
                "thread_id": i,
                "context_ref": ref,
                "read_at": now if i % 2 else None,
                "deleted_at": trashed,
                "trashed_at": trashed,
            }
        )
    return users, messages, deliveries


@pytest.fixture(scope="module")
async def mailbox(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    async def seed(connection: AsyncConnection) -> None:
        for table, values in zip((User, Message, Delivery), rows(), strict=True):
            await connection.execute(insert(table), values)

    async with seeded_database(dialect, tmp_path_factory.mktemp("context"), seed) as settings:
        yield settings


def in_context(dialect: str) -> MessageFilter:
    return MessageFilter(dialect=dialect, context_ref=REF)


QUERIES = {
    "inbox": lambda f: received_page("inbox", VIEWER, None, None, 0, 21, filters=f),
    "inbox_unread": lambda f: received_page("inbox", VIEWER, True, None, 0, 21, filters=f),
    "inbox_below": lambda f: received_page("inbox", VIEWER, None, 20_000, 0, 21, filters=f),
    "sent": lambda f: sent_page(VIEWER, None, 0, 21, filters=f),
    "sent_below": lambda f: sent_page(VIEWER, 35_000, 0, 21, filters=f),
}


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("inbox", "ix_delivery_context"),
        ("inbox_unread", "ix_delivery_context"),
        ("inbox_below", "ix_delivery_context"),
        ("sent", "ix_message_sent_context"),
        ("sent_below", "ix_message_sent_context"),
    ],
)
async def test_a_context_listing_walks_its_context_index(mailbox, dialect, name, index) -> None:
    plan = await plan_of(mailbox, dialect, QUERIES[name](in_context(dialect)))
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan.upper(), plan  # SQLite: no sort step
    assert not FULL_SCAN.search(plan), plan


@pytest.mark.parametrize(
    ("name", "index"), [("inbox", "ix_delivery_context"), ("sent", "ix_message_sent_context")]
)
async def test_the_generic_plan_walks_the_context_index_too(mailbox, dialect, name, index) -> None:
    """PostgreSQL: a statement run often is planned once with its parameters unknown (the
    driver's prepared statements); the partial index must still be provably usable then:
    `context_ref = $1` implies `context_ref IS NOT NULL`."""
    if dialect != "postgres":
        pytest.skip("PostgreSQL's plan cache")
    query = QUERIES[name](in_context(dialect))
    engine = make_engine(mailbox)
    sql = str(query.compile(engine.sync_engine, compile_kwargs={"literal_binds": True}))
    assert sql.count(f"'{REF}'") == 1, sql
    prepared = sql.replace(f"'{REF}'", "$1")
    async with engine.connect() as connection:
        await connection.execute(text(f"PREPARE by_context(varchar) AS {prepared}"))
        await connection.execute(text("SET plan_cache_mode = force_generic_plan"))
        rows = await connection.execute(text(f"EXPLAIN EXECUTE by_context('{REF}')"))
        plan = "\n".join(row[0] for row in rows)
    await engine.dispose()
    assert index in plan, plan
    assert not FULL_SCAN.search(plan), plan


async def test_the_trash_by_context_walks_the_trash_index(mailbox, dialect) -> None:
    """The trash has no context index of its own: it is walked on ix_delivery_trash, so
    its cost follows the trash (purged after MAILSLOT_TRASH_RETENTION_DAYS), not the
    mailbox."""
    query = received_page("trash", VIEWER, None, None, 0, 21, filters=in_context(dialect))
    plan = await plan_of(mailbox, dialect, query)
    assert "ix_delivery_trash" in plan, plan
    assert not FULL_SCAN.search(plan), plan
