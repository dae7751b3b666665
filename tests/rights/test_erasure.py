"""Account erasure through the API, on every engine: each mode, from both sides of a
conversation, checked through every read path a receiver has (lists, threads, search,
changes, seed A's get_all, profiles, webhook payloads), the token, the username hold."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from mailslot.accounts import service as accounts
from mailslot.accounts.models import AccessToken, User, UsernameHold
from mailslot.db.base import utcnow
from mailslot.errors import UserNotFound
from mailslot.messages.models import Change, Delivery, Message
from mailslot.messages.purge import purge_expired
from mailslot.rights.erasure import service
from mailslot.rights.erasure.models import Erasure
from mailslot.rights.erasure.run import finish_interrupted, run_erasure
from mailslot.state import app_state
from mailslot.webhooks import payloads
from mailslot.webhooks.models import WebhookEvent
from tests.compat.seed_a import SeedAUser, seed_a
from tests.support.factories import (
    PASSWORD,
    TestKey,
    TestUser,
    forget_webhook_endpoints,
    make_server_key,
    make_user,
    make_webhook,
    send,
    unique_name,
)
from tests.support.people import give_external_id

pytestmark = pytest.mark.anyio


async def erase_self(client: httpx.AsyncClient, user: TestUser) -> httpx.Response:
    return await client.request(
        "DELETE", f"/users/{user.username}", json={"password": user.password}, headers=user.headers
    )


async def erase_by_host(
    client: httpx.AsyncClient, app: FastAPI, user: TestUser, mode: str
) -> dict[str, Any]:
    host_id = await give_external_id(app, user.username)
    key = await make_server_key(app, "users:write")
    answer = await client.delete(
        f"/server/users/{host_id}", params={"mode": mode}, headers=key.headers
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def get(client: httpx.AsyncClient, user: TestUser, path: str, **params: Any) -> Any:
    answer = await client.get(f"/users/{user.username}{path}", params=params, headers=user.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def erasure_of(app: FastAPI, user_id: int) -> Erasure:
    async with app_state(app).sessions() as db:
        entry = await db.scalar(select(Erasure).where(Erasure.user_id == user_id))
    assert entry is not None
    return entry


async def user_id(app: FastAPI, username: str) -> int:
    async with app_state(app).sessions() as db:
        found = await db.scalar(select(User.id).where(User.username_key == username.casefold()))
    assert found is not None
    return found


async def register(client: httpx.AsyncClient, name: str) -> httpx.Response:
    return await client.post(
        "/users", json={"username": name, "email": f"{name}@example.org", "password": PASSWORD}
    )


def senders(messages: list[dict[str, Any]]) -> list[str]:
    return [m["sender"] for m in messages]


async def test_a_sender_erased_in_pseudonymize_mode_is_a_tombstone_on_every_read_path(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    alice = await make_user(client)
    bob = SeedAUser(unique_name("bob"), "password-bob")
    assert (await seed_a(client, "POST", f"//signup?{bob.credentials}")).status_code == 201
    assert (await seed_a(client, "POST", f"//login?{bob.credentials}")).status_code == 200
    bob_native = TestUser(
        bob.username,
        bob.password,
        (await client.post(f"/users/{bob.username}/token", json={"password": bob.password})).json()[
            "access_token"
        ],
    )
    carol = await make_user(client)
    subject = unique_name("lunch")
    first = await send(client, alice, bob_native, carol, subject=subject, message="noon")
    reply = await client.post(
        f"/users/{bob.username}/messages",
        json={
            "receivers": [alice.username],
            "subject": "Re",
            "message": "yes",
            "reply_to": first["id"],
        },
        headers=bob_native.headers,
    )
    assert reply.status_code == 201
    alice_id = await user_id(app, alice.username)

    assert (await erase_self(client, alice)).status_code == 204

    entry = await erasure_of(app, alice_id)
    tombstone = entry.tombstone
    assert tombstone.startswith("deleted-user-")
    assert alice.username not in tombstone
    assert entry.mode == "pseudonymize"
    assert entry.finished_at is not None
    assert entry.counts["received"] == 1  # bob's reply
    assert entry.counts["sent_kept"] == 1
    assert entry.counts["tokens"] == 1
    # The token is dead at once, and so is the password.
    assert (await client.get(f"/users/{alice.username}", headers=alice.headers)).status_code == 401
    signed_in = await client.post(f"/users/{alice.username}/token", json={"password": PASSWORD})
    assert signed_in.status_code == 401
    # Receivers keep the message, from the tombstone: inbox, the message, the thread,
    # search, the change feed, seed A's get_all, the profile.
    for receiver in (bob_native, carol):
        listed = (await get(client, receiver, "/messages"))["messages"]
        assert [(m["id"], m["sender"], m["subject"]) for m in listed if m["id"] == first["id"]] == [
            (first["id"], tombstone, subject)
        ]
        assert (await get(client, receiver, f"/messages/{first['id']}"))["sender"] == tombstone
        # Seed B's page form of the list.
        paged = await client.get(
            f'/users/{receiver.username}/messages?unread="false"&per_page=20%page=1',
            headers=receiver.headers,
        )
        assert [m["sender"] for m in paged.json()["messages"] if m["id"] == first["id"]] == [
            tombstone
        ]
        assert senders((await get(client, receiver, "/messages", q=subject))["messages"]) == [
            tombstone
        ]
        assert senders(
            (await get(client, receiver, "/messages", **{"from": tombstone}))["messages"]
        ) == [tombstone]
        changes = (await get(client, receiver, "/changes", since=0))["changes"]
        created = [
            c["data"]
            for c in changes
            if c["type"] == "message.created" and c["data"]["id"] == first["id"]
        ]
        assert [c["sender"] for c in created] == [tombstone]
        assert alice.username not in str(changes)
        profile = await get(client, receiver, f"/../{tombstone}")
        assert profile == {"username": tombstone, "display_name": None}
    thread = await get(client, bob_native, f"/threads/{first['thread_id']}")
    assert {m["sender"] for m in thread["messages"]} == {tombstone, bob.username}
    assert [m["receivers"] for m in thread["messages"] if m["id"] == reply.json()["id"]] == [
        [tombstone]
    ]
    every = await seed_a(client, "GET", f"//messages?{bob.credentials}&request=get_all")
    assert every.status_code == 200
    assert {m["sender"] for m in every.json()} == {tombstone, bob.username}
    assert alice.username not in every.text
    # The old name is nobody now, and held.
    assert (await client.get(f"/users/{alice.username}", headers=carol.headers)).status_code == 404
    again = await register(client, alice.username)
    assert (again.status_code, again.json()["code"]) == (409, "username_held")
    async with app_state(app).sessions() as db:
        row = (await db.execute(select(User).where(User.id == alice_id))).scalar_one()
        assert (row.username, row.email, row.display_name, row.external_id) == (
            tombstone,
            None,
            None,
            None,
        )
        assert await db.scalar(select(func.count()).where(AccessToken.user_id == alice_id)) == 0
        assert await db.scalar(select(func.count()).where(Delivery.receiver_id == alice_id)) == 0
        assert await db.scalar(select(func.count()).where(Change.user_id == alice_id)) == 0
        hold = await db.scalar(
            select(UsernameHold.held_until).where(
                UsernameHold.username_key == alice.username.casefold()
            )
        )
        assert hold == entry.hold_until


async def test_a_receiver_erased_in_pseudonymize_mode_is_a_tombstone_in_receiver_lists(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    alice, bob, carol = await make_user(client), await make_user(client), await make_user(client)
    message = await send(client, alice, bob, carol)
    from_bob = await send(client, bob, alice)
    bob_id = await user_id(app, bob.username)

    assert (await erase_self(client, bob)).status_code == 204
    tombstone = (await erasure_of(app, bob_id)).tombstone

    sent = (await get(client, alice, "/messages", box="sent"))["messages"]
    assert [m["receivers"] for m in sent if m["id"] == message["id"]] == [
        [tombstone, carol.username]
    ]
    inbox = (await get(client, carol, "/messages"))["messages"]
    assert [m["receivers"] for m in inbox if m["id"] == message["id"]] == [
        [tombstone, carol.username]
    ]
    assert senders(
        (await get(client, alice, "/messages", to=tombstone, box="sent"))["messages"]
    ) == [alice.username]
    # What bob sent stays with alice, from the tombstone.
    assert (await get(client, alice, f"/messages/{from_bob['id']}"))["sender"] == tombstone
    changes = (await get(client, carol, "/changes", since=0))["changes"]
    assert bob.username not in str(changes)


async def test_purge_sent_removes_what_the_erased_user_sent_from_every_receiver(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    alice, bob, carol = await make_user(client), await make_user(client), await make_user(client)
    gone = await send(client, alice, bob, carol, subject="secret")
    trashed = await send(client, alice, bob)
    assert (
        await client.delete(f"/users/{bob.username}/messages/{trashed['id']}", headers=bob.headers)
    ).status_code == 204
    kept = await send(client, bob, alice, carol, subject="bob's")
    before = (await get(client, bob, "/changes", since=0))["latest"]
    alice_id = await user_id(app, alice.username)

    result = await erase_by_host(client, app, alice, "purge-sent")

    assert result["mode"] == "purge-sent"
    assert result["counts"]["sent_removed"] == 2
    assert result["counts"]["sent_kept"] == 0
    tombstone = result["tombstone"]
    for receiver in (bob, carol):
        assert gone["id"] not in [
            m["id"] for m in (await get(client, receiver, "/messages"))["messages"]
        ]
        missing = await client.get(
            f"/users/{receiver.username}/messages/{gone['id']}", headers=receiver.headers
        )
        assert missing.status_code == 404
        assert (await get(client, receiver, "/messages", q="secret"))["messages"] == []
    assert (await get(client, bob, "/messages", box="trash"))["messages"] == []
    everything = await get(client, bob, "/changes", since=0)
    assert "secret" not in str(everything)  # the log serves no content of what went
    changes = (await get(client, bob, "/changes", since=before))["changes"]
    assert sorted((c["type"], c["data"]["id"], c["data"]["scope"]) for c in changes) == sorted(
        [
            ("message.deleted", gone["id"], "everyone"),
            ("message.deleted", trashed["id"], "everyone"),
        ]
    )
    # What they received stays with its sender and the other receivers, the tombstone
    # in its receiver list.
    for holder in (bob, carol):
        shown = await get(client, holder, f"/messages/{kept['id']}", mark_read="false")
        assert shown["receivers"] == [tombstone, carol.username]
    async with app_state(app).sessions() as db:
        assert await db.scalar(select(func.count()).where(Message.sender_id == alice_id)) == 0


async def test_pseudonymize_by_host_deletes_sent_messages_no_one_holds(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    held = await send(client, alice, bob)
    dropped = await send(client, alice, bob)
    deleted = await client.delete(
        f"/users/{bob.username}/messages/{dropped['id']}",
        params={"permanent": "true"},
        headers=bob.headers,
    )
    assert deleted.status_code == 204
    alice_id = await user_id(app, alice.username)

    result = await erase_by_host(client, app, alice, "pseudonymize")

    assert (result["counts"]["sent_kept"], result["counts"]["sent_removed"]) == (1, 1)
    async with app_state(app).sessions() as db:
        left = (await db.scalars(select(Message.id).where(Message.sender_id == alice_id))).all()
    assert left == [held["id"]]


async def test_erasure_needs_the_current_password_and_the_own_account(
    client: httpx.AsyncClient,
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    wrong = await client.request(
        "DELETE",
        f"/users/{alice.username}",
        json={"password": "not it at all"},
        headers=alice.headers,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "wrong_password")
    other = await client.request(
        "DELETE", f"/users/{bob.username}", json={"password": PASSWORD}, headers=alice.headers
    )
    assert (other.status_code, other.json()["code"]) == (403, "not_your_mailbox")
    missing = await client.request("DELETE", f"/users/{alice.username}", headers=alice.headers)
    assert missing.status_code == 422
    extra = await client.request(
        "DELETE",
        f"/users/{alice.username}",
        json={"password": PASSWORD, "mode": "purge-sent"},
        headers=alice.headers,
    )
    assert extra.status_code == 422
    # Nothing happened: alice still signs in.
    assert (await client.get(f"/users/{alice.username}", headers=alice.headers)).status_code == 200


async def test_a_tombstone_name_cannot_be_registered(client: httpx.AsyncClient) -> None:
    answer = await register(client, f"Deleted-User-{unique_name()}")
    assert (answer.status_code, answer.json()["code"]) == (409, "username_held")


async def test_the_server_api_refuses_an_unknown_mode_and_an_erased_user(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    alice = await make_user(client)
    host_id = await give_external_id(app, alice.username)
    key: TestKey = await make_server_key(app, "users:write")
    bad = await client.delete(
        f"/server/users/{host_id}", params={"mode": "shred"}, headers=key.headers
    )
    assert bad.status_code == 422
    assert (await client.delete(f"/server/users/{host_id}", headers=key.headers)).status_code == 200
    again = await client.delete(f"/server/users/{host_id}", headers=key.headers)
    assert (again.status_code, again.json()["code"]) == (404, "user_not_found")


async def test_webhook_payloads_show_the_tombstone(client: httpx.AsyncClient, app: FastAPI) -> None:
    endpoint = await make_webhook(app, event_types=("message.created",), enabled=True)
    try:
        alice, bob = await make_user(client), await make_user(client)
        message = await send(client, alice, bob)
        async with app_state(app).sessions() as db:
            events = list(
                (
                    await db.scalars(
                        select(WebhookEvent).where(WebhookEvent.message_id == message["id"])
                    )
                ).all()
            )
            await payloads.render(db, events)  # rendered before: the name is in it
            await db.commit()
        assert {e.data["message"]["sender"] for e in events if e.data} == {alice.username}
        assert (await erase_self(client, alice)).status_code == 204
        async with app_state(app).sessions() as db:
            events = list(
                (
                    await db.scalars(
                        select(WebhookEvent).where(WebhookEvent.message_id == message["id"])
                    )
                ).all()
            )
            await payloads.render(db, events)
            bodies = [payloads.body(e) for e in events]
        assert bodies  # bob's event is left, alice's own went
        assert all(alice.username.encode() not in body for body in bodies)
        assert all(b"deleted-user-" in body for body in bodies)
    finally:
        await forget_webhook_endpoints(app)
    assert endpoint.startswith("ep_")


async def test_a_large_mailbox_is_erased_in_batches_and_a_rerun_finishes_nothing_twice(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    alice, bob, carol = await make_user(client), await make_user(client), await make_user(client)
    sent = [await send(client, alice, bob) for _ in range(5)]
    for _ in range(4):
        await send(client, bob, alice, carol)
    alice_id = await user_id(app, alice.username)
    async with app_state(app).sessions() as db:
        entry = await service.begin_erasure(db, user_id=alice_id, mode="pseudonymize", hold_days=1)
        await db.commit()
        batches: list[int] = []
        entry = await run_erasure(db, entry, batch=2, on_batch=batches.append)
    # Received: 2, 2, 0; sent: 2, 2, 1; change log: 2 at a time to its end.
    assert batches[:3] == [2, 2, 0]
    assert batches[3:6] == [2, 2, 1]
    assert all(size <= 2 for size in batches)
    assert (entry.counts["received"], entry.counts["sent_kept"]) == (4, 5)
    assert entry.counts["changes"] == 9  # a message.created entry per message, each side
    for message in sent:
        shown = await get(client, bob, f"/messages/{message['id']}", mark_read="false")
        assert shown["sender"] == entry.tombstone
    inbox = (await get(client, carol, "/messages"))["messages"]
    assert {tuple(m["receivers"]) for m in inbox} == {(entry.tombstone, carol.username)}
    async with app_state(app).sessions() as db:
        with pytest.raises(UserNotFound):
            await service.begin_erasure(db, user_id=alice_id, mode="purge-sent", hold_days=1)


async def test_an_interrupted_erasure_is_finished_by_the_operator(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    message = await send(client, alice, bob)
    alice_id = await user_id(app, alice.username)
    async with app_state(app).sessions() as db:
        entry = await service.begin_erasure(db, user_id=alice_id, mode="purge-sent", hold_days=0)
        await db.commit()  # and the server stops here
    await app_state(app).token_cache.forget_user(alice_id)
    assert (await client.get(f"/users/{alice.username}", headers=alice.headers)).status_code == 401
    async with app_state(app).sessions() as db:
        assert await finish_interrupted(db) == 1
        assert await finish_interrupted(db) == 0
    finished = await erasure_of(app, alice_id)
    assert finished.finished_at is not None
    assert finished.tombstone == entry.tombstone
    missing = await client.get(
        f"/users/{bob.username}/messages/{message['id']}", headers=bob.headers
    )
    assert missing.status_code == 404
    # No hold (0 days): the name is free at once.
    assert (await register(client, alice.username)).status_code == 201


async def test_the_purge_frees_a_username_whose_hold_ended(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    name = unique_name("held")
    async with app_state(app).sessions() as db:
        await accounts.hold_username(db, name, until=utcnow() + timedelta(days=1))
        await db.commit()
    assert (await register(client, name)).json()["code"] == "username_held"
    async with app_state(app).sessions() as db:
        await accounts.hold_username(db, name, until=utcnow() - timedelta(seconds=1))
        await db.commit()
    purged = await purge_expired(app_state(app).sessions, trash_retention=timedelta(days=30))
    assert purged.username_holds >= 1
    async with app_state(app).sessions() as db:
        assert (
            await db.scalar(select(UsernameHold).where(UsernameHold.username_key == name)) is None
        )
    assert (await register(client, name)).status_code == 201


async def test_a_host_provisions_an_erased_external_id_again_under_another_name(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    key = await make_server_key(app, "users:write")
    host_id = f"cus_{unique_name()}"
    first = await client.put(
        f"/server/users/{host_id}", json={"display_name": "A"}, headers=key.headers
    )
    assert first.status_code == 201, first.text
    erased = await client.delete(f"/server/users/{host_id}", headers=key.headers)
    assert erased.status_code == 200
    again = await client.put(
        f"/server/users/{host_id}", json={"display_name": "B"}, headers=key.headers
    )
    assert again.status_code == 201, again.text
    assert again.json()["username"] == first.json()["username"] + "-2"  # the first is held
    taken = await client.put(
        f"/server/users/{host_id}x",
        json={"display_name": "C", "username": first.json()["username"]},
        headers=key.headers,
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "username_held")
