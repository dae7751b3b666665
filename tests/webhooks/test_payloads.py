"""Rendering mailbox events from the change log, in one statement a batch, and the body a
receiver gets, on every engine."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from mailslot.state import app_state
from mailslot.webhooks import payloads
from mailslot.webhooks.models import WebhookEvent
from tests.support.factories import inbox, make_user, post_message, send
from tests.support.statements import statements
from tests.webhooks.conftest import events_of

pytestmark = pytest.mark.anyio


async def rendered(app, events: list[WebhookEvent]) -> list[WebhookEvent]:
    """The events rendered in a session of their own, committed; as then stored."""
    async with app_state(app).sessions() as db:
        loaded = list(
            await db.scalars(
                select(WebhookEvent).where(WebhookEvent.id.in_([e.id for e in events]))
            )
        )
        await payloads.render(db, loaded)
        await db.commit()
        by_id = {event.id: event.data for event in loaded}
        stored = {
            row.id: row.data
            for row in await db.execute(
                select(WebhookEvent.id, WebhookEvent.data).where(WebhookEvent.id.in_(list(by_id)))
            )
        }
    assert stored == by_id  # what render left on the objects is what it wrote
    for event in events:
        event.data = by_id[event.id]
    return events


async def test_message_created_is_the_message_as_the_receivers_api_shows_it(
    app, client, dialect, endpoint
):
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    named = await client.patch(
        f"/users/{bob.username}", json={"display_name": "Bob B."}, headers=bob.headers
    )
    assert named.status_code == 200
    await endpoint("message.created")
    sent = await post_message(
        client,
        alice,
        {
            "receivers": [bob.username, carol.username],
            "subject": "Your order",
            "message": "is on its way",
            "context": {"ref": "order:A-1", "data": {"total": 42.5}},
        },
    )
    assert sent.status_code == 201, sent.text
    for receiver, display_name in ((bob, "Bob B."), (carol, None)):
        (event,) = await rendered(app, await events_of(app, receiver.username))
        (shown,) = await inbox(client, receiver)  # unread, as it was when it arrived
        assert event.data == {
            "user": {
                "username": receiver.username,
                "external_id": None,
                "display_name": display_name,
            },
            "seq": event.seq,
            "message": shown,
        }
        assert shown["context"] == {"ref": "order:A-1", "data": {"total": 42.5}, "signed": False}
        assert shown["read"] is False


async def test_a_batch_renders_in_one_statement(app, client, dialect, endpoint):
    alice = await make_user(client)
    receivers = [await make_user(client) for _ in range(5)]
    await endpoint("*")
    await send(client, alice, *receivers[:3])
    await send(client, alice, *receivers[3:])
    read = f"/users/{receivers[0].username}/messages"
    first = (await inbox(client, receivers[0]))[0]["id"]
    await client.patch(f"{read}/{first}", json={"read": True}, headers=receivers[0].headers)
    events = [e for user in receivers for e in await events_of(app, user.username)]
    assert len(events) == 6
    async with app_state(app).sessions() as db:
        loaded = list(
            await db.scalars(
                select(WebhookEvent).where(WebhookEvent.id.in_([e.id for e in events]))
            )
        )
        with statements(app) as seen:
            await payloads.render(db, loaded)
        await db.commit()
    # One read of the entries for the whole batch, one write (which tells what it wrote:
    # no read back).
    assert len([s for s in seen if "change" in s]) == 1, seen
    assert len(seen) == 2, seen
    assert all(event.data is not None for event in loaded)
    async with app_state(app).sessions() as db:
        with statements(app) as again:
            await payloads.render(db, loaded)  # rendered already: nothing to do
    assert again == []


async def test_an_event_that_cannot_be_rendered_holds_back_itself_alone(
    app, client, dialect, endpoint, monkeypatch, caplog
):
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    await endpoint("message.created")
    await send(client, alice, bob, carol)
    (broken,) = await events_of(app, bob.username)
    (fine,) = await events_of(app, carol.username)
    whole = payloads._data

    def failing(row: Any) -> dict[str, Any]:
        if row.event_id == broken.id:
            raise RuntimeError("a fault in one event's data")
        return whole(row)

    monkeypatch.setattr(payloads, "_data", failing)
    async with app_state(app).sessions() as db:
        loaded = list(
            await db.scalars(select(WebhookEvent).where(WebhookEvent.id.in_([broken.id, fine.id])))
        )
        await payloads.render(db, loaded)
        await db.commit()
    by_id = {event.id: event.data for event in loaded}
    assert by_id[broken.id] is None  # not sent: its claim runs out, and it is tried again
    data = by_id[fine.id]
    assert data is not None
    assert data["user"]["username"] == carol.username
    assert f"webhook event {broken.id} not rendered" in caplog.text
    async with app_state(app).sessions() as db:
        rows = await db.execute(
            select(WebhookEvent.id, WebhookEvent.data).where(
                WebhookEvent.id.in_([broken.id, fine.id])
            )
        )
        stored = {row.id: row.data for row in rows}
    assert stored == by_id


async def test_an_event_rendered_first_elsewhere_keeps_that_body(app, client, endpoint):
    alice, bob = await make_user(client), await make_user(client)
    await endpoint("*")
    await send(client, alice, bob)
    [event] = await events_of(app, bob.username)
    async with app_state(app).sessions() as db:
        stale = await db.get_one(WebhookEvent, event.id)
        assert stale.data is None
        # Another worker renders it (here: writes a body of its own) and commits first.
        await db.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event.id)
            .values(data={"rendered": "elsewhere"})
            .execution_options(synchronize_session=False)
        )
        await payloads.render(db, [stale])
        await db.commit()
        assert stale.data == {"rendered": "elsewhere"}


async def test_a_message_gone_before_rendering_is_withdrawn(app, client, dialect, endpoint):
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    await endpoint("message.created")
    withdrawn = await send(client, alice, bob)
    dropped = await send(client, carol, bob)
    kept = await send(client, carol, bob)
    deleted = await client.delete(
        f"/users/{alice.username}/messages/{withdrawn['id']}", headers=alice.headers
    )
    assert deleted.status_code == 204
    for_good = await client.delete(
        f"/users/{bob.username}/messages/{dropped['id']}",
        params={"permanent": "true"},
        headers=bob.headers,
    )
    assert for_good.status_code == 204
    events = await rendered(app, await events_of(app, bob.username))
    by_message: dict[Any, Any] = {event.message_id: event.data for event in events}
    for gone in (withdrawn, dropped):
        data = by_message[gone["id"]]
        assert data is not None
        assert (data["message"], data["withdrawn"]) == (None, True)
        assert "Hello" not in json.dumps(data)  # no content at all
    assert by_message[kept["id"]]["message"]["subject"] == "Hello"
    assert "withdrawn" not in by_message[kept["id"]]


async def test_read_unread_and_deleted_carry_their_entry(app, client, dialect, endpoint):
    alice, bob = await make_user(client), await make_user(client)
    await endpoint("message.read", "message.unread", "message.deleted")
    sent = await send(client, alice, bob)
    url = f"/users/{bob.username}/messages/{sent['id']}"
    opened = (await client.get(url, headers=bob.headers)).json()
    await client.patch(url, json={"read": False}, headers=bob.headers)
    await client.delete(url, headers=bob.headers)
    read, unread, deleted = await rendered(app, await events_of(app, bob.username))
    user = {"username": bob.username, "external_id": None, "display_name": None}
    assert read.data is not None
    assert read.type == "message.read"
    assert read.data == {
        "user": user,
        "seq": read.seq,
        "id": sent["id"],
        "read": True,
        "read_at": read.data["read_at"],
    }
    assert datetime.fromisoformat(read.data["read_at"]) == datetime.fromisoformat(opened["read_at"])
    assert unread.data == {
        "user": user,
        "seq": unread.seq,
        "id": sent["id"],
        "read": False,
        "read_at": None,
    }
    assert deleted.data == {"user": user, "seq": deleted.seq, "id": sent["id"], "scope": "own"}
    assert [read.seq, unread.seq, deleted.seq] == sorted(
        [read.seq or 0, unread.seq or 0, deleted.seq or 0]
    )
    assert len({read.seq, unread.seq, deleted.seq} - {None}) == 3


async def test_the_first_rendering_is_kept(app, client, dialect, endpoint):
    alice, bob = await make_user(client), await make_user(client)
    await endpoint("message.created")
    sent = await send(client, alice, bob)
    (first,) = await rendered(app, await events_of(app, bob.username))
    await client.delete(f"/users/{alice.username}/messages/{sent['id']}", headers=alice.headers)
    async with app_state(app).sessions() as db:
        stale = await db.get(WebhookEvent, first.id)
        assert stale is not None
        set_committed_value(stale, "data", None)  # as a worker that loaded it before
        await payloads.render(db, [stale])
        await db.commit()
    assert stale.data == first.data  # not withdrawn: one body for every attempt
    (stored,) = await events_of(app, bob.username)
    assert stored.data == first.data
    assert stored.data is not None
    assert stored.data["message"]["id"] == sent["id"]


async def test_the_body_is_compact_json_of_type_timestamp_and_data(app, client, dialect, endpoint):
    alice, bob = await make_user(client), await make_user(client)
    await endpoint("message.created")
    await send(client, alice, bob, message="naïve café")
    (event,) = await events_of(app, bob.username)
    with pytest.raises(ValueError, match="not rendered"):
        payloads.body(event)
    (event,) = await rendered(app, [event])
    body = payloads.body(event)
    parsed = json.loads(body)
    assert parsed == {
        "type": "message.created",
        "timestamp": parsed["timestamp"],
        "data": event.data,
    }
    assert list(parsed) == ["type", "timestamp", "data"]
    assert parsed["timestamp"].endswith("Z")
    assert datetime.fromisoformat(parsed["timestamp"]) == event.created_at
    assert body == json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode()
    assert "naïve café".encode() in body
    assert payloads.body(event) == body  # the same bytes on every attempt


async def test_a_user_event_is_rendered_from_the_start(app, client, dialect, endpoint):
    await endpoint("user.created")
    alice = await make_user(client)
    (event,) = await events_of(app, alice.username)
    async with app_state(app).sessions() as db:
        with statements(app) as seen:
            await payloads.render(db, [event])
    assert seen == []
    assert json.loads(payloads.body(event))["data"]["username"] == alice.username
