"""Statements run on the driver (db.direct) answer as SQLAlchemy does, and a lost
connection is a 503 that is not handed out again."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, exc, func, select, text, update

from mailslot.db.base import UTCDateTime, utcnow
from mailslot.db.direct import DirectQuery, _is_unavailable
from mailslot.messages.models import Message
from mailslot.messages.pages import PageShape, unfiltered_page
from mailslot.messages.views import Box
from mailslot.state import app_state
from tests.support.factories import make_user, send
from tests.support.statements import in_transaction

pytestmark = pytest.mark.anyio


async def test_every_page_shape_reads_as_through_sqlalchemy(app, client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await send(client, alice, bob, subject="first")
    for n in range(3):
        await send(client, alice, bob, subject=f"more {n}")
    reply = await client.post(
        f"/users/{bob.username}/messages",
        json={
            "receiver": alice.username,
            "subject": "re",
            "message": "yes",
            "reply_to": first["id"],
        },
        headers=bob.headers,
    )
    assert reply.status_code == 201, reply.text
    read = await client.get(f"/users/{bob.username}/messages/{first['id']}", headers=bob.headers)
    assert read.status_code == 200
    trashed = await client.delete(
        f"/users/{bob.username}/messages/{first['id'] + 1}", headers=bob.headers
    )
    assert trashed.status_code in (200, 204), trashed.text
    bob_id = await _user_id(app, bob.username)
    boxes: tuple[Box, ...] = ("inbox", "sent", "trash")
    shapes = itertools.product(boxes, (None, True, False), (False, True), (False, True), (0, 1))
    compared = 0
    async with app_state(app).reads.connect() as db:
        for box, unread, keyset, thread_unread, offset in shapes:
            if (box == "sent" and unread is not None) or (keyset and offset):
                continue
            shape = PageShape(
                box,
                unread,
                keyset=keyset,
                numbered=offset > 0,
                limit=10,
                thread_unread=thread_unread,
            )
            query = unfiltered_page(shape)
            params = {"viewer_id": bob_id, "page_offset": offset}
            if keyset:
                params["below_id"] = first["id"] + 10
            direct = await query.all(db, params)
            expected = (await db.execute(query.statement, params)).all()
            assert sorted(map(tuple, direct)) == sorted(map(tuple, expected)), (box, unread)
            for row, like in zip(sorted(direct), sorted(expected), strict=True):
                assert row._asdict() == like._asdict()
                assert row.created_at.utcoffset() == timedelta(0)
                assert isinstance(row.receiver_names, list)
            compared += len(expected)
    assert compared > 20  # the shapes found mail: read, unread, trashed and sent


async def test_bind_values_go_through_their_types(app, client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    query = DirectQuery(
        select(Message.id, Message.created_at).where(
            Message.created_at > bindparam("after", type_=UTCDateTime),
            Message.subject == bindparam("subject"),
            Message.id == bindparam("id"),
        )
    )
    async with app_state(app).reads.connect() as db:
        earlier = {"after": utcnow() - timedelta(hours=1), "subject": "Hello", "id": sent["id"]}
        later = earlier | {"after": utcnow() + timedelta(hours=1)}
        (row,) = await query.all(db, earlier)
        assert row.id == sent["id"]
        assert await query.all(db, later) == []


async def test_in_a_session_it_reads_the_sessions_own_writes(app, client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    query = DirectQuery(select(Message.subject).where(Message.id == bindparam("id")))
    async with app_state(app).sessions() as session:
        await session.execute(
            update(Message).where(Message.id == sent["id"]).values(subject="changed")
        )
        assert [row.subject for row in await query.all(session, {"id": sent["id"]})] == ["changed"]
        await session.rollback()
    async with app_state(app).reads.connect() as db:
        assert [row.subject for row in await query.all(db, {"id": sent["id"]})] == ["Hello"]


async def test_a_session_that_only_read_on_the_driver_begins_nothing(app, client, dialect) -> None:
    if dialect != "postgres":
        pytest.skip("SQLite's sessions take the write lock with their connection")
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    query = DirectQuery(select(Message.subject).where(Message.id == bindparam("id")))
    async with app_state(app).sessions() as session:
        assert [row.subject for row in await query.all(session, {"id": sent["id"]})] == ["Hello"]
        assert not await in_transaction(session)  # no BEGIN was sent
        await session.commit()


async def test_values_rendered_at_execution_are_refused(app) -> None:
    query = DirectQuery(select(Message.id).where(Message.id.in_(bindparam("ids", expanding=True))))
    async with app_state(app).reads.connect() as db:
        with pytest.raises(ValueError, match="IN lists"):
            await query.all(db, {"ids": [1, 2]})


async def test_a_lost_connection_is_unavailable_and_not_handed_out_again(app, dialect) -> None:
    if dialect != "postgres":
        pytest.skip("a server connection to lose: SQLite has none")
    backend = DirectQuery(select(func.pg_backend_pid().label("pid")))
    async with app_state(app).reads.connect() as db:
        (row,) = await backend.all(db, {})
        async with app_state(app).engine.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": row.pid})
        with pytest.raises(exc.OperationalError) as lost:
            await backend.all(db, {})
        # errors.py answers it 503 database_unavailable, as SQLAlchemy's own.
        assert lost.value.connection_invalidated
        assert db.invalidated
    async with app_state(app).reads.connect() as db:
        (again,) = await backend.all(db, {})
        assert again.pid != row.pid


async def _user_id(app, username: str) -> int:
    async with app_state(app).reads.connect() as db:
        found = await db.execute(
            text("SELECT id FROM user_account WHERE username = :u"), {"u": username}
        )
        return int(found.scalar_one())


def test_only_the_databases_failures_are_unavailable() -> None:
    assert _is_unavailable(ConnectionResetError())
    assert _is_unavailable(TimeoutError())
    assert not _is_unavailable(ValueError("a bug stays a 500"))
