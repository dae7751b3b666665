"""Sending as a user or as the platform (`POST /server/messages`), the system account
and its mailbox (`GET /server/system/messages`): issue 18, item 4."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, select

from mailslot.accounts.models import User
from mailslot.accounts.service import NO_PASSWORD, SYSTEM_USERNAME
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.messages import sendas
from mailslot.messages.models import Message
from mailslot.messages.sendas import MAX_RECIPIENTS
from mailslot.state import app_state
from tests.compat.seed_a import seed_a
from tests.support.factories import TestUser, make_server_key, make_user, unique_name
from tests.support.people import deactivate, external_id, give_external_id

pytestmark = pytest.mark.anyio


async def host_user(client: httpx.AsyncClient, app: FastAPI) -> tuple[TestUser, str]:
    """A registered user with a host id."""
    user = await make_user(client)
    return user, await give_external_id(app, user.username)


async def sender_key(app: FastAPI, *scopes: str) -> dict[str, str]:
    key = await make_server_key(app, *(scopes or ("messages:send_as", "mailbox:read")))
    return {"Authorization": f"Bearer {key.key}"}


async def post(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], **extra: str
) -> httpx.Response:
    return await client.post("/server/messages", json=body, headers={**headers, **extra})


def notice(to: list[str], sender: str = "system", **more: Any) -> dict[str, Any]:
    return {"from": sender, "to": to, "subject": "Your order", "message": "It shipped.", **more}


async def inbox(client: httpx.AsyncClient, user: TestUser) -> list[dict[str, Any]]:
    page = await client.get(f"/users/{user.username}/messages", headers=user.headers)
    assert page.status_code == 200, page.text
    return list(page.json()["messages"])


@asynccontextmanager
async def instance(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Another instance on the same database, with other settings."""
    other = create_app(settings.model_copy(update=overrides))
    async with LifespanManager(other):
        transport = httpx.ASGITransport(app=other, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as c:
            yield c


async def test_the_system_sends_one_message_and_answers_per_recipient(app, client) -> None:
    alice, alice_id = await host_user(client, app)
    bob, bob_id = await host_user(client, app)
    _carol, carol_id = await host_user(client, app)
    await deactivate(app, carol_id)
    nobody = external_id()
    key = await sender_key(app)

    sent = await post(client, key, notice([alice_id, carol_id, nobody, bob_id, alice_id]))

    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["deliveries"] == [
        {"to": alice_id, "status": "delivered"},
        {"to": carol_id, "status": "deactivated"},
        {"to": nobody, "status": "unknown_user"},
        {"to": bob_id, "status": "delivered"},
    ]
    message = body["message"]
    assert message["sender"] == SYSTEM_USERNAME
    assert message["sender_display_name"] == "mailslot"
    assert message["receivers"] == [alice.username, bob.username]
    for user in (alice, bob):
        (received,) = await inbox(client, user)
        assert received["id"] == message["id"]
        assert received["sender"] == SYSTEM_USERNAME
        assert received["sender_display_name"] == "mailslot"


async def test_a_host_sends_as_one_of_its_users(app, client) -> None:
    alice, alice_id = await host_user(client, app)
    bob, bob_id = await host_user(client, app)
    context = {"ref": "order:A-123", "data": {"total": 12}}

    sent = await post(client, await sender_key(app), notice([bob_id], alice_id, context=context))

    assert sent.status_code == 201, sent.text
    assert sent.json()["message"]["sender"] == alice.username
    (received,) = await inbox(client, bob)
    assert received["sender"] == alice.username
    assert received["context"] == {**context, "signed": False}
    sent_box = await client.get(f"/users/{alice.username}/messages?box=sent", headers=alice.headers)
    assert [m["id"] for m in sent_box.json()["messages"]] == [received["id"]]


async def test_a_reply_as_a_user_joins_the_thread_and_keeps_its_context(app, client) -> None:
    _alice, alice_id = await host_user(client, app)
    _bob, bob_id = await host_user(client, app)
    key = await sender_key(app)
    first = await post(client, key, notice([bob_id], alice_id, context={"ref": "order:B-7"}))
    first_id = first.json()["message"]["id"]

    reply = await post(client, key, notice([alice_id], bob_id, reply_to=first_id))

    assert reply.status_code == 201, reply.text
    message = reply.json()["message"]
    assert message["thread_id"] == first_id
    assert message["context"]["ref"] == "order:B-7"


async def test_an_unknown_or_deactivated_sender_is_refused(app, client) -> None:
    _, bob_id = await host_user(client, app)
    _, gone_id = await host_user(client, app)
    await deactivate(app, gone_id)
    key = await sender_key(app)

    unknown = await post(client, key, notice([bob_id], external_id()))
    deactivated = await post(client, key, notice([bob_id], gone_id))

    assert (unknown.status_code, unknown.json()["code"]) == (404, "user_not_found")
    assert (deactivated.status_code, deactivated.json()["code"]) == (403, "account_deactivated")


async def test_a_recipient_deactivated_during_the_send_is_answered_so(
    app, client, dialect, monkeypatch
) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite's send holds the write lock from its first read: no race")
    alice, alice_id = await host_user(client, app)
    _, bob_id = await host_user(client, app)
    looked_up = sendas._resolve
    reads = 0

    async def then_bob_is_deactivated(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        found = await looked_up(*args, **kwargs)
        reads += 1
        if reads == 1:  # after the first read, before the send
            await deactivate(app, bob_id)
        return found

    monkeypatch.setattr(sendas, "_resolve", then_bob_is_deactivated)

    sent = await post(client, await sender_key(app), notice([alice_id, bob_id]))

    assert sent.status_code == 201, sent.text
    assert reads == 2
    assert sent.json()["deliveries"] == [
        {"to": alice_id, "status": "delivered"},
        {"to": bob_id, "status": "deactivated"},
    ]
    assert [m["receivers"] for m in await inbox(client, alice)] == [[alice.username]]


async def test_a_send_no_recipient_can_receive_stores_nothing(app, client) -> None:
    _, gone_id = await host_user(client, app)
    await deactivate(app, gone_id)
    nobody = external_id()
    subject = unique_name("nothing")

    refused = await post(
        client, await sender_key(app), {**notice([nobody, gone_id]), "subject": subject}
    )

    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "no_recipient_can_receive"
    assert problem["errors"] == [
        {"pointer": "/body/to/0", "detail": "unknown_user"},
        {"pointer": "/body/to/1", "detail": "deactivated"},
    ]
    async with app_state(app).sessions() as db:
        assert await db.scalar(select(func.count()).where(Message.subject == subject)) == 0


async def test_up_to_a_thousand_recipients_and_no_more(app, client) -> None:
    key = await sender_key(app)
    _alice, alice_id = await host_user(client, app)
    many = [alice_id, *(external_id() for _ in range(MAX_RECIPIENTS - 1))]

    accepted = await post(client, key, notice(many))
    over = await post(client, key, notice([*many, external_id()]))

    assert accepted.status_code == 201, accepted.text
    deliveries = accepted.json()["deliveries"]
    assert len(deliveries) == MAX_RECIPIENTS
    assert deliveries[0] == {"to": alice_id, "status": "delivered"}
    assert {d["status"] for d in deliveries[1:]} == {"unknown_user"}
    assert (over.status_code, over.json()["code"]) == (422, "validation_failed")
    assert over.json()["errors"][0]["pointer"] == "/body/to"


@pytest.mark.parametrize(
    "body",
    [
        {"to": ["x"], "subject": "s", "message": "m"},  # no from
        {"from": "system", "to": [], "subject": "s", "message": "m"},
        {"from": "system", "to": ["has space"], "subject": "s", "message": "m"},
        {"from": "system", "to": ["x"], "subject": "", "message": "m"},
        {"from": "system", "to": ["x"], "subject": "s", "message": "m", "sender": "x"},
        {"from": "system", "to": ["x"], "subject": "s", "message": "m", "reply_to": 0},
        {"from": "system", "to": ["x"], "subject": "s", "message": "m", "context": {}},
        {"from": "system", "to": "x", "subject": "s", "message": "m"},
    ],
)
async def test_bad_input_is_a_precise_422(app, client, body) -> None:
    refused = await post(client, await sender_key(app), body)

    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "validation_failed"
    assert refused.headers["content-type"] == "application/problem+json"


async def test_a_reply_to_a_message_not_in_the_senders_mailbox_is_refused(app, client) -> None:
    _, alice_id = await host_user(client, app)

    refused = await post(client, await sender_key(app), notice([alice_id], reply_to=2**62))

    assert (refused.status_code, refused.json()["code"]) == (422, "reply_to_not_found")


async def test_a_key_without_the_scope_is_refused(app, client) -> None:
    _, alice_id = await host_user(client, app)

    refused = await post(client, await sender_key(app, "users:write"), notice([alice_id]))

    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")


async def test_a_retry_repeats_the_first_answer(app, client) -> None:
    alice, alice_id = await host_user(client, app)
    _, bob_id = await host_user(client, app)
    key = await sender_key(app)
    idempotency = {"Idempotency-Key": unique_name("notice")}
    first = await post(client, key, notice([alice_id, bob_id]), **idempotency)
    await deactivate(app, bob_id)  # the retry still says what the first answer said

    again = await post(client, key, notice([alice_id, bob_id]), **idempotency)
    other = await post(client, key, notice([alice_id]), **idempotency)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert again.json()["deliveries"] == first.json()["deliveries"]
    assert {d["status"] for d in first.json()["deliveries"]} == {"delivered"}
    assert len(await inbox(client, alice)) == 1
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")


async def test_the_system_account_cannot_sign_in_by_any_door(app, client) -> None:
    _, alice_id = await host_user(client, app)
    await post(client, await sender_key(app), notice([alice_id]))  # it exists now

    native = await client.post(f"/users/{SYSTEM_USERNAME}/token", json={"password": "x" * 12})
    seed_a_login = await seed_a(client, "POST", "//login?username=%40system&password=whatever")
    register = await client.post(
        "/users",
        json={"username": SYSTEM_USERNAME, "email": "s@example.com", "password": "x" * 12},
    )

    assert native.status_code in (401, 422), native.text
    assert seed_a_login.status_code in (401, 422), seed_a_login.text
    assert register.status_code == 422, register.text
    async with app_state(app).sessions() as db:
        system = (
            await db.execute(select(User).where(User.username == SYSTEM_USERNAME))
        ).scalar_one()
        assert (system.password_hash, system.external_id, system.email) == (
            NO_PASSWORD,
            None,
            None,
        )


async def test_the_system_keeps_no_change_log_of_what_it_sends(app, client) -> None:
    alice, alice_id = await host_user(client, app)
    _, bob_id = await host_user(client, app)
    key = await sender_key(app)
    await post(client, key, notice([bob_id]))  # the system account exists now
    async with app_state(app).sessions() as db:
        before = await db.scalar(
            select(User.last_change_seq).where(User.username == SYSTEM_USERNAME)
        )

    sent = await post(client, key, notice([alice_id]))

    async with app_state(app).sessions() as db:
        after = await db.scalar(
            select(User.last_change_seq).where(User.username == SYSTEM_USERNAME)
        )
    assert after == before is not None
    changes = await client.get(f"/users/{alice.username}/changes?since=0", headers=alice.headers)
    assert [e["data"]["id"] for e in changes.json()["changes"]] == [sent.json()["message"]["id"]]


async def test_a_reply_to_the_system_is_refused_by_default(app, client) -> None:
    alice, alice_id = await host_user(client, app)
    sent = await post(client, await sender_key(app), notice([alice_id]))

    reply = await client.post(
        f"/users/{alice.username}/messages",
        json={"reply_to": sent.json()["message"]["id"], "subject": "Re", "message": "Thanks"},
        headers=alice.headers,
    )

    assert (reply.status_code, reply.json()["code"]) == (403, "system_does_not_take_replies")


async def test_replies_land_in_the_system_mailbox_when_allowed(app, client, settings) -> None:
    alice, alice_id = await host_user(client, app)
    bob, bob_id = await host_user(client, app)
    key = await sender_key(app)
    sent = (await post(client, key, notice([alice_id, bob_id]))).json()["message"]

    async with instance(settings, system_replies="on") as other:
        reply = await other.post(
            f"/users/{alice.username}/messages",
            json={"reply_to": sent["id"], "subject": "Re", "message": "Thanks"},
            headers=alice.headers,
        )
    mailbox = await client.get("/server/system/messages", headers=key)
    sent_box = await client.get("/server/system/messages?box=sent&per_page=100", headers=key)

    assert reply.status_code == 201, reply.text
    assert reply.json()["receivers"] == [SYSTEM_USERNAME]  # never to everyone it reached
    assert [m["id"] for m in await inbox(client, bob)] == [sent["id"]]
    assert mailbox.status_code == 200, mailbox.text
    assert reply.json()["id"] in [m["id"] for m in mailbox.json()["messages"]]
    assert sent["id"] in [m["id"] for m in sent_box.json()["messages"]]


async def test_the_platform_answers_a_reply_in_its_thread(app, client, settings) -> None:
    alice, alice_id = await host_user(client, app)
    key = await sender_key(app)
    sent = (await post(client, key, notice([alice_id], context={"ref": "ticket:9"}))).json()
    async with instance(settings, system_replies="on") as other:
        reply = await other.post(
            f"/users/{alice.username}/messages",
            json={"reply_to": sent["message"]["id"], "subject": "Re", "message": "Why?"},
            headers=alice.headers,
        )

    answer = await post(client, key, notice([alice_id], reply_to=reply.json()["id"]))

    assert answer.status_code == 201, answer.text
    message = answer.json()["message"]
    assert message["thread_id"] == sent["message"]["thread_id"]
    assert message["context"]["ref"] == "ticket:9"
    assert [m["id"] for m in await inbox(client, alice)] == [message["id"], sent["message"]["id"]]


async def test_the_system_mailbox_needs_the_mailbox_scope(app, client) -> None:
    refused = await client.get(
        "/server/system/messages", headers=await sender_key(app, "messages:send_as")
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")


async def test_the_operator_names_the_system_sender(app, client, settings) -> None:
    alice, alice_id = await host_user(client, app)
    key = await sender_key(app)

    async with instance(settings, system_display_name="Acme Market") as other:
        sent = await post(other, key, notice([alice_id]))
    shown = (await inbox(client, alice))[0]["sender_display_name"]
    await post(client, key, notice([external_id(), alice_id]))  # back to the default
    again = (await inbox(client, alice))[0]["sender_display_name"]

    assert sent.json()["message"]["sender_display_name"] == "Acme Market"
    assert (shown, again) == ("Acme Market", "mailslot")
