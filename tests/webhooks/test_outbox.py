"""The outbox: which changes write webhook events and deliveries, in their transaction,
on every engine; and nothing at all when no enabled endpoint subscribes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from mailslot.accounts.service import Account
from mailslot.db.base import utcnow
from mailslot.errors import UnknownReceiver
from mailslot.messages import service
from mailslot.messages.store import store_for
from mailslot.messages.store.postgres import PostgresStore
from mailslot.state import app_state
from mailslot.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.support.factories import TestKey, make_server_key, make_user, send, unique_name
from tests.support.statements import statements
from tests.webhooks.conftest import deliveries_of, events_of, kinds, user_id

pytestmark = pytest.mark.anyio


async def changes(client, user) -> dict[Any, tuple[str, dict[str, Any]]]:
    """The user's change log by sequence number."""
    page = await client.get(f"/users/{user.username}/changes", headers=user.headers)
    assert page.status_code == 200, page.text
    return {change["id"]: (change["type"], change["data"]) for change in page.json()["changes"]}


async def event_count(app) -> int:
    async with app_state(app).sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(WebhookEvent)) or 0)


async def test_a_send_writes_one_message_created_per_receiver(app, client, dialect, endpoint):
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    hook = await endpoint("*")
    sent = await send(client, alice, bob, carol)
    for receiver in (bob, carol):
        (event,) = await events_of(app, receiver.username)
        assert (event.type, event.message_id, event.data) == ("message.created", sent["id"], None)
        assert event.id.startswith("msg_")
        assert len(event.id) == 36
        assert int(event.id[4:], 16) >= 0  # 32 hex digits
        # seq is the receiver's own change-log entry of that message
        assert (await changes(client, receiver))[event.seq][0] == "message.created"
        assert (await changes(client, receiver))[event.seq][1]["id"] == sent["id"]
        (delivery,) = await deliveries_of(app, [event.id])
        assert (delivery.endpoint_id, delivery.status, delivery.attempts) == (hook, "pending", 0)
        assert delivery.next_attempt_at == delivery.created_at == event.created_at
        assert delivery.claimed_until is None
    assert await events_of(app, alice.username) == []  # nothing for the sender's sent box


async def test_event_ids_begin_with_their_time(app, client, dialect, endpoint):
    # Ids of one moment sort together, whichever code made them (outbox.new_event_id for
    # user.created, the store's statement for message.created): the indexes they key
    # grow at one end.
    await endpoint("*")
    alice = await make_user(client)
    bob = await make_user(client)
    await send(client, alice, bob)
    events = sorted(
        [*await events_of(app, alice.username), *await events_of(app, bob.username)],
        key=lambda event: event.created_at,
    )
    assert [event.type for event in events] == ["user.created", "user.created", "message.created"]
    millis = [int(event.id[4:16], 16) for event in events]
    for event, ms in zip(events, millis, strict=True):
        assert abs(ms - event.created_at.timestamp() * 1000) < 5_000, event.id
    assert millis == sorted(millis)
    assert len({event.id[16:] for event in events}) == 3  # and 80 random bits each


async def test_a_send_to_oneself_is_one_message_created(app, client, dialect, endpoint):
    alice = await make_user(client)
    await endpoint("message.created")
    sent = await send(client, alice, alice)
    assert kinds(await events_of(app, alice.username)) == [("message.created", sent["id"])]


async def test_no_enabled_subscriber_means_nothing_written(app, client, dialect, endpoint):
    alice, bob = await make_user(client), await make_user(client)
    await endpoint("message.created", enabled=False)
    await endpoint("message.read", "user.created")
    sent = await send(client, alice, bob)
    read = await client.get(f"/users/{bob.username}/messages/{sent['id']}", headers=bob.headers)
    assert read.status_code == 200
    # Only the read is subscribed to, by the enabled endpoint.
    assert kinds(await events_of(app, bob.username)) == [("message.read", sent["id"])]


async def test_each_subscribed_endpoint_gets_one_delivery(app, client, dialect, endpoint):
    alice, bob = await make_user(client), await make_user(client)
    everything = await endpoint("*")
    created = await endpoint("message.created", "message.deleted")
    both = await endpoint("*", "message.created")  # one delivery all the same
    await endpoint("*", enabled=False)
    await endpoint("message.read")
    await send(client, alice, bob)
    (event,) = await events_of(app, bob.username)
    deliveries = await deliveries_of(app, [event.id])
    assert sorted(d.endpoint_id for d in deliveries) == sorted([everything, created, both])


