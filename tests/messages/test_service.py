"""send_message against the database: what a refused send leaves behind, and what a send
costs in statements."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.errors import UnknownReceiver
from mailslot.messages import service
from mailslot.messages.models import Change, Delivery, Message
from tests.factories import make_user, send, unique_name
from tests.statements import statements

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
    async with app.state.session_factory() as db:
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


async def test_a_send_costs_two_statements_on_postgresql(client, app: FastAPI, dialect) -> None:
    """PostgreSQL: the receivers' lookup, the message and its deliveries in one statement
    (messages.service._STORE_MESSAGE), then the change log (changes._APPEND). It was three
    while the receivers were looked up first. SQLite keeps one statement per step: the
    receivers, the message, its thread id, the deliveries, the users' sequence numbers and
    the change-log entries."""
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    async with app.state.session_factory() as db:
        sender = await accounts.get_user(db, alice.username)  # BEGIN is not counted
        with statements(app) as counted:
            sent = await service.send_message(
                db, sender=sender, receivers=[bob.username, carol.username], subject="s", text="t"
            )
        await db.rollback()
    assert sent.receivers == [bob.username, carol.username]
    assert len(counted) == {"postgres": 2, "sqlite": 6}[dialect]
