"""Sanctions: suspension, shadow-ban (seen from both sides) and deactivation with a
reason, through the server API (`moderation`); reversible, with a history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.compat.seed_a import seed_a
from tests.support.factories import TestKey, ids, inbox, make_server_key, make_user, send
from tests.support.people import give_external_id

pytestmark = pytest.mark.anyio


@pytest.fixture
async def moderator(app) -> TestKey:
    return await make_server_key(app, "moderation")


async def sanction(client, key: TestKey, host_id: str, **body: Any):
    return await client.put(f"/server/users/{host_id}/sanctions", json=body, headers=key.headers)


async def test_a_suspended_user_reads_but_cannot_send_until_lifted(
    app, client, moderator, dialect
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    host = await give_external_id(app, alice.username)
    earlier = await send(client, bob, alice, subject="before")
    put = await sanction(client, moderator, host, suspended=True, reason="spam wave")
    assert put.status_code == 200, put.text
    assert put.json()["suspended"]["reason"] == "spam wave"
    assert put.json()["shadow_banned"] is None
    refused = await client.post(
        f"/users/{alice.username}/messages",
        json={"receiver": bob.username, "subject": "s", "message": "m"},
        headers=alice.headers,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "account_suspended"
    assert await inbox(client, bob) == []
    # Reads, marks and signs in as before.
    assert ids(await inbox(client, alice)) == [earlier["id"]]
    signed_in = await client.post(
        f"/users/{alice.username}/token", json={"password": alice.password}
    )
    assert signed_in.status_code == 200
    # Seed A's door and the server API's send as alice are refused alike.
    query = f"username={alice.username}&password={alice.password}"
    assert (await seed_a(client, "POST", f"//login?{query}")).status_code == 200
    body = {
        "sender": alice.username,
        "receiver": bob.username,
        "subject": "s",
        "message": "m",
        "timestamp": "Fri, 09 Oct 2020 23:01:26 GMT",
    }
    old = await seed_a(client, "POST", f"//message?{query}&request=write", json=body)
    assert old.status_code == 403
    assert old.json()["code"] == "account_suspended"
    sender = await make_server_key(app, "messages:send_as")
    bob_host = await give_external_id(app, bob.username)
    as_alice = await client.post(
        "/server/messages",
        json={"from": host, "to": [bob_host], "subject": "s", "message": "m"},
        headers=sender.headers,
    )
    assert as_alice.status_code == 403
    assert as_alice.json()["code"] == "account_suspended"
    # Lifted: she sends again.
    lifted = await sanction(client, moderator, host, suspended=False, reason="appeal granted")
    assert lifted.json()["suspended"] is None
    history = lifted.json()["history"]
    assert [(h["kind"], h["lifted"], h["reason"]) for h in history] == [
        ("suspended", True, "appeal granted"),
        ("suspended", False, "spam wave"),
    ]
    assert history[0]["actor"].startswith("key:")
    assert (await send(client, alice, bob))["receivers"] == [bob.username]


async def test_a_shadow_banned_sender_sees_sent_and_nobody_receives(
    app, client, moderator, dialect
) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    host = await give_external_id(app, alice.username)
    assert (
        await sanction(client, moderator, host, shadow_banned=True, reason="x")
    ).status_code == 200
    sent = await send(client, alice, bob, carol, subject="hidden")
    note = await send(client, alice, alice, subject="to myself")
    # Alice's side: as sent, to everyone named; her note to herself arrives.
    assert sent["receivers"] == [bob.username, carol.username]
    assert ids(await inbox(client, alice, box="sent"))[:2] == [note["id"], sent["id"]]
    assert ids(await inbox(client, alice)) == [note["id"]]
    # The receivers' side: nothing, not even a count.
    for user in (bob, carol):
        assert await inbox(client, user) == []
        unread = await client.get(f"/users/{user.username}/unread", headers=user.headers)
        assert unread.json()["unread"] == 0
        changes = await client.get(f"/users/{user.username}/changes", headers=user.headers)
        assert changes.json()["changes"] == []
    # The server API tells the host.
    key = await make_server_key(app, "messages:send_as")
    bob_host = await give_external_id(app, bob.username)
    as_alice = await client.post(
        "/server/messages",
        json={"from": host, "to": [bob_host], "subject": "s", "message": "m"},
        headers=key.headers,
    )
    assert as_alice.status_code == 201
    assert as_alice.json()["deliveries"] == [{"to": bob_host, "status": "withheld"}]
    # Lifted: mail flows again.
    assert (
        await sanction(client, moderator, host, shadow_banned=False, reason="y")
    ).status_code == 200
    after = await send(client, alice, bob)
    assert ids(await inbox(client, bob)) == [after["id"]]


async def test_sanctions_are_read_set_once_and_refused_when_malformed(
    app, client, moderator, dialect
) -> None:
    alice = await make_user(client)
    host = await give_external_id(app, alice.username)
    read = await client.get(f"/server/users/{host}/sanctions", headers=moderator.headers)
    assert read.status_code == 200
    assert read.json() == {
        "suspended": None,
        "shadow_banned": None,
        "deactivated": None,
        "history": [],
    }
    for _ in range(2):  # again: unchanged, no second history row
        put = await sanction(client, moderator, host, suspended=True, reason="r")
        assert put.status_code == 200
    assert len(put.json()["history"]) == 1
    assert (await sanction(client, moderator, host, reason="nothing named")).status_code == 422
    assert (await sanction(client, moderator, host, suspended=True)).status_code == 422
    assert (await sanction(client, moderator, host, suspended=True, reason="")).status_code == 422
    missing = await sanction(client, moderator, "no-such-user", suspended=True, reason="r")
    assert missing.status_code == 404
    assert missing.json()["code"] == "user_not_found"
    lacking = await make_server_key(app, "users:write")
    refused = await client.get(f"/server/users/{host}/sanctions", headers=lacking.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"


async def test_deactivation_with_a_reason_revokes_tokens(app, client, moderator, dialect) -> None:
    alice = await make_user(client)
    host = await give_external_id(app, alice.username)
    put = await sanction(client, moderator, host, deactivated=True, reason="closed by support")
    assert put.status_code == 200, put.text
    assert put.json()["deactivated"]["reason"] == "closed by support"
    gone = await client.get(f"/users/{alice.username}/messages", headers=alice.headers)
    assert gone.status_code == 401
    back = await sanction(client, moderator, host, deactivated=False, reason="reopened")
    assert back.json()["deactivated"] is None
    signed_in = await client.post(
        f"/users/{alice.username}/token", json={"password": alice.password}
    )
    assert signed_in.status_code == 200
