"""A search starts from the searcher's own box: in a box no larger than the search window,
no plan walks the full-text index, whose cost follows everyone's mail (issue 16, item 8).

Plans are read as in test_plans.py: on a database of their own, analysed on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.config import Settings
from mailslot.db.engine import make_engine, make_session_factory
from mailslot.messages import search, service
from mailslot.messages.models import Delivery, Message
from tests.messages.test_plans import seeded_database

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

VIEWER = Account(1, "u1", None, datetime.now(UTC))
OWN = 150  # the viewer's inbox, well within search.SEARCH_WINDOW
FOREIGN = 20_000  # messages among users 2-21
NEEDLE_EVERY = 10_000  # the foreign messages that hold "needle"; one of the viewer's does


def crowded_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    users = [
        {
            "id": i,
            "username": f"u{i}",
            "username_key": f"u{i}",
            "password_hash": "x",
            "created_at": now,
        }
        for i in range(1, 22)
    ]
    messages: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for message_id in range(1, OWN + FOREIGN + 1):
        own = message_id <= OWN
        receiver = 1 if own else 2 + message_id % 20
        needle = message_id == OWN // 2 if own else message_id % NEEDLE_EVERY == 0
        messages.append(
            {
                "id": message_id,
                "sender_id": 2 + (message_id + 1) % 20,
                "subject": f"note {message_id % 1000}",
                "body": "common text" + (" needle" if needle else ""),
                "receiver_names": [f"u{receiver}"],
                "created_at": now,
                "thread_id": message_id,
            }
        )
        deliveries.append(
            {"receiver_id": receiver, "message_id": message_id, "thread_id": message_id}
        )
    return users, messages, deliveries


@pytest.fixture(scope="module")
async def crowded(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    async def seed(connection: AsyncConnection) -> None:
        users, messages, deliveries = crowded_rows()
        await connection.execute(insert(User), users)
        await connection.execute(insert(Message), messages)
        await connection.execute(insert(Delivery), deliveries)

    async with seeded_database(dialect, tmp_path_factory.mktemp("search"), seed) as settings:
        yield settings


async def search_plans(settings: Settings, dialect: str, q: str) -> tuple[int, list[str]]:
    """How many messages a first page of `q` in the viewer's inbox finds, and the plan of
    each statement the search ran through SQLAlchemy."""
    engine = make_engine(settings)
    ran: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            ran.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    async with make_session_factory(engine)() as db:
        filters = await search.make_filter(db, q=q)
        views, _ = await service.list_messages(
            db,
            viewer=VIEWER,
            box="inbox",
            unread=None,
            below_id=None,
            offset=0,
            limit=20,
            filters=filters,
            thread_unread=True,
        )
    event.remove(engine.sync_engine, "before_cursor_execute", record)
    plans = []
    async with engine.connect() as connection:
        for statement, parameters in ran:
            explain = "EXPLAIN QUERY PLAN" if dialect == "sqlite" else "EXPLAIN"
            rows = await connection.exec_driver_sql(f"{explain} {statement}", parameters)
            plans.append("\n".join(str(row[-1]) for row in rows))
    await engine.dispose()
    return len(views), plans


# How each plan reaches the messages. FTS5 describes its part as "idxNum:idxStr", where
# "=" in idxStr is a rowid equality: the one message looked up; without it, FTS5 walks
# every message that holds the terms.
SQLITE_MESSAGE = re.compile(
    r"(?:SCAN|SEARCH) (message\S*)(?: VIRTUAL TABLE INDEX \d+:(\S*)| (.*))?"
)
POSTGRES_MESSAGE = re.compile(r"(?:->  )?(\S.*?) on message\b")


@pytest.mark.parametrize(("q", "count"), [("needle", 1), ("absent", 0), ("common", 20)])
async def test_a_search_in_a_small_box_starts_from_its_rows(crowded, dialect, q, count) -> None:
    """Each plan finds the viewer's deliveries first and then looks up each of their
    messages by id, in the table and in the full-text index alike."""
    found, plans = await search_plans(crowded, dialect, q)
    assert found == count
    assert plans
    for plan in plans:
        if dialect == "sqlite":
            assert re.search(r"SEARCH delivery USING .*INDEX \S+ \(receiver_id=\?", plan), plan
            reached = SQLITE_MESSAGE.findall(plan)
            assert any(table == "message_fts" for table, _, _ in reached), plan
            for table, index, how in reached:
                if table == "message_fts":
                    assert "=" in index, plan
                else:
                    assert how == "USING INTEGER PRIMARY KEY (rowid=?)", plan
        else:
            reached = POSTGRES_MESSAGE.findall(plan)
            assert reached, plan
            assert all(how == "Index Scan using pk_message" for how in reached), plan
