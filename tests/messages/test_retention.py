"""Retention (MAILSLOT_RETENTION_DAYS): older mail is hidden from every read at once, the
job deletes it in batches on one instance at a time and tells every party
(`message.deleted`), legal holds keep a conversation whole, a dry run changes nothing.

On a database of its own: the job deletes everyone's old mail, and the counts here are
exact."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete, func, select

from mailslot.accounts.models import User
from mailslot.app import create_app
from mailslot.db.base import utcnow
from mailslot.messages import retention
from mailslot.messages.models import Delivery, LegalHold, RetentionRun
from mailslot.state import app_state
from mailslot.webhooks.models import WebhookEvent
from tests.compat.seed_a import seed_a
from tests.realtime.conftest import asgi_get
from tests.support.factories import (
    TestUser,
    add_endpoint_row,
    ids,
    inbox,
    make_server_key,
    make_user,
    send,
    unique_name,
)
from tests.support.retention import DAYS, age, client_of, retained_app, stored
from tests.support.sse import envelopes

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]


@pytest.fixture(scope="module")
async def kept_app(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with retained_app(
        dialect, tmp_path_factory.mktemp("retention"), retention_batch_size=2
    ) as app:
        yield app


@pytest.fixture
async def client(kept_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(kept_app) as client:
        yield client


@pytest.fixture
async def clean(kept_app: FastAPI) -> AsyncIterator[None]:
    """No old mail from an earlier test, and no hold: counts are this test's alone."""
    await _run(kept_app)
    yield
    async with app_state(kept_app).sessions() as db:
        await db.execute(delete(LegalHold))
        await db.commit()


async def _run(app: FastAPI, **options: Any) -> retention.Outcome:
    settings = app_state(app).settings
    return await retention.run_retention(
        app_state(app).sessions,
        days=settings.retention_days,
        batch_size=options.pop("batch_size", settings.retention_batch_size),
        **options,
    )


