"""Webhook delivery by real `mailslot serve` instances over one PostgreSQL database: two
share one stream of events without ever attempting one delivery twice at once, and one
SIGKILLed mid-delivery loses no event of an acknowledged send (its claims run out and are
attempted again)."""

from __future__ import annotations

import random
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot.db.engine import make_engine, make_session_factory
from mailslot.db.migrate import upgrade
from mailslot.webhooks import outbox, signing
from tests.support.databases import create_postgres_database, drop_postgres_database, make_settings
from tests.support.factories import add_endpoint_row, register_at
from tests.support.receivers import Answer, Receiver, eventually
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(120), pytest.mark.anyio]

FAST = {
    "MAILSLOT_WEBHOOK_ALLOW_PRIVATE": "1",
    "MAILSLOT_WEBHOOK_POLL_INTERVAL": "0.05",
    "MAILSLOT_WEBHOOK_RETRY_SCHEDULE": ",".join(["0"] + ["0.2"] * 20),
}


@pytest.fixture
async def database(dialect: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of the test's own (the suite's app delivers from the shared one)."""
    if dialect != "postgres":
        pytest.skip("several instances share a PostgreSQL database (--db=postgres)")
    url = await create_postgres_database()
    await upgrade(make_settings(tmp_path, url))
    yield url
    await drop_postgres_database(url)


@pytest.fixture
async def sessions(
    database: str, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(make_settings(tmp_path, database))
    yield make_session_factory(engine)
    await engine.dispose()


async def emit(sessions: async_sessionmaker[AsyncSession], count: int) -> list[str]:
    """`count` events, each committed (acknowledged) on its own."""
    ids = []
    for number in range(count):
        async with sessions() as db:
            event_id = await outbox.emit(db, "user.created", {"user": {"number": number}})
            await db.commit()
        assert event_id is not None
        ids.append(event_id)
    return ids


async def test_two_instances_share_the_stream_without_overlap(
    database: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    secret = signing.new_secret()
    env = {"MAILSLOT_DATABASE_URL": database, **FAST}
    chance = random.Random(19)
    with Receiver(secrets=[secret]) as receiver:
        # A fifth of the attempts fail, and answers take up to 30 ms: retries interleave
        # with first attempts on both instances.
        lock = threading.Lock()

        def respond(_request: object) -> Answer:
            with lock:
                fail, delay = chance.random() < 0.2, chance.random() * 0.03
            threading.Event().wait(delay)
            return Answer(500) if fail else Answer(204)

        receiver.respond = respond
        await add_endpoint_row(sessions, receiver.url(), "*", secret=secret)
        with (
            MailslotServer(tmp_path / "one", env=env),
            MailslotServer(tmp_path / "two", env=env),
        ):
            ids = await emit(sessions, 200)
            await eventually(lambda: receiver.answered() >= set(ids), within=60)

    assert receiver.overlaps == []
    assert all(r.verified_with == [secret] for r in receiver.requests)
    assert {r.id for r in receiver.requests} == set(ids)


async def test_an_instance_killed_mid_delivery_loses_no_acknowledged_send(
    database: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    secret = signing.new_secret()
    env = {
        "MAILSLOT_DATABASE_URL": database,
        **FAST,
        "MAILSLOT_WEBHOOK_LEASE": "3",
        "MAILSLOT_WEBHOOK_CONNECTIONS": "8",
    }
    hold = threading.Event()
    with Receiver(secrets=[secret]) as receiver:
        receiver.respond = lambda _request: Answer(204, hold=hold)
        await add_endpoint_row(sessions, receiver.url(), "message.created", secret=secret)
        first = MailslotServer(tmp_path / "first", env=env).start()
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                alice, alice_auth = await register_at(client, first.url)
                bob, _ = await register_at(client, first.url)
                acknowledged = []
                for number in range(40):
                    sent = await client.post(
                        f"{first.url}/users/{alice}/messages",
                        json={"receiver": bob, "subject": f"n{number}", "message": "hi"},
                        headers=alice_auth,
                    )
                    assert sent.status_code == 201, sent.text
                    acknowledged.append(sent.json()["id"])
            # Requests held open by the receiver: attempts in flight when the instance dies.
            await eventually(lambda: receiver.in_flight == 8, within=30)
        finally:
            first.kill()
        in_flight = {r.id for r in receiver.requests}
        after_kill = len(receiver.requests)
        receiver.respond = lambda _request: Answer(204)
        hold.set()  # their answers go to a dead process: never recorded

        def messages() -> set[int]:
            fresh = receiver.requests[after_kill:]
            return {r.json["data"]["message"]["id"] for r in fresh if r.answered_ok}

        with MailslotServer(tmp_path / "second", env=env):
            await eventually(lambda: messages() >= set(acknowledged), within=60)

    assert len(in_flight) == 8
    # One event per acknowledged send, each arrived (again, for those cut off by the kill).
    assert len({r.id for r in receiver.requests}) == len(acknowledged)
    assert all(len(receiver.of(event_id)) == 2 for event_id in in_flight)
    assert all(r.verified_with == [secret] for r in receiver.requests)
