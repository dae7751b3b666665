"""Replies, threads, the thread view and unread counts per thread, on every engine."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import ids, inbox, listing, make_user, post_message, send
from tests.support.statements import statements

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]


async def reply(client, user, reply_to: int, **body) -> dict[str, Any]:
    response = await post_message(client, user, {"reply_to": reply_to, **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_reply_joins_the_thread_and_goes_to_the_other_participants(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    first = await send(client, alice, bob, carol, subject="Plan")
    answer = await reply(client, bob, first["id"], subject="Re: Plan")
    assert answer["thread_id"] == first["thread_id"] == first["id"]
    assert answer["reply_to"] == first["id"]
    assert answer["receivers"] == [alice.username, carol.username]
    assert ids(await inbox(client, alice)) == [answer["id"]]
    assert ids(await inbox(client, carol)) == [answer["id"], first["id"]]
    # The sender replying to their own message reaches its receivers again.
    again = await reply(client, alice, answer["id"])
    assert again["receivers"] == [bob.username, carol.username]
    assert again["thread_id"] == first["id"]


async def test_a_reply_may_name_its_receivers(client, dialect) -> None:
    alice, bob, dave = [await make_user(client) for _ in range(3)]
    first = await send(client, alice, bob)
    answer = await reply(client, bob, first["id"], receiver=dave.username)
    assert answer["receivers"] == [dave.username]
    assert answer["thread_id"] == first["id"]
    assert ids(await inbox(client, alice)) == []


async def test_replying_to_a_message_you_cannot_see_is_refused(client, dialect) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    theirs = await send(client, alice, bob)
    retracted = await send(client, alice, bob)
    trashed = await send(client, alice, bob)
    await client.delete(
        f"/users/{alice.username}/messages/{retracted['id']}", headers=alice.headers
    )
    await client.delete(f"/users/{bob.username}/messages/{trashed['id']}", headers=bob.headers)
    bodies = []
    for user, target in [
        (mallory, theirs["id"]),  # another user's message
        (mallory, 10**12),  # no such message
        (bob, retracted["id"]),  # deleted by its sender for everyone
        (bob, trashed["id"]),  # in bob's trash: restore it first
    ]:
        response = await post_message(client, user, {"reply_to": target})
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["code"] == "reply_to_not_found"
        assert body["errors"][0]["pointer"] == "/body/reply_to"
        bodies.append(body["detail"].replace(str(target), "N"))
    assert len(set(bodies)) == 1  # not yours and not there read the same
    assert ids(await inbox(client, alice)) == []
    assert ids(await inbox(client, mallory, box="sent")) == []


@pytest.mark.parametrize("reply_to", [0, -1, 2**63, "x", 1.5])
async def test_reply_to_must_be_a_message_id(client, dialect, reply_to) -> None:
    alice = await make_user(client)
    response = await post_message(client, alice, {"reply_to": reply_to})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_the_thread_shows_what_the_user_can_see(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    first = await send(client, alice, bob)
    second = await reply(client, bob, first["id"])
    third = await reply(client, alice, second["id"], receivers=[bob.username, carol.username])
    thread = first["id"]

    def url(user) -> str:
        return f"/users/{user.username}/threads/{thread}"

    bob_view = (await client.get(url(bob), headers=bob.headers)).json()
    assert ids(bob_view["messages"]) == [third["id"], second["id"], first["id"]]
    assert bob_view["thread_id"] == thread
    assert bob_view["unread"] == 2
    assert [m["read"] for m in bob_view["messages"]] == [False, True, False]
    # Carol joined at the third message: she sees only that one.
    carol_view = (await client.get(url(carol), headers=carol.headers)).json()
    assert ids(carol_view["messages"]) == [third["id"]]
    assert carol_view["unread"] == 1
    # What bob deleted leaves his view of the thread.
    await client.delete(f"/users/{bob.username}/messages/{first['id']}", headers=bob.headers)
    bob_view = (await client.get(url(bob), headers=bob.headers)).json()
    assert ids(bob_view["messages"]) == [third["id"], second["id"]]
    assert bob_view["unread"] == 1


async def test_a_thread_pages_by_cursor(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await send(client, alice, bob)
    sent = [first["id"]]
    for i in range(4):
        user = bob if i % 2 == 0 else alice
        sent.append((await reply(client, user, sent[-1]))["id"])
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"per_page": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await client.get(
                f"/users/{alice.username}/threads/{first['id']}",
                params=params,
                headers=alice.headers,
            )
        ).json()
        seen += ids(page["messages"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(sent, reverse=True)


async def test_another_users_thread_is_not_found(client, dialect) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    first = await send(client, alice, bob)
    foreign = await client.get(
        f"/users/{mallory.username}/threads/{first['id']}", headers=mallory.headers
    )
    absent = await client.get(
        f"/users/{mallory.username}/threads/{10**12}", headers=mallory.headers
    )
    assert foreign.status_code == absent.status_code == 404
    assert foreign.json()["code"] == absent.json()["code"] == "thread_not_found"
    other_mailbox = await client.get(
        f"/users/{alice.username}/threads/{first['id']}", headers=mallory.headers
    )
    assert other_mailbox.status_code == 403


async def test_listings_filter_by_thread_and_count_unread_per_thread(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    one = await send(client, alice, bob, subject="one")
    other = await send(client, alice, bob, subject="other")
    one_reply = await reply(client, alice, one["id"])
    page = await listing(client, bob)
    assert ids(page["messages"]) == [one_reply["id"], other["id"], one["id"]]
    assert page["threads"] == [
        {"thread_id": one["id"], "unread": 2},
        {"thread_id": other["id"], "unread": 1},
    ]
    await client.get(f"/users/{bob.username}/messages/{one['id']}", headers=bob.headers)
    in_thread = await listing(client, bob, thread=one["id"])
    assert ids(in_thread["messages"]) == [one_reply["id"], one["id"]]
    assert in_thread["threads"] == [{"thread_id": one["id"], "unread": 1}]
    unread = await listing(client, bob, thread=one["id"], unread="true")
    assert ids(unread["messages"]) == [one_reply["id"]]
    sent = await listing(client, alice, box="sent", thread=one["id"])
    assert ids(sent["messages"]) == [one_reply["id"], one["id"]]
    assert sent["threads"] == [{"thread_id": one["id"], "unread": 0}]
    assert (await listing(client, bob, thread=10**12))["messages"] == []


async def test_a_thread_on_many_rows_of_a_page_is_counted_once_in_full(client, dialect) -> None:
    """Four rows of one thread on a page: the thread is reported once, with every unread
    message of the thread the viewer holds (on the page or not), whatever the box."""
    alice, bob = await make_user(client), await make_user(client)
    first = await send(client, alice, bob, subject="busy")
    one, two, three = [
        (await reply(client, alice, first["id"], subject="busy"))["id"] for _ in range(3)
    ]
    own = await reply(client, bob, first["id"], receiver=alice.username)  # not in his inbox
    other = await send(client, alice, bob, subject="other")
    await client.get(f"/users/{bob.username}/messages/{one}", headers=bob.headers)  # read
    await client.delete(f"/users/{bob.username}/messages/{two}", headers=bob.headers)  # trash
    busy, lone = {"thread_id": first["id"], "unread": 2}, {"thread_id": other["id"], "unread": 1}

    page = await listing(client, bob)
    assert ids(page["messages"]) == [other["id"], three, one, first["id"]]
    assert page["threads"] == [lone, busy]
    assert (await listing(client, bob, per_page=2))["threads"] == [lone, busy]
    assert (await listing(client, bob, unread="true"))["threads"] == [lone, busy]
    searched = await listing(client, bob, q="busy")
    assert ids(searched["messages"]) == [three, one, first["id"]]
    assert searched["threads"] == [busy]
    sent = await listing(client, bob, box="sent")
    assert ids(sent["messages"]) == [own["id"]]
    assert sent["threads"] == [busy]
    assert (await listing(client, bob, box="trash"))["threads"] == [busy]
    # Alice received only bob's reply, and read nothing.
    assert (await listing(client, alice))["threads"] == [{"thread_id": first["id"], "unread": 1}]
    assert (await listing(client, alice, box="sent"))["threads"] == [
        {"thread_id": other["id"], "unread": 0},
        {"thread_id": first["id"], "unread": 1},
    ]


@pytest.mark.parametrize(
    "params",
    [{}, {"box": "sent"}, {"box": "trash"}, {"unread": "true"}, {"q": "hello"}, {"thread": None}],
    ids=["inbox", "sent", "trash", "unread", "search", "thread"],
)
async def test_a_page_and_its_thread_counts_are_one_statement(client, app, dialect, params) -> None:
    alice, bob = await make_user(client), await make_user(client)
    first = await send(client, alice, bob, subject="hello")
    await reply(client, alice, first["id"], subject="hello")
    await reply(client, bob, first["id"], subject="hello")
    unread = 2
    if params.get("box") == "trash":
        await client.delete(f"/users/{bob.username}/messages/{first['id']}", headers=bob.headers)
        unread = 1
    if "thread" in params:
        params = {"thread": first["id"]}  # the thread made here
    # Those that read messages or deliveries: not authentication's.
    with statements(app, matching=r"\b(message|delivery)\b") as seen:
        page = await listing(client, bob, **params)
    assert page["messages"]
    assert page["threads"] == [{"thread_id": first["id"], "unread": unread}]
    assert len(seen) == 1, seen