async def get(client: httpx.AsyncClient, user: TestUser, path: str, **params: Any) -> Any:
    response = await client.get(
        f"/users/{user.username}{path}", params=params, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def changes(client: httpx.AsyncClient, user: TestUser) -> list[dict[str, Any]]:
    page = await get(client, user, "/changes", since=0, limit=1000)
    entries: list[dict[str, Any]] = page["changes"]
    return entries


def about(message_id: int, entries: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [
        (entry["type"], entry["data"].get("scope", entry["data"].get("subject")))
        for entry in entries
        if entry["data"]["id"] == message_id
    ]


async def hold(app: FastAPI, user: TestUser, note: str | None = None) -> None:
    async with app_state(app).sessions() as db:
        found = await db.scalar(select(User).where(User.username == user.username))
        assert found is not None
        await retention.hold_user(db, user=found, note=note)
        await db.commit()


async def test_every_read_hides_expired_mail_at_once(kept_app, client, clean) -> None:
    alice, bob = await make_user(client), await make_user(client)
    old = await send(client, alice, bob, subject="old words", message="expired body")
    new = await send(client, alice, bob, subject="new words", message="fresh body")
    reply = await client.post(
        f"/users/{bob.username}/messages",
        json={"receiver": alice.username, "subject": "re", "message": "r", "reply_to": old["id"]},
        headers=bob.headers,
    )
    assert reply.status_code == 201, reply.text
    before = await changes(client, bob)
    assert about(old["id"], before) == [("message.created", "old words")]
    await age(kept_app, old["id"])

    # Lists, both boxes, unread and searched; one message; counts; the thread.
    assert ids(await inbox(client, bob)) == [new["id"]]
    assert ids(await inbox(client, bob, unread="true")) == [new["id"]]
    assert ids(await inbox(client, alice, box="sent")) == [new["id"]]
    assert ids(await inbox(client, bob, q="words")) == [new["id"]]
    assert ids(await inbox(client, bob, thread=old["thread_id"])) == []
    assert (await get(client, bob, "/unread"))["unread"] == 1
    for user in (alice, bob):
        gone = await client.get(
            f"/users/{user.username}/messages/{old['id']}", headers=user.headers
        )
        assert gone.status_code == 404, gone.text
        assert gone.json()["code"] == "message_not_found"
    # Nor can it be marked or deleted: it is not there.
    marked = await client.patch(
        f"/users/{bob.username}/messages/{old['id']}", json={"read": True}, headers=bob.headers
    )
    assert marked.status_code == 404
    bulk = await client.patch(
        f"/users/{bob.username}/messages",
        json={"ids": [old["id"], new["id"]], "read": True},
        headers=bob.headers,
    )
    assert bulk.status_code == 200, bulk.text
    assert (bulk.json()["updated"], bulk.json()["not_found"]) == ([new["id"]], [old["id"]])
    # The change log serves it as gone for everyone, with no content.
    for user in (alice, bob):
        entries = await changes(client, user)
        assert about(old["id"], entries) == [("message.deleted", "everyone")]
        assert "expired body" not in json.dumps(entries)
    # Nothing was deleted yet: only hidden.
    assert await stored(kept_app, old["id"]) == {old["id"]}


async def test_seed_a_reads_hide_expired_mail(kept_app, client, clean) -> None:
    password = "pw-" + unique_name()
    users = [await make_user(client, password=password) for _ in range(2)]
    alice, bob = users
    for user in users:
        login = await seed_a(
            client, "POST", f"//login?username={user.username}&password={password}"
        )
        assert login.status_code == 200, login.text
    old = await send(client, alice, bob, subject="old")
    new = await send(client, alice, bob, subject="new")
    await age(kept_app, old["id"])
    bob_credentials = f"username={bob.username}&password={password}"
    every = await seed_a(client, "GET", f"//messages?{bob_credentials}&request=get_all")
    assert [m["subject"] for m in every.json()] == ["new"]
    unread = await seed_a(client, "GET", f"//messages?{bob_credentials}&request=get_all_unread")
    assert [m["subject"] for m in unread.json()] == ["new"]
    # `read` gives the oldest unread message it may show: not the expired one.
    read = await seed_a(client, "GET", f"//message?{bob_credentials}&request=read")
    assert read.status_code == 200, read.text
    assert read.json()["subject"] == "new"
    assert new["id"] in await stored(kept_app, old["id"], new["id"])


async def test_the_job_deletes_in_batches_and_tells_every_party(kept_app, client, clean) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    old = [await send(client, alice, bob, carol, subject=f"old {n}") for n in range(5)]
    kept = await send(client, alice, bob, carol, subject="kept")
    # carol moved one to her trash: hers still, so she hears of its end too; bob deleted
    # another for good: gone for him already, he hears nothing more of it.
    trashed, forgotten = old[0]["id"], old[1]["id"]
    path = f"/users/{carol.username}/messages/{trashed}"
    assert (await client.delete(path, headers=carol.headers)).status_code == 204
    path = f"/users/{bob.username}/messages/{forgotten}"
    assert (
        await client.delete(path, params={"permanent": "true"}, headers=bob.headers)
    ).status_code == 204
    for message in old:
        await age(kept_app, message["id"])
    await add_endpoint_row(
        app_state(kept_app).sessions, "http://127.0.0.1:9/hook", "message.deleted", secret="whsec_t"
    )

    latest = (await get(client, carol, "/changes", since=0, limit=1000))["latest"]
    heard: list[dict[str, Any]] = []
    old_ids = {message["id"] for message in old}

    async def listen() -> None:
        headers = {**carol.headers, "Last-Event-ID": str(latest)}
        async with asgi_get(kept_app, f"/users/{carol.username}/events", headers=headers) as r:
            assert r.status == 200
            async for envelope in envelopes(r.lines()):
                heard.append(envelope)
                if {e["data"]["id"] for e in heard} >= old_ids:
                    return

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(listen)
            await anyio.lowlevel.checkpoint()  # the stream subscribes before the job commits
            outcome = await _run(kept_app, batch_size=2)

    assert (outcome.deleted, outcome.batches, outcome.ran) == (5, 3, True)
    assert await stored(kept_app, *old_ids, kept["id"]) == {kept["id"]}
    assert {(e["type"], e["data"]["scope"]) for e in heard} == {("message.deleted", "everyone")}
    assert {e["data"]["id"] for e in heard} == old_ids
    for user, expected in ((alice, old_ids), (bob, old_ids - {forgotten}), (carol, old_ids)):
        entries = await changes(client, user)
        for message_id in old_ids:
            deletions = [t for t in about(message_id, entries) if t[0] == "message.deleted"]
            if message_id in expected:
                assert deletions[-1] == ("message.deleted", "everyone"), (user, message_id)
        assert ids(await inbox(client, user, box="sent" if user is alice else "inbox")) == [
            kept["id"]
        ]
    # Webhooks: one message.deleted per party who still had the message.
    async with app_state(kept_app).sessions() as db:
        hooked = (
            await db.execute(
                select(WebhookEvent.message_id, func.count())
                .where(WebhookEvent.type == "message.deleted", WebhookEvent.message_id.in_(old_ids))
                .group_by(WebhookEvent.message_id)
            )
        ).all()
        # Deliveries went with their messages, and so did the search index's rows.
        assert (
            await db.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.message_id.in_(old_ids))
            )
            == 0
        )
        run = await db.get(RetentionRun, retention.RUN_ID)
        assert run is not None
        assert (run.holder, run.deleted) == (None, 5)
    counts = dict(hooked)
    assert counts[forgotten] == 2  # alice and carol: bob had deleted it for good
    assert all(counts[i] == 3 for i in old_ids - {forgotten})
    assert ids(await inbox(client, bob, q="old")) == []


