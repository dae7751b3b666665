"""Idempotent send (reliability.md F8), on every engine."""

from __future__ import annotations

from datetime import timedelta

import anyio
import httpx
import pytest
from sqlalchemy import func, select, update

from mailslot.accounts import service as accounts
from mailslot.db.base import utcnow
from mailslot.messages import idempotency, threads
from mailslot.messages.models import IdempotencyKey, Message
from mailslot.messages.purge import purge_expired
from mailslot.state import app_state
from tests.support.factories import TestUser, ids, inbox, make_user, post_message, unique_name

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]

REPLAYED = "Idempotent-Replayed"


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


async def sent_count(app, user: TestUser) -> int:
    async with app_state(app).sessions() as db:
        account = await accounts.get_user(db, user.username)
        return int(
            await db.scalar(
                select(func.count()).select_from(Message).where(Message.sender_id == account.id)
            )
            or 0
        )


async def test_a_retry_returns_the_original_message(client, app, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    body = {"receiver": bob.username, "subject": "Once", "message": "only once"}
    first = await post_message(client, alice, body, keyed("key-1"))
    assert first.status_code == 201
    assert REPLAYED not in first.headers
    for retry_body in (body, {**body, "receiver": bob.username.upper()}):
        retry = await post_message(client, alice, retry_body, keyed("key-1"))
        assert retry.status_code == 201
        assert retry.headers[REPLAYED] == "true"
        assert retry.json() == first.json()
    assert ids(await inbox(client, bob)) == [first.json()["id"]]
    assert await sent_count(app, alice) == 1


async def test_the_same_key_for_another_request_is_refused(client, app, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    body = {"receiver": bob.username, "subject": "s", "message": "m"}
    assert (await post_message(client, alice, body, keyed("k"))).status_code == 201
    for changed in (
        {"message": "m2"},
        {"subject": "s2"},
        {"receiver": carol.username},
        {"receiver": None, "receivers": [bob.username, carol.username]},
    ):
        response = await post_message(client, alice, {**body, **changed}, keyed("k"))
        assert response.status_code == 422, changed
        assert response.json()["code"] == "idempotency_key_reused"
    assert await sent_count(app, alice) == 1


async def test_keys_belong_to_one_user(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    to_bob = await post_message(client, alice, {"receiver": bob.username}, keyed("shared"))
    to_alice = await post_message(client, bob, {"receiver": alice.username}, keyed("shared"))
    assert to_alice.status_code == 201
    assert REPLAYED not in to_alice.headers
    assert to_alice.json()["id"] != to_bob.json()["id"]


@pytest.mark.parametrize(
    ("key", "status"),
    [("k" * 255, 201), ('"quoted-key"', 201), ("k" * 256, 422), ("", 422), ('""', 422)],
)
async def test_key_length_is_bounded(client, dialect, key, status) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await post_message(client, alice, {"receiver": bob.username}, keyed(key))
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["errors"][0]["pointer"] == "/header/Idempotency-Key"


async def test_the_quoted_and_bare_forms_are_one_key(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await post_message(client, alice, {"receiver": bob.username}, keyed('"abc"'))
    retry = await post_message(client, alice, {"receiver": bob.username}, keyed("abc"))
    assert retry.headers[REPLAYED] == "true"
    assert retry.json()["id"] == first.json()["id"]


async def test_concurrent_retries_from_two_clients_make_one_message(app, dialect) -> None:
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://one") as one,
        httpx.AsyncClient(transport=transport, base_url="http://two") as two,
    ):
        alice, bob = await make_user(one), await make_user(one)
        body = {"receiver": bob.username, "subject": "race", "message": "who wins"}
        responses: list[httpx.Response] = []

        async def attempt(client: httpx.AsyncClient) -> None:
            responses.append(await post_message(client, alice, body, keyed("race-key")))

        async with anyio.create_task_group() as tasks:
            for i in range(10):
                tasks.start_soon(attempt, one if i % 2 else two)
    created = [r for r in responses if r.status_code == 201]
    assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
    assert len([r for r in created if REPLAYED not in r.headers]) == 1
    assert len({r.json()["id"] for r in created}) == 1
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["code"] == "idempotency_key_in_flight"
        assert conflict.headers["Retry-After"] == "1"
    assert await sent_count(app, alice) == 1


async def first_attempt(app, sender: TestUser, receiver: TestUser, key: str, db):
    """The service side of a keyed send, in `db`'s transaction, left uncommitted."""
    account = await accounts.get_user(db, sender.username)
    body = {"receiver": receiver.username, "subject": "s", "message": "m"}

    async def send():
        return await threads.send_in_thread(
            db, sender=account, receivers=[receiver.username], subject="s", text="m", reply_to=None
        )

    request = {"receivers": [receiver.username.casefold()], "subject": "s", "message": "m"}
    view, replayed = await idempotency.send_once(
        db, sender=account, key=key, request=request | {"reply_to": None}, send=send
    )
    assert not replayed
    return view, body


async def test_a_retry_while_the_first_runs_gets_409_on_postgres(client, app, dialect) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite serialises writers: a retry waits for the first (next test)")
    alice, bob = await make_user(client), await make_user(client)
    async with app_state(app).sessions() as db:
        _, body = await first_attempt(app, alice, bob, "slow", db)
        response = await post_message(client, alice, body, keyed("slow"))
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_key_in_flight"
        assert response.headers["Retry-After"] == "1"
        await db.rollback()  # the first attempt fails: the key was never stored
    again = await post_message(client, alice, body, keyed("slow"))
    assert again.status_code == 201
    assert REPLAYED not in again.headers
    assert await sent_count(app, alice) == 1


async def test_a_retry_while_the_first_runs_replays_it_once_committed(client, app, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    async with app_state(app).sessions() as db:
        view, body = await first_attempt(app, alice, bob, "in-flight", db)
        if dialect == "sqlite":
            # The retry queues behind the first attempt's write lock, then replays it.
            async with anyio.create_task_group() as tasks:
                results: list[httpx.Response] = []

                async def retry() -> None:
                    results.append(await post_message(client, alice, body, keyed("in-flight")))

                tasks.start_soon(retry)
                await anyio.wait_all_tasks_blocked()
                await db.commit()
            response = results[0]
        else:
            await db.commit()
            response = await post_message(client, alice, body, keyed("in-flight"))
    # The first attempt committed but never answered (a crash, a lost connection): the
    # retry gets its message, not a second one.
    assert response.status_code == 201
    assert response.headers[REPLAYED] == "true"
    assert response.json()["id"] == view.id
    assert await sent_count(app, alice) == 1


async def test_a_refused_send_stores_no_key(client, dialect) -> None:
    alice = await make_user(client)
    late = unique_name("late")
    refused = await post_message(client, alice, {"receiver": late}, keyed("k"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "unknown_receiver"
    await make_user(client, late)
    retry = await post_message(client, alice, {"receiver": late}, keyed("k"))
    assert retry.status_code == 201
    assert REPLAYED not in retry.headers


async def test_a_replay_repeats_the_answer_after_a_delete(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await post_message(client, alice, {"receiver": bob.username}, keyed("k"))
    await client.delete(
        f"/users/{alice.username}/messages/{first.json()['id']}", headers=alice.headers
    )
    retry = await post_message(client, alice, {"receiver": bob.username}, keyed("k"))
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert await inbox(client, bob) == []


async def test_keys_expire_after_24_hours_and_are_purged(client, app, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    old = await post_message(client, alice, {"receiver": bob.username}, keyed("daily"))
    kept = await post_message(client, alice, {"receiver": bob.username}, keyed("recent"))
    async with app_state(app).sessions() as db:
        account = await accounts.get_user(db, alice.username)
        await db.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.user_id == account.id, IdempotencyKey.key == "daily")
            .values(created_at=utcnow() - timedelta(hours=24, seconds=1))
        )
        await db.commit()
    # Past 24 hours the key is free again, even for another request.
    reused = await post_message(
        client, alice, {"receiver": bob.username, "message": "new"}, keyed("daily")
    )
    assert reused.status_code == 201
    assert REPLAYED not in reused.headers
    assert reused.json()["id"] != old.json()["id"]
    async with app_state(app).sessions() as db:
        await db.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.user_id == account.id, IdempotencyKey.key == "daily")
            .values(created_at=utcnow() - timedelta(days=2))
        )
        await db.commit()
    purged = await purge_expired(app_state(app).sessions, trash_retention=timedelta(days=30))
    assert purged.idempotency_keys == 1
    async with app_state(app).sessions() as db:
        left = await db.scalars(
            select(IdempotencyKey.key).where(IdempotencyKey.user_id == account.id)
        )
        assert list(left) == ["recent"]
    replay = await post_message(client, alice, {"receiver": bob.username}, keyed("recent"))
    assert replay.json()["id"] == kept.json()["id"]
