"""The list of threads, the contacts a recipient field completes from, the optional
subject of replies and messages with a context, and signing out everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mailslot.compat.schemas import SeedAMessageBody
from tests.support.factories import make_user, send
from tests.support.statements import statements

pytestmark = pytest.mark.anyio


async def get(client, user, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(
        f"/users/{user.username}/{path}", params=params, headers=user.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def reply(client, user, reply_to: int, **body: Any) -> dict[str, Any]:
    response = await client.post(
        f"/users/{user.username}/messages",
        json={"reply_to": reply_to, "message": "a reply", **body},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    sent: dict[str, Any] = response.json()
    return sent


async def test_threads_are_listed_once_by_their_latest_message(client, app, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    first = await send(client, alice, bob, carol, subject="Plan")
    other = await send(client, carol, bob, subject="Lunch")
    answer = await reply(client, alice, first["id"])
    with statements(app, matching=r"\b(message|delivery)\b") as seen:
        page = await get(client, bob, "threads")
    assert len(seen) == 1, seen
    rows = [(t["thread_id"], t["latest"]["id"], t["count"], t["unread"]) for t in page["threads"]]
    assert rows == [(first["id"], answer["id"], 2, 2), (other["id"], other["id"], 1, 1)]
    plan = page["threads"][0]
    assert plan["subject"] == "Plan"  # the reply took its subject
    assert [p["username"] for p in plan["participants"]] == [
        alice.username,
        bob.username,
        carol.username,
    ]
    assert plan["latest"]["read"] is False
    # Alice sees the thread she started and replied in: her own messages are never unread.
    mine = await get(client, alice, "threads")
    assert [(t["thread_id"], t["count"], t["unread"]) for t in mine["threads"]] == [
        (first["id"], 2, 0)
    ]
    # Reading the newest counts down; removing a message from the inbox drops it.
    await client.get(f"/users/{bob.username}/messages/{answer['id']}", headers=bob.headers)
    await client.delete(f"/users/{bob.username}/messages/{other['id']}", headers=bob.headers)
    page = await get(client, bob, "threads")
    assert [(t["thread_id"], t["unread"], t["latest"]["read"]) for t in page["threads"]] == [
        (first["id"], 1, True)
    ]


async def test_thread_pages_continue_by_cursor_and_filter_by_context(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = [await send(client, alice, bob, subject=f"n{n}") for n in range(5)]
    about = await client.post(
        f"/users/{alice.username}/messages",
        json={
            "receiver": bob.username,
            "message": "Is it shipped?",
            "context": {"ref": "order:A-1"},
        },
        headers=alice.headers,
    )
    assert about.status_code == 201, about.text
    assert about.json()["subject"] == "order:A-1"  # no subject given: the ref
    first = await get(client, bob, "threads", per_page=4)
    assert [t["subject"] for t in first["threads"]] == ["order:A-1", "n4", "n3", "n2"]
    rest = await get(client, bob, "threads", per_page=4, cursor=first["next_cursor"])
    assert [t["thread_id"] for t in rest["threads"]] == [sent[1]["id"], sent[0]["id"]]
    assert rest["next_cursor"] is None
    ordered = await get(client, bob, "threads", context="order:A-1")
    assert [t["thread_id"] for t in ordered["threads"]] == [about.json()["id"]]
    assert ordered["threads"][0]["context"] == {"ref": "order:A-1", "data": None, "signed": False}
    assert (await get(client, bob, "threads", context="order:nothing"))["threads"] == []


async def test_a_thread_list_is_the_users_own(client, dialect) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    await send(client, alice, bob)
    assert (await get(client, mallory, "threads"))["threads"] == []
    refused = await client.get(f"/users/{bob.username}/threads", headers=mallory.headers)
    assert refused.status_code == 403
    bad = await client.get(f"/users/{bob.username}/threads?cursor=junk", headers=bob.headers)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_parameter")


async def test_contacts_are_those_you_wrote_with_and_complete_a_prefix(client, dialect) -> None:
    me, zed, anna, stranger = [
        await make_user(client, name) for name in _names("me", "zed", "anna", "x")
    ]
    await client.patch(
        f"/users/{anna.username}", json={"display_name": "Anna Smith"}, headers=anna.headers
    )
    await send(client, zed, me)  # received from zed
    await send(client, me, anna)  # sent to anna, the most recent
    await send(client, stranger, zed)  # nothing to do with me
    found = await get(client, me, "contacts")
    assert found["contacts"] == [
        {"username": anna.username, "display_name": "Anna Smith"},
        {"username": zed.username, "display_name": None},
    ]
    assert [
        c["username"]
        for c in (await get(client, me, "contacts", prefix=zed.username[:4].upper()))["contacts"]
    ] == [zed.username]
    assert [
        c["username"] for c in (await get(client, me, "contacts", prefix="smi"))["contacts"]
    ] == [anna.username]
    # LIKE's wildcards are taken literally.
    assert (await get(client, me, "contacts", prefix="%"))["contacts"] == []
    assert (await get(client, me, "contacts", prefix="_"))["contacts"] == []
    too_long = await client.get(
        f"/users/{me.username}/contacts", params={"prefix": "a" * 101}, headers=me.headers
    )
    assert too_long.status_code == 422


def _names(*prefixes: str) -> list[str]:
    import uuid

    tag = uuid.uuid4().hex[:6]
    return [f"{prefix}{tag}" for prefix in prefixes]


async def test_contacts_are_one_statement(client, app, dialect) -> None:
    me, other = await make_user(client), await make_user(client)
    await send(client, other, me)
    with statements(app, matching=r"\b(message|delivery)\b") as seen:
        await get(client, me, "contacts", prefix="a")
    assert len(seen) == 1, seen


async def test_subject_is_optional_only_in_a_reply_or_with_a_context(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    refused = await client.post(
        f"/users/{alice.username}/messages",
        json={"receiver": bob.username, "message": "no subject"},
        headers=alice.headers,
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "validation_failed"
    first = await send(client, alice, bob, subject="Plan")
    answer = await reply(client, bob, first["id"])
    assert answer["subject"] == "Plan"
    # Seed A's routes keep requiring one.
    with pytest.raises(ValidationError, match="subject"):
        SeedAMessageBody.model_validate(
            {"receiver": bob.username, "sender": alice.username, "message": "no subject"}
        )


async def test_sign_out_everywhere_ends_every_token(client, dialect) -> None:
    alice = await make_user(client)
    other = await client.post(f"/users/{alice.username}/token", json={"password": alice.password})
    second = {"Authorization": f"Bearer {other.json()['access_token']}"}
    done = await client.delete(f"/users/{alice.username}/tokens", headers=alice.headers)
    assert done.status_code == 200, done.text
    assert done.json() == {"revoked": 2}
    for headers in (alice.headers, second):
        assert (
            await client.get(f"/users/{alice.username}/unread", headers=headers)
        ).status_code == 401