async def test_a_legal_hold_keeps_the_held_users_conversations_whole(
    kept_app, client, clean
) -> None:
    alice, bob, carol, dave = [await make_user(client) for _ in range(4)]
    to_bob = await send(client, alice, bob, carol, subject="to bob and carol")
    from_bob = await send(client, bob, dave, subject="from bob")
    elsewhere = await send(client, alice, dave, subject="nothing to do with bob")
    for message in (to_bob, from_bob, elsewhere):
        await age(kept_app, message["id"])
    await hold(kept_app, bob, note="case 42")

    # Every party sees what involves bob, held or not; the rest is hidden.
    assert ids(await inbox(client, carol)) == [to_bob["id"]]
    assert ids(await inbox(client, alice, box="sent")) == [to_bob["id"]]
    assert ids(await inbox(client, dave)) == [from_bob["id"]]
    assert ids(await inbox(client, bob, box="sent")) == [from_bob["id"]]

    async with app_state(kept_app).sessions() as db:
        status = await retention.status(db, days=DAYS)
    assert status.due == 1
    assert [(h.username, h.note) for h in status.holds] == [(bob.username, "case 42")]

    outcome = await _run(kept_app)
    assert outcome.deleted == 1
    kept = {to_bob["id"], from_bob["id"]}
    assert await stored(kept_app, *kept, elsewhere["id"]) == kept

    # Lifted: hidden at once, deleted by the next run.
    async with app_state(kept_app).sessions() as db:
        found = await db.scalar(select(User).where(User.username == bob.username))
        assert found is not None
        assert await retention.unhold_user(db, user=found)
        await db.commit()
    assert ids(await inbox(client, carol)) == []
    assert (await _run(kept_app)).deleted == 2
    assert await stored(kept_app, *kept) == set()


async def test_a_dry_run_changes_nothing(kept_app, client, clean) -> None:
    alice, bob = await make_user(client), await make_user(client)
    old = [await send(client, alice, bob) for _ in range(3)]
    for message in old:
        await age(kept_app, message["id"])
    async with app_state(kept_app).sessions() as db:
        before = await db.get(RetentionRun, retention.RUN_ID)
        assert before is not None
        snapshot = (before.started_at, before.finished_at, before.deleted)
    latest = (await get(client, bob, "/changes", since=0, limit=1000))["latest"]

    outcome = await _run(kept_app, dry_run=True)

    assert (outcome.dry_run, outcome.deleted, outcome.batches) == (True, 3, 0)
    message_ids = [m["id"] for m in old]
    assert await stored(kept_app, *message_ids) == set(message_ids)
    assert (await get(client, bob, "/changes", since=0, limit=1000))["latest"] == latest
    async with app_state(kept_app).sessions() as db:
        after = await db.get(RetentionRun, retention.RUN_ID, populate_existing=True)
        assert after is not None
        assert (after.started_at, after.finished_at, after.deleted) == snapshot


