"""The new listings walk their indexes, so their cost does not grow with the mailbox.

The plans are read on a database of their own, seeded with a mailbox-shaped data set and,
on PostgreSQL, analysed as autovacuum would: the planner then chooses from real statistics,
not from whatever the rest of the suite happened to leave in a shared database."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.config import Settings
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade
from mailslot.messages import retention
from mailslot.messages.models import Delivery, Message
from mailslot.messages.pages import PageShape, received_page, sent_page, unfiltered_page
from mailslot.messages.search import MessageFilter
from mailslot.messages.views import Box
from tests.support.databases import create_postgres_database, drop_postgres_database, make_settings

# The first test of each engine builds the seeded database: some 72,000 rows.
pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

VIEWER = Account(1, "u1", None, datetime.now(UTC))
USERS = 50
FIRST_NAMED, NAMED = 1001, 2000  # users outside the mailbox (named_users)
THREADS = 3000  # of four messages each, between two users who take turns
BIG = USERS + 1  # a user holding most rows, all of them older than anyone else's
BIG_MAILBOX = 60_000
FIRST_ID = 100_001  # the threads' message ids; the big mailbox's are below
UNREAD_FROM = FIRST_ID + 10_800  # messages above this id are unread: the newest tenth
KEPT_AFTER = datetime(2026, 11, 1, 1, tzinfo=UTC)  # a cutoff among the threads' messages


def user_rows(count: int, now: datetime) -> list[dict[str, Any]]:
    """Users 1 to `count`, named u1, u2..."""
    return [
        {
            "id": i,
            "username": f"u{i}",
            "username_key": f"u{i}",
            "password_hash": "x",
            "created_at": now,
        }
        for i in range(1, count + 1)
    ]


def mailbox_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Users 1-50; thread k is between user ((k - 7) mod 25) + 1 and that user + 25, so
    the viewer (user 1) is in thread 7 and every 25th thread after it. Every 50th delivery
    is in its receiver's trash. User 51 holds BIG_MAILBOX read messages from user 2, each
    a thread of its own and all older than every thread's."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    users = user_rows(BIG, now)
    messages: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for message_id in range(1, BIG_MAILBOX + 1):
        thread = THREADS + message_id
        messages.append(
            {
                "id": message_id,
                "sender_id": 2,
                "subject": "old",
                "body": "old",
                "receiver_names": [f"u{BIG}"],
                "created_at": now,
                "thread_id": thread,
            }
        )
        deliveries.append(
            {"receiver_id": BIG, "message_id": message_id, "thread_id": thread, "read_at": now}
        )
    for k in range(1, THREADS + 1):
        first = (k - 7) % 25 + 1
        pair = (first, first + 25)
        for turn in range(4):
            sender, receiver = pair[turn % 2], pair[1 - turn % 2]
            message_id = FIRST_ID + 4 * (k - 1) + turn
            created = now + timedelta(seconds=message_id)
            messages.append(
                {
                    "id": message_id,
                    "sender_id": sender,
                    "subject": f"thread {k}",
                    "body": "a message body of moderate length",
                    "receiver_names": [f"u{receiver}"],
                    "created_at": created,
                    "thread_id": k,
                }
            )
            trashed = created if message_id % 50 == 0 else None
            deliveries.append(
                {
                    "receiver_id": receiver,
                    "message_id": message_id,
                    "thread_id": k,
                    "read_at": None if message_id > UNREAD_FROM else created,
                    "deleted_at": trashed,
                    "trashed_at": trashed,
                }
            )
    return users, messages, deliveries


@asynccontextmanager
async def seeded_database(
    dialect: str, data: Path, seed: Callable[[AsyncConnection], Awaitable[None]]
) -> AsyncIterator[Settings]:
    """Settings for a private database, migrated, seeded by `seed` and, on PostgreSQL,
    analysed as autovacuum would (SQLite keeps no statistics unless told to, nor does
    mailslot ask it to)."""
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{data}/plans.db"
    else:
        url = await create_postgres_database()
    settings = make_settings(data, url)
    try:
        await upgrade(settings)
        engine = make_engine(settings)
        async with engine.begin() as connection:
            await seed(connection)
        if dialect == "postgres":
            async with engine.connect() as connection:
                await connection.execute(text("COMMIT"))
                await connection.execute(text("ANALYZE"))
        await engine.dispose()
        yield settings
    finally:
        if dialect == "postgres":
            await drop_postgres_database(url)


@pytest.fixture(scope="module")
async def mailbox(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    async def seed(connection: AsyncConnection) -> None:
        users, messages, deliveries = mailbox_rows()
        await connection.execute(insert(User), users + named_users())
        await connection.execute(insert(Message), messages)
        await connection.execute(insert(Delivery), deliveries)

    async with seeded_database(dialect, tmp_path_factory.mktemp("plans"), seed) as settings:
        yield settings


def named_users() -> list[dict[str, Any]]:
    """NAMED users besides the mailbox's, every other one with a display name."""
    rows = user_rows(FIRST_NAMED + NAMED - 1, datetime(2026, 11, 1, tzinfo=UTC))[FIRST_NAMED - 1 :]
    for row in rows:
        row["display_name"] = f"Named {row['id']}" if row["id"] % 2 else None
    return rows


