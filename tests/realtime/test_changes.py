"""The change log through the API: what each mutation records, in what order, and sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import update

from mailslot.messages import changes, trash
from mailslot.messages.models import Change, Delivery
from mailslot.state import app_state
from tests.compat.seed_a import make_seed_a_user, native_headers, seed_a
from tests.support.factories import TestUser, inbox, make_user, send
from tests.support.statements import statements

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]


async def changes_of(
    client: httpx.AsyncClient, user: TestUser, since: int = 0, **params: Any
) -> dict[str, Any]:
    response = await client.get(
        f"/users/{user.username}/changes",
        params={"since": since, **params},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_send_records_created_for_each_side_as_the_api_shows_it(client) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol, subject="Plans", message="Friday?")

    for receiver in (bob, carol):
        page = await changes_of(client, receiver)
        shown = await client.get(
            f"/users/{receiver.username}/messages/{sent['id']}",
            params={"mark_read": "false"},
            headers=receiver.headers,
        )
        assert page == {
            "changes": [
                {"type": "message.created", "id": 1, "data": {**shown.json(), "box": "inbox"}}
            ],
            "latest": 1,
        }
    sender_page = await changes_of(client, alice)
    assert sender_page["changes"] == [
        {"type": "message.created", "id": 1, "data": {**sent, "box": "sent"}}
    ]


async def test_read_unread_and_delete_are_recorded_in_order(client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await send(client, alice, bob, subject="one")
    second = await send(client, alice, bob, subject="two")
    read = await client.get(f"/users/{bob.username}/messages/{first['id']}", headers=bob.headers)
    await client.patch(
        f"/users/{bob.username}/messages/{first['id']}", json={"read": False}, headers=bob.headers
    )
    await client.delete(f"/users/{bob.username}/messages/{second['id']}", headers=bob.headers)
    await client.delete(f"/users/{alice.username}/messages/{first['id']}", headers=alice.headers)

    page = await changes_of(client, bob)
    assert [(c["id"], c["type"]) for c in page["changes"]] == [
        (1, "message.deleted"),  # created, then deleted for everyone: no content is kept
        (2, "message.created"),  # in bob's trash, where he can read it
        (3, "message.updated"),
        (4, "message.updated"),
        (5, "message.deleted"),
        (6, "message.deleted"),
    ]
    assert page["latest"] == 6
    assert page["changes"][0]["data"] == {"id": first["id"], "scope": "everyone"}
    data = [c["data"] for c in page["changes"][2:]]
    assert data == [
        {"id": first["id"], "read": True, "read_at": read.json()["read_at"]},
        {"id": first["id"], "read": False, "read_at": None},
        {"id": second["id"], "scope": "own"},
        {"id": first["id"], "scope": "everyone"},
    ]
    # The sender: two sends, then the deletion for everyone; bob's own deletion is his.
    assert [
        (c["type"], c["data"].get("scope")) for c in (await changes_of(client, alice))["changes"]
    ] == [
        ("message.deleted", "everyone"),
        ("message.created", None),
        ("message.deleted", "everyone"),
    ]


async def test_marking_what_is_already_so_records_nothing(client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    for _ in range(2):
        response = await client.patch(
            f"/users/{bob.username}/messages/{sent['id']}",
            json={"read": False},
            headers=bob.headers,
        )
        assert response.status_code == 200
    assert (await changes_of(client, bob))["latest"] == 1


async def test_bulk_mark_records_one_update_per_changed_message(client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    ids = [(await send(client, alice, bob, subject=f"s{i}"))["id"] for i in range(3)]
    await client.get(f"/users/{bob.username}/messages/{ids[0]}", headers=bob.headers)
    response = await client.patch(
        f"/users/{bob.username}/messages", json={"all": True, "read": True}, headers=bob.headers
    )
    assert response.json()["updated_count"] == 2
    page = await changes_of(client, bob, since=4)
    assert sorted(c["data"]["id"] for c in page["changes"]) == ids[1:]
    assert {c["type"] for c in page["changes"]} == {"message.updated"}
    assert [c["id"] for c in page["changes"]] == [5, 6]


async def test_a_message_to_oneself_is_created_in_both_boxes(client) -> None:
    alice = await make_user(client)
    await send(client, alice, alice)
    page = await changes_of(client, alice)
    assert sorted(c["data"]["box"] for c in page["changes"]) == ["inbox", "sent"]
    inbox_side = next(c for c in page["changes"] if c["data"]["box"] == "inbox")
    assert inbox_side["data"]["read"] is False
    assert [c["id"] for c in page["changes"]] == [1, 2]


async def test_pages_continue_from_the_last_id(client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    for i in range(5):
        await send(client, alice, bob, subject=f"s{i}")
    seen, since = [], 0
    while True:
        page = await changes_of(client, bob, since=since, limit=2)
        if not page["changes"]:
            break
        seen += [c["data"]["subject"] for c in page["changes"]]
        since = page["changes"][-1]["id"]
        assert page["latest"] == 5
    assert seen == [f"s{i}" for i in range(5)]
    assert since == 5


async def test_a_position_the_log_does_not_hold_needs_a_resync(client, app) -> None:
    alice, bob = await make_user(client), await make_user(client)
    await send(client, alice, bob)
    beyond = await client.get(
        f"/users/{bob.username}/changes", params={"since": 7}, headers=bob.headers
    )
    assert beyond.status_code == 410
    assert beyond.json()["code"] == "resync_required"
    assert beyond.headers["content-type"] == "application/problem+json"

    # Retention drops the first change: a client at 0 must resync, one at 1 goes on.
    await send(client, alice, bob)
    bob_id = (await client.get(f"/users/{bob.username}", headers=bob.headers)).json()["id"]
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    async with app_state(app).sessions() as db:
        await db.execute(
            update(Change)
            .where(Change.user_id == bob_id, Change.seq == 1)
            .values(created_at=long_ago)
        )
        removed = await changes.prune(db, before=long_ago + timedelta(days=1))
        await db.commit()
    assert removed == 1
    stale = await client.get(
        f"/users/{bob.username}/changes", params={"since": 0}, headers=bob.headers
    )
    assert stale.status_code == 410
    assert stale.json()["code"] == "resync_required"
    current = await changes_of(client, bob, since=1)
    assert [c["id"] for c in current["changes"]] == [2]
    assert current["latest"] == 2


async def test_changes_are_for_their_owner_only(client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await client.get(f"/users/{alice.username}/changes", headers=bob.headers)
    assert response.status_code == 403
    assert (await client.get(f"/users/{alice.username}/changes")).status_code == 401


async def test_recording_costs_the_same_statements_for_one_receiver_or_fifty(client, app):
    """Zulip-style query count: a send is a fixed number of statements, whatever the
    number of receivers (no N+1 in the change log)."""
    alice = await make_user(client)
    receivers = [await make_user(client) for _ in range(50)]

    async def statements_for(*to) -> int:
        with statements(app) as seen:
            await send(client, alice, *to)
        return len(seen)

    await send(client, alice, receivers[0])  # alice's token is known from here on
    one = await statements_for(receivers[0])
    fifty = await statements_for(*receivers)
    assert one == fifty
    assert len(await inbox(client, receivers[-1])) == 1


async def test_concurrent_sends_between_the_same_users_keep_one_gapless_order(client) -> None:
    """Both ways at once, many at a time: no deadlock, and each user's sequence numbers
    count 1, 2, 3... in commit order (PostgreSQL runs these concurrently)."""
    alice, bob = await make_user(client), await make_user(client)

    async def exchange(sender: TestUser, receiver: TestUser) -> None:
        for _ in range(5):
            await send(client, sender, receiver)
            await client.patch(
                f"/users/{receiver.username}/messages",
                json={"all": True, "read": True},
                headers=receiver.headers,
            )

    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(exchange, alice, bob)
            group.start_soon(exchange, bob, alice)
    for user in (alice, bob):
        page = await changes_of(client, user, limit=1000)
        ids = [change["id"] for change in page["changes"]]
        assert ids == list(range(1, page["latest"] + 1))
        assert sum(c["type"] == "message.created" for c in page["changes"]) == 30


async def test_trash_restore_delete_for_good_and_purge_are_recorded(client, app) -> None:
    alice, bob = await make_user(client), await make_user(client)
    kept = await send(client, alice, bob, subject="kept")
    gone = await send(client, alice, bob, subject="gone")
    expired = await send(client, alice, bob, subject="expired")
    messages = f"/users/{bob.username}/messages"
    await client.get(f"{messages}/{kept['id']}", headers=bob.headers)  # read: 4
    for message in (kept, gone, expired):  # to the trash: 5, 6, 7
        await client.delete(f"{messages}/{message['id']}", headers=bob.headers)
    restored = await client.post(f"{messages}/{kept['id']}/restore", headers=bob.headers)
    assert restored.status_code == 200
    await client.delete(  # 9
        f"{messages}/{gone['id']}", params={"permanent": "true"}, headers=bob.headers
    )
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)  # only this test's trash is that old
    async with app_state(app).sessions() as db:
        await db.execute(
            update(Delivery).where(Delivery.message_id == expired["id"]).values(trashed_at=long_ago)
        )
        purged = await trash.purge_trash(db, trashed_before=long_ago + timedelta(days=1), limit=9)
        await db.commit()
    assert purged == 1

    page = await changes_of(client, bob, since=7)
    mine = [
        c for c in page["changes"] if c["data"]["id"] in {kept["id"], gone["id"], expired["id"]}
    ]
    assert [(c["id"], c["type"]) for c in mine] == [
        (8, "message.created"),  # restored, as it comes back: read
        (9, "message.deleted"),  # deleted for good from the trash
        (10, "message.deleted"),  # purged from the trash
    ]
    assert mine[0]["data"] == {**restored.json(), "box": "inbox"}
    assert mine[0]["data"]["read"] is True
    assert [c["data"] for c in mine[1:]] == [
        {"id": gone["id"], "scope": "own"},
        {"id": expired["id"], "scope": "own"},
    ]


async def test_seed_a_read_is_recorded(client) -> None:
    alice, bob = await make_seed_a_user(client), await make_seed_a_user(client)
    written = await seed_a(
        client, "POST", f"//message?{alice.credentials}&request=write", json=alice.message(bob)
    )
    assert written.status_code == 201, written.text
    read = await seed_a(client, "GET", f"//message?{bob.credentials}&request=read")
    assert read.status_code == 200, read.text
    headers = await native_headers(client, bob)
    page = (await client.get(f"/users/{bob.username}/changes", headers=headers)).json()
    assert [c["type"] for c in page["changes"]] == ["message.created", "message.updated"]
    assert page["changes"][1]["data"]["read"] is True