async def test_two_runs_never_overlap(kept_app, client, clean) -> None:
    alice, bob = await make_user(client), await make_user(client)
    old = [await send(client, alice, bob) for _ in range(4)]
    for message in old:
        await age(kept_app, message["id"])
    sessions = app_state(kept_app).sessions
    cutoff = utcnow() - timedelta(days=DAYS)

    # Another instance holds the lease: this run does nothing.
    async with sessions() as db:
        assert await retention.claim(db, holder="other", cutoff=cutoff, now=utcnow())
        await db.commit()
    outcome = await _run(kept_app)
    assert (outcome.ran, outcome.deleted) == (False, 0)
    message_ids = {m["id"] for m in old}
    assert await stored(kept_app, *message_ids) == message_ids

    # Its lease ran out (that instance died): another takes it over, and the first one,
    # back, finds its lease gone and stops before its next batch.
    later = utcnow() + retention.LEASE + timedelta(seconds=1)
    async with sessions() as db:
        assert await retention.claim(db, holder="taker", cutoff=cutoff, now=later)
        await db.commit()
    async with sessions() as db:
        assert not await retention.renew(db, holder="other", now=later)
        await db.rollback()
        await retention.release(db, holder="taker")
        await db.commit()

    # Runs started together: exactly one of them deletes.
    outcomes = []

    async def start() -> None:
        outcomes.append(await _run(kept_app, batch_size=1))

    async with anyio.create_task_group() as tasks:
        for _ in range(3):
            tasks.start_soon(start)
    # Whichever ran, each message was deleted once: no two runs shared a batch.
    assert any(o.ran for o in outcomes)
    assert sum(o.deleted for o in outcomes) == 4
    assert await stored(kept_app, *message_ids) == set()


async def test_holds_through_the_server_api(kept_app, client, clean) -> None:
    key = await make_server_key(kept_app, "users:write")
    external_id = unique_name("ext")
    made = await client.put(
        f"/server/users/{external_id}", json={"display_name": "Held"}, headers=key.headers
    )
    assert made.status_code == 201, made.text
    path = f"/server/users/{external_id}/hold"
    shown = await client.get(path, headers=key.headers)
    assert shown.status_code == 200
    assert shown.json()["held"] is False

    held = await client.put(path, json={"note": "case 7"}, headers=key.headers)
    assert held.status_code == 200, held.text
    assert (held.json()["held"], held.json()["note"]) == (True, "case 7")
    again = await client.put(path, headers=key.headers)
    assert again.status_code == 200
    assert again.json()["held_at"] == held.json()["held_at"]  # the first date stays
    assert again.json()["note"] == "case 7"

    too_long = await client.put(path, json={"note": "x" * 201}, headers=key.headers)
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "validation_failed"
    unknown = await client.put(f"/server/users/{unique_name('nobody')}/hold", headers=key.headers)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "user_not_found"
    lacking = await make_server_key(kept_app, "moderation")
    refused = await client.put(path, headers=lacking.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"

    assert (await client.delete(path, headers=key.headers)).status_code == 204
    assert (await client.delete(path, headers=key.headers)).status_code == 204  # idempotent
    assert (await client.get(path, headers=key.headers)).json()["held"] is False


async def test_the_server_api_reads_hide_expired_mail(kept_app, client, clean) -> None:
    alice, bob = await make_user(client), await make_user(client)
    old, new = await send(client, alice, bob), await send(client, alice, bob)
    await age(kept_app, old["id"])
    key = await make_server_key(kept_app, "mailbox:read")
    shown = await client.get(f"/server/messages/{new['id']}", headers=key.headers)
    assert shown.status_code == 200, shown.text
    hidden = await client.get(f"/server/messages/{old['id']}", headers=key.headers)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "message_not_found"


async def test_every_serving_instance_runs_the_job_on_its_interval(kept_app, client, clean) -> None:
    alice, bob = await make_user(client), await make_user(client)
    old = [await send(client, alice, bob) for _ in range(3)]
    await age(kept_app, *(message["id"] for message in old))
    settings = app_state(kept_app).settings.model_copy(update={"retention_interval": 3600})
    serving = create_app(settings)
    message_ids = [message["id"] for message in old]
    began = utcnow()
    async with LifespanManager(serving):  # its first run starts at once
        with anyio.fail_after(10):
            # Nothing to wait on across instances but the database; the run is recorded
            # finished after its last batch (and its pause), so wait for that, not for
            # the messages alone.
            while True:
                async with app_state(kept_app).sessions() as db:
                    status = await retention.status(db, days=DAYS)
                run = status.last_run
                if run.started_at and run.started_at >= began and run.finished_at:
                    break
                await anyio.sleep(0.05)
    assert not await stored(kept_app, *message_ids)
    assert status.last_run.deleted == 3
