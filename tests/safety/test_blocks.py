"""Blocks: the routes, what a blocked send does on each side, and the server API's
per-recipient answer (`blocked`)."""

from __future__ import annotations

import pytest

from tests.compat.seed_a import seed_a
from tests.support.factories import ids, inbox, make_server_key, make_user, send
from tests.support.people import give_external_id

pytestmark = pytest.mark.anyio


async def block(client, user, other, method: str = "PUT"):
    return await client.request(
        method, f"/users/{user.username}/blocks/{other}", headers=user.headers
    )


async def test_block_is_idempotent_listed_and_undone(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    first = await block(client, bob, alice.username)
    assert first.status_code == 200, first.text
    assert first.json()["username"] == alice.username
    assert first.json()["display_name"] is None
    again = await block(client, bob, alice.username.upper())  # names ignore case
    assert again.status_code == 200
    assert again.json() == first.json()  # the first blocked_at stays
    assert (await block(client, bob, carol.username)).status_code == 200
    listed = await client.get(f"/users/{bob.username}/blocks", headers=bob.headers)
    assert listed.status_code == 200
    assert [b["username"] for b in listed.json()["blocks"]] == [carol.username, alice.username]
    gone = await block(client, bob, alice.username, "DELETE")
    assert gone.status_code == 204
    assert (await block(client, bob, alice.username, "DELETE")).status_code == 204
    listed = await client.get(f"/users/{bob.username}/blocks", headers=bob.headers)
    assert [b["username"] for b in listed.json()["blocks"]] == [carol.username]
    # Another user's blocks are not theirs to read or change.
    assert (
        await client.get(f"/users/{bob.username}/blocks", headers=alice.headers)
    ).status_code == 403
    assert (await block(client, alice, alice.username)).status_code == 422


async def test_blocking_nobody_or_oneself_is_refused(client, dialect) -> None:
    bob = await make_user(client)
    missing = await block(client, bob, "nobody-by-this-name")
    assert missing.status_code == 404
    assert missing.json()["code"] == "user_not_found"
    assert (await block(client, bob, "nobody-by-this-name", "DELETE")).status_code == 404
    self_block = await block(client, bob, bob.username)
    assert self_block.status_code == 422
    assert self_block.json()["errors"][0]["pointer"] == "/path/other"


async def test_a_blocked_sender_sees_sent_and_the_blocker_sees_nothing(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    before = await send(client, alice, bob, subject="before the block")
    assert (await block(client, bob, alice.username)).status_code == 200
    sent = await send(client, alice, bob, carol, subject="while blocked")
    alone = await send(client, alice, bob, subject="to bob alone")
    # The sender's copies name bob; nothing tells alice.
    assert sent["receivers"] == [bob.username, carol.username]
    assert alone["receivers"] == [bob.username]
    assert ids(await inbox(client, alice, box="sent"))[:2] == [alone["id"], sent["id"]]
    # Existing mail stays; new mail from alice never arrives.
    assert ids(await inbox(client, bob)) == [before["id"]]
    assert ids(await inbox(client, carol)) == [sent["id"]]
    # Bob's reply-all to carol's copy would not go to alice? It does: bob blocks alice,
    # not the other way round.
    reply = await client.post(
        f"/users/{carol.username}/messages",
        json={"reply_to": sent["id"], "subject": "re", "message": "hi all"},
        headers=carol.headers,
    )
    assert reply.status_code == 201
    assert ids(await inbox(client, bob)) == [reply.json()["id"], before["id"]]
    # Unblocked: new mail arrives again; what was held back never does.
    assert (await block(client, bob, alice.username, "DELETE")).status_code == 204
    after = await send(client, alice, bob, subject="after")
    assert ids(await inbox(client, bob)) == [after["id"], reply.json()["id"], before["id"]]


async def test_seed_a_sends_are_blocked_too(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    assert (await block(client, bob, alice.username)).status_code == 200
    query = f"username={alice.username}&password={alice.password}"
    assert (await seed_a(client, "POST", f"//login?{query}")).status_code == 200
    body = {
        "sender": alice.username,
        "receiver": bob.username,
        "subject": "seed A",
        "message": "hello",
        "timestamp": "Fri, 09 Oct 2020 23:01:26 GMT",
    }
    sent = await seed_a(client, "POST", f"//message?{query}&request=write", json=body)
    assert sent.status_code in (200, 201), sent.text
    assert await inbox(client, bob) == []


async def test_the_server_api_says_blocked_per_recipient(app, client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    host = {u.username: await give_external_id(app, u.username) for u in (alice, bob, carol)}
    assert (await block(client, bob, alice.username)).status_code == 200
    key = await make_server_key(app, "messages:send_as")
    body = {
        "from": host[alice.username],
        "to": [host[bob.username], host[carol.username]],
        "subject": "s",
        "message": "m",
    }
    for headers in ({}, {"Idempotency-Key": "blocked-1"}, {"Idempotency-Key": "blocked-1"}):
        sent = await client.post("/server/messages", json=body, headers=key.headers | headers)
        assert sent.status_code == 201, sent.text
        assert sent.json()["deliveries"] == [
            {"to": host[bob.username], "status": "blocked"},
            {"to": host[carol.username], "status": "delivered"},
        ]
        assert sent.json()["message"]["receivers"] == [bob.username, carol.username]
    assert await inbox(client, bob) == []
    assert len(await inbox(client, carol)) == 2  # the retry with the key replayed