async def test_a_refused_send_writes_nothing(app, client, dialect, endpoint):
    alice = await make_user(client)
    await endpoint("*")
    before = await event_count(app)
    refused = await client.post(
        f"/users/{alice.username}/messages",
        json={"receivers": [alice.username, "nobody-here-at-all"], "subject": "s", "message": "m"},
        headers=alice.headers,
    )
    assert refused.json()["code"] == "unknown_receiver"
    assert await event_count(app) == before


@pytest.mark.parametrize("commit", [False, True])
async def test_events_commit_or_roll_back_with_the_send(app, client, dialect, endpoint, commit):
    alice, bob = await make_user(client), await make_user(client)
    await endpoint("*")
    async with app_state(app).sessions() as db:
        sender = Account(await user_id(app, alice.username), alice.username, None, utcnow())
        view = await service.send_message(
            db, sender=sender, receivers=[bob.username], subject="s", text="t"
        )
        if commit:
            await db.commit()
        else:
            await db.rollback()
    expected = [("message.created", view.id)] if commit else []
    assert kinds(await events_of(app, bob.username)) == expected


async def test_an_unknown_receiver_in_the_service_writes_nothing(app, client, dialect, endpoint):
    alice = await make_user(client)
    await endpoint("*")
    before = await event_count(app)
    async with app_state(app).sessions() as db:
        sender = Account(await user_id(app, alice.username), alice.username, None, utcnow())
        with pytest.raises(UnknownReceiver):
            await service.send_message(
                db, sender=sender, receivers=["nobody-here-either"], subject="s", text="t"
            )
        await db.commit()
    assert await event_count(app) == before


async def test_read_unread_delete_and_restore_map_to_their_events(app, client, dialect, endpoint):
    alice, bob = await make_user(client), await make_user(client)
    await endpoint("*")
    sent = await send(client, alice, bob)
    url = f"/users/{bob.username}/messages/{sent['id']}"
    assert (await client.get(url, headers=bob.headers)).status_code == 200  # opens: read
    unread = await client.patch(url, json={"read": False}, headers=bob.headers)
    assert unread.status_code == 200
    bulk = await client.patch(
        f"/users/{bob.username}/messages",
        json={"ids": [sent["id"]], "read": True},
        headers=bob.headers,
    )
    assert bulk.status_code == 200
    assert (await client.delete(url, headers=bob.headers)).status_code == 204  # to the trash
    restored = await client.post(f"{url}/restore", headers=bob.headers)
    assert restored.status_code == 200  # a restore is no new message: no event
    log = await changes(client, bob)  # before the message is gone for bob
    gone = await client.delete(url, params={"permanent": "true"}, headers=bob.headers)
    assert gone.status_code == 204
    m = sent["id"]
    events = await events_of(app, bob.username)
    assert kinds(events) == [
        ("message.created", m),
        ("message.read", m),
        ("message.unread", m),
        ("message.read", m),
        ("message.deleted", m),
        ("message.deleted", m),
    ]
    # Each event is its own entry of the log; the restore's entry (a message.created) has none.
    assert [log[event.seq][0] for event in events[:-1]] == [
        "message.created",
        "message.updated",
        "message.updated",
        "message.updated",
        "message.deleted",
    ]
    assert [log[event.seq][1].get("read") for event in events[1:4]] == [True, False, True]
    restore_seq = sorted(set(log) - {event.seq for event in events})
    assert [log[seq][0] for seq in restore_seq] == ["message.created"]
    assert events[-1].seq == max(log) + 1
    assert await events_of(app, alice.username) == []


async def test_a_senders_delete_is_message_deleted_for_everyone(app, client, dialect, endpoint):
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    await endpoint("message.deleted")
    sent = await send(client, alice, bob, carol)
    url = f"/users/{alice.username}/messages/{sent['id']}"
    assert (await client.delete(url, headers=alice.headers)).status_code == 204
    for user in (alice, bob, carol):
        assert kinds(await events_of(app, user.username)) == [("message.deleted", sent["id"])]


async def test_registration_writes_user_created(app, client, dialect, endpoint):
    await endpoint("user.created")
    alice = await make_user(client)
    (event,) = await events_of(app, alice.username)
    assert (event.type, event.seq, event.message_id) == ("user.created", None, None)
    assert event.data is not None
    assert event.data["username"] == alice.username
    assert event.data["email"] == f"{alice.username}@example.com"
    assert event.data["external_id"] is None
    assert event.data["deactivated_at"] is None
    assert set(event.data) == {
        "external_id",
        "username",
        "display_name",
        "email",
        "custom",
        "groups",
        "created_at",
        "deactivated_at",
    }  # never a password or its hash
    assert event.data["groups"] == []
    assert len(await deliveries_of(app, [event.id])) == 1