def first_page(box: Box) -> DirectQuery:
    """The statement of a box's first page of 20, as a list runs it."""
    shape = PageShape(box, None, keyset=False, numbered=False, limit=21, thread_unread=True)
    return unfiltered_page(shape)


async def plan_of(settings: Settings, dialect: str, query: Any) -> str:
    engine = make_engine(settings)
    compiled = query.compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
    async with engine.connect() as connection:
        if dialect == "sqlite":
            rows = await connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            plan = " ".join(str(row[-1]) for row in rows)
        else:
            rows = await connection.execute(text(f"EXPLAIN {compiled}"))
            plan = " ".join(row[0] for row in rows)
    await engine.dispose()
    return plan


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("inbox_thread", "ix_delivery_thread"),
        ("inbox_thread_unread", "ix_delivery_thread_unread"),
        ("sent_thread", "ix_message_sent_thread"),
        ("trash", "ix_delivery_trash"),
        ("unread_by_thread", "ix_delivery_thread"),
        ("purge", "ix_delivery_trashed_at"),
        ("inbox_retained", "ix_delivery_inbox"),
        ("sent_retained", "ix_message_sent"),
        ("retention_batch", "ix_message_created_at"),
    ],
)
async def test_listing_walks_its_index(mailbox, dialect, name, index) -> None:
    thread = MessageFilter(dialect=dialect, thread_id=7)
    queries: dict[str, Callable[[], Any]] = {
        "inbox_thread": lambda: received_page(
            "inbox", VIEWER.id, None, None, 0, 21, filters=thread
        ),
        "inbox_thread_unread": lambda: received_page(
            "inbox", VIEWER.id, True, None, 0, 21, filters=thread
        ),
        "sent_thread": lambda: sent_page(VIEWER.id, None, 0, 21, filters=thread),
        "trash": lambda: received_page("trash", VIEWER.id, None, None, 0, 21),
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
            .with_for_update(key_share=True, skip_locked=True)  # as trash.purge_trash
        ),
        # With MAILSLOT_RETENTION_DAYS: the same walk, each row's age read on the way.
        "inbox_retained": lambda: received_page(
            "inbox", VIEWER.id, None, None, 0, 21, retained=True
        ).params(kept_after=KEPT_AFTER),
        "sent_retained": lambda: sent_page(VIEWER.id, None, 0, 21, retained=True).params(
            kept_after=KEPT_AFTER
        ),
        "retention_batch": lambda: retention.due_batch(KEPT_AFTER, 500),
    }
    plan = await plan_of(mailbox, dialect, queries[name]())
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


