"""The receiver's trash: delete, restore, delete for good, purge, on every engine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailslot.messages.purge import purge_expired
from mailslot.state import app_state
from tests.support.factories import TestUser, age_trash, ids, inbox, listing, make_user, send

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]

RETENTION = timedelta(days=30)


def url(user: TestUser, message_id: int, action: str = "") -> str:
    return f"/users/{user.username}/messages/{message_id}{action}"


async def delete(client, user: TestUser, message_id: int, **params):
    response = await client.delete(url(user, message_id), params=params, headers=user.headers)
    return response.status_code


async def restore(client, user: TestUser, message_id: int):
    return await client.post(url(user, message_id, "/restore"), headers=user.headers)


async def test_a_receivers_delete_moves_the_message_to_their_trash(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol)
    assert await delete(client, bob, sent["id"]) == 204
    # Seed B's rule: gone from bob's inbox, unread count and single reads.
    assert await inbox(client, bob) == []
    assert (await client.get(f"/users/{bob.username}/unread", headers=bob.headers)).json() == {
        "unread": 0
    }
    assert (await client.get(url(bob, sent["id"]), headers=bob.headers)).status_code == 404
    trash = await listing(client, bob, box="trash")
    assert ids(trash["messages"]) == [sent["id"]]
    assert trash["messages"][0]["read"] is False
    # Nobody else's box changes.
    assert ids(await inbox(client, carol)) == [sent["id"]]
    assert ids(await inbox(client, alice, box="sent")) == [sent["id"]]
    assert (await listing(client, carol, box="trash"))["messages"] == []


async def test_restore_brings_it_back_with_its_read_state(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    read, unread = await send(client, alice, bob), await send(client, alice, bob)
    await client.get(url(bob, read["id"]), headers=bob.headers)
    for message in (read, unread):
        assert await delete(client, bob, message["id"]) == 204
    restored = await restore(client, bob, read["id"])
    assert restored.status_code == 200
    assert restored.json()["read"] is True
    assert ids(await inbox(client, bob)) == [read["id"]]
    assert ids((await listing(client, bob, box="trash"))["messages"]) == [unread["id"]]
    assert (await restore(client, bob, unread["id"])).json()["read"] is False
    assert (await listing(client, bob, box="trash"))["messages"] == []
    assert ids(await inbox(client, bob, unread="true")) == [unread["id"]]
    # Restoring what is already in the inbox changes nothing.
    again = await restore(client, bob, unread["id"])
    assert again.status_code == 200
    assert ids(await inbox(client, bob)) == [unread["id"], read["id"]]


async def test_the_trash_filters_and_pages_like_the_inbox(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    messages = [await send(client, alice, bob, subject=f"trashed {i}") for i in range(5)]
    for message in messages:
        await delete(client, bob, message["id"])
    await client.post(url(bob, messages[0]["id"], "/restore"), headers=bob.headers)
    first = await listing(client, bob, box="trash", per_page=2)
    second = await listing(client, bob, box="trash", per_page=2, cursor=first["next_cursor"])
    assert ids(first["messages"]) + ids(second["messages"]) == [
        m["id"] for m in reversed(messages[1:])
    ]
    assert second["next_cursor"] is None
    assert ids((await listing(client, bob, box="trash", q="trashed 3"))["messages"]) == [
        messages[3]["id"]
    ]


async def test_delete_for_good_skips_the_trash(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    from_inbox, from_trash = await send(client, alice, bob), await send(client, alice, bob)
    assert await delete(client, bob, from_inbox["id"], permanent="true") == 204
    assert await delete(client, bob, from_trash["id"]) == 204
    assert await delete(client, bob, from_trash["id"], permanent="true") == 204
    assert await inbox(client, bob) == []
    assert (await listing(client, bob, box="trash"))["messages"] == []
    for message in (from_inbox, from_trash):
        response = await restore(client, bob, message["id"])
        assert response.status_code == 404
        assert response.json()["code"] == "message_not_found"
        assert await delete(client, bob, message["id"], permanent="true") == 404
    # The sender keeps what they sent.
    assert ids(await inbox(client, alice, box="sent")) == [from_trash["id"], from_inbox["id"]]


async def test_the_senders_delete_is_final_for_receivers(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol)
    assert await delete(client, bob, sent["id"]) == 204  # in bob's trash
    assert await delete(client, alice, sent["id"], permanent="true") == 204
    for user in (bob, carol):
        assert (await listing(client, user, box="trash"))["messages"] == []
        assert await inbox(client, user) == []
        assert (await restore(client, user, sent["id"])).status_code == 404
    assert (await restore(client, alice, sent["id"])).status_code == 404


async def test_only_a_holder_may_restore_or_erase(client, dialect) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob)
    await delete(client, bob, sent["id"])
    assert (await restore(client, mallory, sent["id"])).status_code == 404
    assert await delete(client, mallory, sent["id"], permanent="true") == 404
    assert (await restore(client, alice, sent["id"])).status_code == 404  # she only sent it
    other = await client.post(url(bob, sent["id"], "/restore"), headers=mallory.headers)
    assert other.status_code == 403
    assert ids((await listing(client, bob, box="trash"))["messages"]) == [sent["id"]]


async def test_purge_erases_old_trash_and_restore_after_it_is_404(client, app, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    old, recent = await send(client, alice, bob, carol), await send(client, alice, bob)
    await delete(client, bob, old["id"])
    await age_trash(app, bob, days=31)
    await delete(client, bob, recent["id"])
    purged = await purge_expired(app_state(app).sessions, trash_retention=RETENTION)
    assert purged.trash == 1
    assert ids((await listing(client, bob, box="trash"))["messages"]) == [recent["id"]]
    response = await restore(client, bob, old["id"])
    assert response.status_code == 404
    assert response.json()["code"] == "message_not_found"
    assert (await restore(client, bob, recent["id"])).status_code == 200
    # Carol's copy and alice's sent box are untouched.
    assert ids(await inbox(client, carol)) == [old["id"]]
    assert ids(await inbox(client, alice, box="sent")) == [recent["id"], old["id"]]


async def test_the_trash_is_purged_periodically(dialect, settings) -> None:
    import anyio
    import httpx
    from asgi_lifespan import LifespanManager

    from mailslot.app import create_app

    app = create_app(settings.model_copy(update={"purge_interval": 0.01}))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            alice, bob = await make_user(client), await make_user(client)
            sent = await send(client, alice, bob)
            await delete(client, bob, sent["id"])
            await age_trash(app, bob, days=settings.trash_retention_days + 1)
            with anyio.fail_after(5):
                await app_state(app).purger.next_run()  # may have started before the aging
                await app_state(app).purger.next_run()
            restored = await restore(client, bob, sent["id"])
            assert restored.status_code == 404, (restored.text, app_state(app).purger.runs)


async def test_seed_a_sender_still_deletes_what_receivers_deleted_for_good(
    client, app, dialect
) -> None:
    from tests.compat.seed_a import make_seed_a_user, native_headers, seed_a

    sender, erased, purged = [await make_seed_a_user(client) for _ in range(3)]
    messages = {}
    for receiver in (erased, purged):
        message = sender.message(receiver, subject=f"to {receiver.username}")
        written = await seed_a(
            client, "POST", f"//message?{sender.credentials}&request=write", message
        )
        assert written.status_code == 201, written.text
        messages[receiver.username] = message
    for receiver, params in ((erased, {"permanent": "true"}), (purged, {})):
        headers = await native_headers(client, receiver)
        listed = await client.get(f"/users/{receiver.username}/messages", headers=headers)
        message_id = listed.json()["messages"][0]["id"]
        response = await client.delete(
            f"/users/{receiver.username}/messages/{message_id}", params=params, headers=headers
        )
        assert response.status_code == 204
    bob = TestUser(purged.username, purged.password, "")
    await age_trash(app, bob, days=31)
    await purge_expired(app_state(app).sessions, trash_retention=RETENTION)
    # The receivers' copies are gone for good; the sender's delete by fields still finds
    # each message by its receiver.
    for message in messages.values():
        deleted = await seed_a(
            client, "POST", f"//message?{sender.credentials}&request=delete", message
        )
        assert deleted.status_code == 200, deleted.text
