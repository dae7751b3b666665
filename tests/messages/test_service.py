"""send_message against the database: what a refused send leaves behind, and what a send
costs in statements."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.accounts.models import User
from mailslot.errors import UnknownReceiver
from mailslot.messages import service
from mailslot.messages.events import message_updated
from mailslot.messages.models import Change, Delivery, IdempotencyKey, Message
from mailslot.state import app_state
from tests.support.factories import make_user, send, unique_name
from tests.support.statements import in_transaction, statements

pytestmark = pytest.mark.anyio

_LAST_MESSAGE_ID = text("SELECT pg_sequence_last_value(pg_get_serial_sequence('message', 'id'))")


async def _count(db: AsyncSession, table: Any, *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_send_naming_unknown_receivers_stores_nothing_and_names_them_in_order(
    client, app: FastAPI, dialect
) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    other = await make_user(client)
    await send(client, other, other)  # the message id sequence has a value from here on
    first_ghost, second_ghost = unique_name("ghost"), unique_name("ghost")
    impossible = "no\x00body"  # no user could have it: unknown without asking the database
    receivers = [first_ghost, bob.username, impossible, carol.username.upper(), second_ghost]
    async with app_state(app).sessions() as db:
        sender = await accounts.get_user(db, alice.username)
        user_ids = [sender.id] + [
            (await accounts.get_user(db, user.username)).id for user in (bob, carol)
        ]
        if dialect == "postgres":
            last_id = await db.scalar(_LAST_MESSAGE_ID)
            assert last_id is not None
        with pytest.raises(UnknownReceiver) as refused:
            await service.send_message(
                db, sender=sender, receivers=receivers, subject="s", text="t"
            )
        unknown = [first_ghost, impossible, second_ghost]
        assert refused.value.detail == (
            "No user is registered as " + ", ".join(repr(name) for name in unknown) + "."
        )
        assert refused.value.errors == [
            {"pointer": "/body/receivers", "detail": f"unknown user {name!r}"} for name in unknown
        ]
        # Read in the send's own transaction: whatever it wrote would show here.
        assert await _count(db, Message, Message.sender_id == sender.id) == 0
        assert await _count(db, Delivery, Delivery.receiver_id.in_(user_ids)) == 0
        assert await _count(db, Change, Change.user_id.in_(user_ids)) == 0
        if dialect == "postgres":  # and no message id was spent
            assert await db.scalar(_LAST_MESSAGE_ID) == last_id
        await db.rollback()


async def test_a_send_is_one_statement_on_postgresql(client, app: FastAPI, dialect) -> None:
    """PostgreSQL: the receivers' lookup, the message, its deliveries and the change log in
    one statement (the PostgreSQL store's SEND). It was three while the receivers were looked
    up first, then two while the log had a statement of its own. SQLite runs one per
    step, on the driver: the receivers, the message with its thread id, the deliveries,
    the users' sequence numbers and the change-log entries (six through SQLAlchemy, the
    thread id apart, before they moved to the driver)."""
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    async with app_state(app).sessions() as db:
        sender = await accounts.get_user(db, alice.username)  # BEGIN is not counted
        with statements(app) as counted:
            sent = await service.send_message(
                db, sender=sender, receivers=[bob.username, carol.username], subject="s", text="t"
            )
        await db.rollback()  # the send was part of the session's transaction
        assert await _count(db, Message, Message.id == sent.id) == 0
        assert await _count(db, Change, Change.message_id == sent.id) == 0
    assert sent.receivers == [bob.username, carol.username]
    assert len(counted) == {"postgres": 1, "sqlite": 5}[dialect]


async def test_a_send_that_opens_the_session_commits_with_it(client, app: FastAPI, dialect) -> None:
    """PostgreSQL: a session that has sent nothing to the database yet begins its
    transaction for the send's one statement, which commits when the session does. Its
    log entries are those events.message_created keeps, numbered in order."""
    if dialect != "postgres":
        pytest.skip("SQLite's sessions begin with their connection (BEGIN IMMEDIATE)")
    alice, bob = await make_user(client), await make_user(client)
    async with app_state(app).sessions() as lookups:
        sender = await accounts.get_user(lookups, alice.username)
        receiver = await accounts.get_user(lookups, bob.username)
    async with app_state(app).sessions() as db:
        sent = await service.send_message(
            db, sender=sender, receivers=[bob.username, alice.username], subject="s", text="t"
        )
        logged = (
            select(Change.user_id, Change.seq, Change.data)
            .where(Change.message_id == sent.id)
            .order_by(Change.user_id, Change.seq)
        )
        assert await in_transaction(db)
        async with app_state(app).reads.connect() as other:  # not committed yet
            assert (await other.execute(logged)).all() == []
        await db.commit()
    async with app_state(app).reads.connect() as other:
        rows = (await other.execute(logged)).all()
    entries = sorted((row.user_id, row.data["box"]) for row in rows)
    assert entries == sorted([(receiver.id, "inbox"), (sender.id, "inbox"), (sender.id, "sent")])
    # alice's two entries: her inbox copy first, then the sent one, one number apart
    own = [row for row in rows if row.user_id == sender.id]
    assert [row.data for row in own] == [{"box": "inbox"}, {"box": "sent"}]
    assert own[1].seq == own[0].seq + 1


async def test_reading_an_unread_message_marks_it_in_one_statement_of_the_transaction(
    client, app: FastAPI, dialect
) -> None:
    """PostgreSQL: the message is found on the driver, then its read state and change-log
    entry are one statement (the PostgreSQL store's read state) in the session's
    transaction, committed with it."""
    if dialect != "postgres":
        pytest.skip("SQLite's sessions begin with their connection (BEGIN IMMEDIATE)")
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    async with app_state(app).sessions() as lookups:
        reader = await accounts.get_user(lookups, bob.username)
    async with app_state(app).sessions() as db:
        with statements(app) as counted:
            found = await service.find_message(db, viewer=reader, message_id=sent["id"])
            view = await service.mark_opened(db, viewer=reader, view=found)
        assert await in_transaction(db)
        await db.commit()
        async with app_state(app).reads.connect() as other:
            read_at = await other.scalar(
                select(Delivery.read_at).where(
                    Delivery.message_id == sent["id"], Delivery.receiver_id == reader.id
                )
            )
            logged = (
                await other.execute(
                    select(Change.type, Change.data)
                    .where(Change.user_id == reader.id, Change.message_id == sent["id"])
                    .order_by(Change.seq)
                )
            ).all()
    assert len(counted) == 2
    assert view.read_at is not None
    assert read_at == view.read_at
    assert [row.type for row in logged] == ["message.created", "message.updated"]
    assert logged[-1].data == message_updated(reader.id, sent["id"], view.read_at).stored
    assert logged[-1].data["read"] is True


async def test_opening_a_message_already_read_begins_no_write(client, app: FastAPI) -> None:
    """GET of a message already read is its lookup alone, on a read connection: on SQLite
    it takes no write lock (BEGIN IMMEDIATE), so it never queues behind a send. The first
    GET still marks the message read, and its change is logged."""
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    url = f"/users/{bob.username}/messages/{sent['id']}"
    with statements(app) as first:
        opened = await client.get(url, headers=bob.headers)
    with statements(app) as again:
        reread = await client.get(url, headers=bob.headers)
    assert opened.status_code == reread.status_code == 200
    assert opened.json()["read"] is True
    assert reread.json()["read_at"] == opened.json()["read_at"]
    assert any("IMMEDIATE" in sql for sql in first) == (
        app_state(app).engine.dialect.name == "sqlite"
    )
    assert not [sql for sql in again if "IMMEDIATE" in sql or "UPDATE" in sql]
    # the token's owner may be looked up too (no token cache without a broker)
    assert len([sql for sql in again if "access_token" not in sql and sql != "BEGIN"]) == 1


async def test_a_send_whose_commit_fails_leaves_nothing_and_publishes_nothing(
    client, app: FastAPI, dialect, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry point owns the transaction, on both engines: a failure after the send's
    statements and before its commit (here, the route's commit itself) leaves no message,
    no delivery, no change-log entry, no Idempotency-Key row, and no live event. (The
    key is what makes the send share its transaction: a send without one writes nothing
    else, and may commit itself on PostgreSQL: see the test below.)"""
    alice, bob = await make_user(client), await make_user(client)
    published: list[Any] = []
    broker = app_state(app).broker
    monkeypatch.setattr(broker, "publish", published.extend)

    async def failing_commit(self: AsyncSession) -> None:
        raise RuntimeError("injected: the commit fails")

    before = await _change_heads(app, alice.username, bob.username)
    with monkeypatch.context() as patched:
        patched.setattr(AsyncSession, "commit", failing_commit)
        answer = await client.post(
            f"/users/{alice.username}/messages",
            json={"receiver": bob.username, "subject": "lost", "message": "never stored"},
            headers=alice.headers | {"Idempotency-Key": "lost-1"},
        )
    assert answer.status_code == 500
    async with app_state(app).sessions() as db:
        sender = await accounts.get_user(db, alice.username)
        receiver = await accounts.get_user(db, bob.username)
        assert await _count(db, Message, Message.sender_id == sender.id) == 0
        assert await _count(db, Delivery, Delivery.receiver_id == receiver.id) == 0
        assert await _count(db, Change, Change.user_id.in_([sender.id, receiver.id])) == 0
        assert await _count(db, IdempotencyKey, IdempotencyKey.user_id == sender.id) == 0
    assert await _change_heads(app, alice.username, bob.username) == before
    assert published == []


async def test_a_send_alone_commits_itself_on_postgresql(client, app: FastAPI, dialect) -> None:
    """PostgreSQL: an entry point whose transaction writes nothing but the send says so
    (`alone`), and the send's one statement commits itself: no BEGIN, no COMMIT round
    trip. Its events still wait for the session's commit."""
    if dialect != "postgres":
        pytest.skip("SQLite's sessions begin with their connection (BEGIN IMMEDIATE)")
    alice, bob = await make_user(client), await make_user(client)
    published: list[Any] = []
    async with app_state(app).sessions() as db:
        sender = await accounts.get_user(db, alice.username)
        receiver = await accounts.get_user(db, bob.username)
    async with app_state(app).sessions() as db:
        with statements(app) as counted:
            sent = await service.send_message(
                db, sender=sender, receivers=[bob.username], subject="s", text="t", alone=True
            )
        assert not await in_transaction(db)
        async with app_state(app).reads.connect() as other:  # committed already
            stored = select(func.count()).select_from(Message).where(Message.id == sent.id)
            assert await other.scalar(stored) == 1
        broker: Any = app_state(app).broker  # its publish is swapped for the commit
        original, broker.publish = broker.publish, published.extend
        try:
            assert published == []
            await db.commit()
        finally:
            broker.publish = original
    assert len(counted) == 1
    assert {event.user_id for event in published} == {sender.id, receiver.id}


async def _change_heads(app: FastAPI, *usernames: str) -> list[int]:
    async with app_state(app).reads.connect() as db:
        found = await db.execute(
            select(User.last_change_seq).where(User.username.in_(usernames)).order_by(User.id)
        )
        return list(found.scalars())