async def test_the_server_api_writes_user_events(app, client, dialect, endpoint):
    await endpoint("user.created", "user.updated", "user.deactivated", "user.reactivated")
    key: TestKey = await make_server_key(app, "users:write")
    url = "/server/users/" + unique_name("shop-")

    async def put(body: dict[str, Any]) -> dict[str, Any]:
        answer = await client.put(url, json=body, headers=key.headers)
        assert answer.status_code in (200, 201), answer.text
        shown: dict[str, Any] = answer.json()
        return shown

    shown = await put({"display_name": "Alice", "custom": {"tier": 1}})
    await put({"display_name": "Alice"})  # unchanged: no event
    updated = await put({"display_name": "Alice B."})
    deactivated = (await client.post(f"{url}/deactivate", headers=key.headers)).json()
    await client.post(f"{url}/deactivate", headers=key.headers)  # again: nothing changes
    reactivated = (await client.post(f"{url}/reactivate", headers=key.headers)).json()
    events = await events_of(app, shown["username"])
    assert [event.type for event in events] == [
        "user.created",
        "user.updated",
        "user.deactivated",
        "user.reactivated",
    ]
    # Each carries the user as the server API answered it.
    for event, answer in zip(events, [shown, updated, deactivated, reactivated], strict=True):
        answer.pop("outcome", None)
        assert event.data == answer


async def test_a_batch_item_rolled_back_writes_no_event(app, client, dialect, endpoint):
    await endpoint("user.created")
    key: TestKey = await make_server_key(app, "users:write")
    first, clash = unique_name("shop-"), unique_name("shop-")
    taken = (
        await client.put(f"/server/users/{first}", json={"display_name": None}, headers=key.headers)
    ).json()["username"]
    batch = await client.post(
        "/server/users/batch",
        json={"users": [{"external_id": clash, "display_name": None, "username": taken}]},
        headers=key.headers,
    )
    assert batch.json()["results"][0]["outcome"] == "error"
    assert [event.type for event in await events_of(app, taken)] == ["user.created"]


async def test_a_users_own_profile_change_writes_user_updated(app, client, dialect, endpoint):
    alice = await make_user(client)
    await endpoint("user.updated")
    changed = await client.patch(
        f"/users/{alice.username}", json={"display_name": "Al"}, headers=alice.headers
    )
    assert changed.status_code == 200
    (event,) = await events_of(app, alice.username)
    assert event.type == "user.updated"
    assert event.data is not None
    assert (event.data["username"], event.data["display_name"]) == (alice.username, "Al")


async def test_a_postgres_send_is_one_statement_with_or_without_endpoints(
    app, client, dialect, endpoint
):
    if dialect != "postgres":
        pytest.skip("SQLite's send is several statements on one connection")
    async with app_state(app).sessions() as db:
        store = store_for(db)
    assert isinstance(store, PostgresStore)
    alice, bob = await make_user(client), await make_user(client)
    await send(client, bob, alice)  # the store learns that no endpoint is enabled now
    with statements(app, "INSERT INTO message") as plain:
        await send(client, alice, bob)
    assert (len(plain), store.hooked) == (1, False)
    hook = await endpoint("message.created")
    # The first send after an endpoint appears: the plain form stores nothing, the
    # hooked one everything.
    with statements(app, "INSERT INTO message") as first:
        sent = await send(client, alice, bob)
    assert (len(first), store.hooked) == (2, True)
    with statements(app, "INSERT INTO message") as then:
        again = await send(client, alice, bob)
    assert len(then) == 1
    assert kinds(await events_of(app, bob.username)) == [
        ("message.created", sent["id"]),
        ("message.created", again["id"]),
    ]
    async with app_state(app).sessions() as db:
        await db.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == hook).values(enabled=False)
        )
        await db.commit()
    await send(client, alice, bob)
    assert store.hooked is False
    assert len(await events_of(app, bob.username)) == 2


async def test_with_no_endpoint_the_outbox_costs_no_statement(app, client, dialect):
    alice, bob = await make_user(client), await make_user(client)
    # The store remembers whether an endpoint was enabled at its last write: after a test
    # that had one, its first write takes the hooked form once, then learns (postgres.py).
    await send(client, bob, alice)
    with statements(app, "webhook_event") as seen:
        sent = await send(client, alice, bob)
        url = f"/users/{bob.username}/messages/{sent['id']}"
        assert (await client.get(url, headers=bob.headers)).status_code == 200
        assert (await client.delete(url, headers=bob.headers)).status_code == 204
    assert seen == []
    assert await events_of(app, bob.username) == []