async def test_a_page_counts_each_of_its_threads_once(mailbox, dialect) -> None:
    """The viewer's newest page holds two rows of most of its threads: the unread count
    runs once per distinct thread, over the per-thread unread index, not once per row."""
    engine = make_engine(mailbox)
    query = first_page("inbox").statement
    params = {"viewer_id": VIEWER.id}
    statement = str(
        query.params(**params).compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
    )
    async with engine.connect() as connection:
        threads = len({row.thread_id for row in await connection.execute(text(statement))})
        if dialect == "sqlite":
            rows = await connection.execute(text(f"EXPLAIN QUERY PLAN {statement}"))
            plan = " ".join(str(row[-1]) for row in rows)
            database = make_url(mailbox.resolved_database_url).database
            assert database is not None
            runs = count_runs_on_sqlite(database, statement)
        else:
            rows = await connection.execute(
                text(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {statement}")
            )
            plan = "\n".join(row[0] for row in rows)
            # The thread count's subplan (another, the receivers' display names, runs per row).
            counted = re.search(
                r"SubPlan \d+\s+->  Aggregate \(actual rows=1 loops=(\d+)\)\s+"
                r"->  Index Only Scan using ix_delivery_thread_unread",
                plan,
            )
            assert counted is not None, plan
            runs = int(counted[1])
    await engine.dispose()
    assert 1 < threads < 21
    assert runs == threads, plan
    assert "ix_delivery_thread_unread" in plan, plan


@pytest.mark.parametrize("box", ["inbox", "trash"])
async def test_a_large_quiet_mailbox_pages_on_its_own_index(mailbox, dialect, box) -> None:
    """User 51 holds most of the rows, all older than everyone else's. Paging by message
    id alone (the message_id index, backwards, filtered by receiver) would walk past every
    newer delivery of every other user first: a page would cost more as others write."""
    query = first_page(box).statement
    plan = await plan_of(mailbox, dialect, query.params(viewer_id=BIG))
    assert "ix_delivery_message_id" not in plan, plan
    assert f"ix_delivery_{box}" in plan, plan


async def test_a_page_finds_its_receivers_display_names_by_the_username_index(
    mailbox, dialect
) -> None:
    """Among 2,050 users, a thousand of them named: each listed message's receivers are
    looked up by the unique username index. On PostgreSQL, joined with the receivers'
    JSON list (planned at 100 rows), the users were walked in full once per message."""
    query = first_page("inbox").statement.params(viewer_id=VIEWER.id)
    plan = await plan_of(mailbox, dialect, query)
    if dialect == "postgres":
        assert "uq_user_account_username_key" in plan, plan
        assert "Seq Scan on user_account" not in plan, plan
    else:  # the unique constraint's own index
        assert "SEARCH receiver_account USING INDEX" in plan, plan


async def cached_plans(
    settings: Settings, query: DirectQuery, params: dict[str, Any]
) -> tuple[str, str]:
    """PostgreSQL: after ten executions of `query` through the driver's statement cache,
    as a pooled connection runs it, the plan its plan cache chose and the generic plan
    (every parameter unknown) it weighed against planning each execution."""
    engine = make_engine(settings)
    async with engine.connect() as connection:
        for _ in range(10):
            await query.all(connection, params)
        compiled = query._compiled["postgresql"]
        name = (
            await connection.execute(
                text("SELECT name FROM pg_prepared_statements WHERE statement = :sql"),
                {"sql": compiled.sql},
            )
        ).scalar_one()
        execute = text(
            f'EXPLAIN EXECUTE "{name}"({", ".join(str(int(params[n])) for n in compiled.names)})'
        )
        chosen = "\n".join(row[0] for row in await connection.execute(execute))
        await connection.execute(text("SET plan_cache_mode = force_generic_plan"))
        generic = "\n".join(row[0] for row in await connection.execute(execute))
    await engine.dispose()
    return chosen, generic


GENERIC = re.compile(r"(receiver_id|sender_id) = (ANY \(ARRAY\[)?\$1")


@pytest.mark.parametrize("box", ["inbox", "sent", "trash"])
async def test_a_page_is_planned_once_for_all_its_executions(mailbox, dialect, box) -> None:
    """With its LIMIT written in, a page's prepared statement runs one generic plan on its
    box's index instead of being planned at each execution. To PostgreSQL's estimate a
    `LIMIT $n` returned a tenth of the table, so that plan cost more and never won. The
    generic plan is also what the big mailbox gets from a connection that served others
    (for it alone, a custom plan may cost less): it too walks the box's own index."""
    if dialect != "postgres":
        pytest.skip("PostgreSQL's plan cache")
    query = first_page(box)
    index = "ix_message_sent" if box == "sent" else f"ix_delivery_{box}"
    chosen, _ = await cached_plans(mailbox, query, {"viewer_id": VIEWER.id})
    assert GENERIC.search(chosen), chosen
    assert index in chosen, chosen
    _, generic = await cached_plans(mailbox, query, {"viewer_id": BIG})
    assert index in generic, generic
    assert "ix_delivery_message_id" not in generic, generic


@pytest.fixture(scope="module")
async def quiet_million(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    """PostgreSQL: a mailbox of 10^6 read messages, then 48,000 newer deliveries to 32
    other users (the shape `make bench` leaves behind its send scenarios)."""
    if dialect != "postgres":
        pytest.skip("PostgreSQL's planner; SQLite has no hash index and no statistics")

    async def seed(connection: AsyncConnection) -> None:
        for statement in QUIET_MILLION:
            await connection.execute(text(statement))

    async with seeded_database(dialect, tmp_path_factory.mktemp("quiet"), seed) as settings:
        yield settings


QUIET_MILLION = [
    "SET LOCAL statement_timeout = 0",
    "INSERT INTO user_account (id, username, username_key, password_hash, created_at) "
    "SELECT g, 'q' || g, 'q' || g, 'x', now() FROM generate_series(1, 34) AS g",
    # user 1 receives 10^6 messages from user 2, in statements of 250,000 (each within
    # the driver's 30 s command timeout on a busy machine); then users 3-34 send each
    # other 48,000
    *(
        "INSERT INTO message (id, sender_id, subject, body, receiver_names, created_at, "  # noqa: S608 (bounds from range())
        f"thread_id) SELECT g, 2, 's', 'b', '[\"q1\"]', now(), g "
        f"FROM generate_series({start}, {start + 249_999}) AS g"
        for start in range(1, 1_000_000, 250_000)
    ),
    *(
        "INSERT INTO delivery (receiver_id, message_id, thread_id, read_at) "  # noqa: S608 (bounds from range())
        f"SELECT 1, g, g, now() FROM generate_series({start}, {start + 249_999}) AS g"
        for start in range(1, 1_000_000, 250_000)
    ),
    "INSERT INTO message (id, sender_id, subject, body, receiver_names, created_at, thread_id) "
    "SELECT g, 3 + ((g - 1000001) / 1500 + 1) % 32, 's', 'b', '[\"q3\"]', now(), g "
    "FROM generate_series(1000001, 1048000) AS g",
    "INSERT INTO delivery (receiver_id, message_id, thread_id) "
    "SELECT 3 + (g - 1000001) / 1500, g, g FROM generate_series(1000001, 1048000) AS g",
]


@pytest.mark.timeout(180)  # seeding 10^6 rows
async def test_a_million_quiet_messages_page_on_their_own_index(quiet_million) -> None:
    """As a B-tree, the message_id index offered PostgreSQL this page in id order: it
    walked back through the 48,000 newer deliveries of the others (6 ms against 0.17;
    migration 0005)."""
    query = first_page("inbox").statement
    page = query.params(viewer_id=1)
    plan = await plan_of(quiet_million, "postgres", page)
    assert "ix_delivery_message_id" not in plan, plan
    assert "ix_delivery_inbox" in plan, plan
    _, generic = await cached_plans(quiet_million, first_page("inbox"), {"viewer_id": 1})
    assert "ix_delivery_message_id" not in generic, generic
    assert "ix_delivery_inbox" in generic, generic


@pytest.mark.timeout(180)  # seeding 10^6 rows
async def test_a_million_quiet_sent_messages_page_on_their_own_index(quiet_million) -> None:
    query = first_page("sent").statement
    page = query.params(viewer_id=2)
    plan = await plan_of(quiet_million, "postgres", page)
    assert "ix_message_sent" in plan, plan
    _, generic = await cached_plans(quiet_million, first_page("sent"), {"viewer_id": 2})
    assert "ix_message_sent" in generic, generic
