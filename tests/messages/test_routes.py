"""Sending, listing, reading, marking and deleting messages, on every engine."""

from __future__ import annotations

import httpx
import pytest

from tests.support.factories import TestUser, inbox, make_user, send, unique_name

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]


def messages_url(user: TestUser, message_id: int | None = None) -> str:
    base = f"/users/{user.username}/messages"
    return base if message_id is None else f"{base}/{message_id}"


async def test_send_returns_the_message_with_its_id(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob, subject="Lunch", message="At noon?")
    assert sent["id"] > 0
    assert sent["sender"] == alice.username
    assert sent["receiver"] == bob.username
    assert sent["receivers"] == [bob.username]
    assert (sent["subject"], sent["message"]) == ("Lunch", "At noon?")
    assert sent["thread_id"] == sent["id"]
    assert sent["reply_to"] is None
    received = await inbox(client, bob)
    assert [m["id"] for m in received] == [sent["id"]]
    assert received[0]["read"] is False


async def test_send_to_several_receivers_delivers_to_each(client, dialect) -> None:
    alice = await make_user(client)
    bob, carol, dave = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol, dave)
    assert sent["receivers"] == [bob.username, carol.username, dave.username]
    for user in (bob, carol, dave):
        assert [m["id"] for m in await inbox(client, user)] == [sent["id"]]


async def test_repeated_receivers_get_one_delivery(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await client.post(
        messages_url(alice),
        json={"receivers": [bob.username, bob.username.upper()], "subject": "s", "message": "m"},
        headers=alice.headers,
    )
    assert response.status_code == 201
    assert response.json()["receivers"] == [bob.username]
    assert len(await inbox(client, bob)) == 1


async def test_send_to_unknown_receiver_is_refused_and_stores_nothing(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    ghost = unique_name("ghost")
    response = await client.post(
        messages_url(alice),
        json={"receivers": [bob.username, ghost], "subject": "s", "message": "m"},
        headers=alice.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unknown_receiver"
    assert ghost in body["detail"]
    assert bob.username not in body["detail"]
    assert await inbox(client, bob) == []
    assert await inbox(client, alice, box="sent") == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"subject": "", "message": "m"}, "/body/subject"),
        ({"subject": "   ", "message": "m"}, "/body/subject"),
        ({"subject": "x" * 256, "message": "m"}, "/body/subject"),
        ({"subject": "s", "message": ""}, "/body/message"),
        ({"subject": "s", "message": "x" * 65_537}, "/body/message"),
        ({"subject": "s", "message": "m", "sender": "mallory"}, "/body/sender"),
        ({"subject": "s", "message": "m", "id": 1}, "/body/id"),
        ({"subject": "s", "message": "m", "read": True}, "/body/read"),
        (
            {"subject": "s", "message": "m", "created_at": "1999-01-01T00:00:00Z"},
            "/body/created_at",
        ),
        ({"subject": 5, "message": "m"}, "/body/subject"),
    ],
)
async def test_invalid_messages_are_refused(client, dialect, body, pointer) -> None:
    alice, bob = await make_user(client), await make_user(client)
    response = await client.post(
        messages_url(alice), json={"receiver": bob.username, **body}, headers=alice.headers
    )
    assert response.status_code == 422, response.text
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    assert await inbox(client, bob) == []


async def test_subject_and_body_at_their_limits_are_accepted(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob, subject="s" * 255, message="é" * 65_536)
    assert len(sent["message"]) == 65_536


@pytest.mark.parametrize(
    "addressing",
    [{}, {"receivers": []}, {"receiver": "a", "receivers": ["b"]}, {"receivers": ["x"] * 101}],
)
async def test_receivers_must_be_given_once_and_bounded(client, dialect, addressing) -> None:
    alice = await make_user(client)
    response = await client.post(
        messages_url(alice),
        json={"subject": "s", "message": "m", **addressing},
        headers=alice.headers,
    )
    assert response.status_code == 422


async def test_hundred_receivers_are_accepted(client, dialect) -> None:
    alice = await make_user(client)
    receivers = [await make_user(client) for _ in range(100)]
    sent = await send(client, alice, *receivers)
    assert len(sent["receivers"]) == 100
    assert len(await inbox(client, receivers[-1])) == 1


async def test_a_token_acts_only_on_its_own_mailbox(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    for method, url, body in [
        ("GET", messages_url(bob), None),
        ("POST", messages_url(bob), {"receiver": alice.username, "subject": "s", "message": "m"}),
        ("GET", f"/users/{bob.username}/unread", None),
        ("PATCH", messages_url(bob), {"all": True, "read": True}),
    ]:
        response = await client.request(method, url, json=body, headers=alice.headers)
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "not_your_mailbox"


async def test_another_users_message_is_not_found(client, dialect) -> None:
    alice, bob, mallory = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob)
    missing = 10**12
    for method, body in [("GET", None), ("PATCH", {"read": True}), ("DELETE", None)]:
        foreign = await client.request(
            method, messages_url(mallory, sent["id"]), json=body, headers=mallory.headers
        )
        absent = await client.request(
            method, messages_url(mallory, missing), json=body, headers=mallory.headers
        )
        assert foreign.status_code == absent.status_code == 404
        assert foreign.json()["code"] == absent.json()["code"] == "message_not_found"
    assert (await inbox(client, bob))[0]["read"] is False


async def test_reading_a_message_marks_it_read_for_its_receiver(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    peek = await client.get(
        messages_url(bob, sent["id"]), params={"mark_read": "false"}, headers=bob.headers
    )
    assert peek.json()["read"] is False
    read = await client.get(messages_url(bob, sent["id"]), headers=bob.headers)
    assert read.status_code == 200
    assert read.json()["read"] is True
    assert read.json()["read_at"] is not None
    assert (await inbox(client, bob))[0]["read"] is True
    # The sender reading their own message changes nothing for the receiver.
    await client.patch(messages_url(bob, sent["id"]), json={"read": False}, headers=bob.headers)
    by_sender = await client.get(messages_url(alice, sent["id"]), headers=alice.headers)
    assert by_sender.json()["read"] is True
    assert (await inbox(client, bob))[0]["read"] is False


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("true", True), ("false", False)]
)
async def test_patch_marks_read_or_unread(client, dialect, value, expected) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    if not expected:
        await client.get(messages_url(bob, sent["id"]), headers=bob.headers)
    response = await client.patch(
        messages_url(bob, sent["id"]), json={"read": value}, headers=bob.headers
    )
    assert response.status_code == 200
    assert response.json()["read"] is expected
    assert (await inbox(client, bob))[0]["read"] is expected


@pytest.mark.parametrize("value", ["yes please", None, 3, [], "TRUEISH"])
async def test_patch_refuses_values_that_are_not_booleans(client, dialect, value) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    response = await client.patch(
        messages_url(bob, sent["id"]), json={"read": value}, headers=bob.headers
    )
    assert response.status_code == 422
    assert (await inbox(client, bob))[0]["read"] is False


async def test_only_receivers_have_read_state(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    response = await client.patch(
        messages_url(alice, sent["id"]), json={"read": False}, headers=alice.headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_receiver"


async def test_bulk_mark_by_ids_reports_each_id(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    first, second = await send(client, alice, bob), await send(client, alice, bob)
    foreign = await send(client, alice, carol)
    await client.get(messages_url(bob, second["id"]), headers=bob.headers)
    response = await client.patch(
        messages_url(bob),
        json={"ids": [first["id"], second["id"], foreign["id"], 10**12], "read": "true"},
        headers=bob.headers,
    )
    assert response.status_code == 200
    assert response.json() == {
        "updated_count": 1,
        "updated": [first["id"]],
        "not_found": [foreign["id"], 10**12],
    }
    assert all(m["read"] for m in await inbox(client, bob))
    assert (await inbox(client, carol))[0]["read"] is False


async def test_bulk_mark_all(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    for _ in range(3):
        await send(client, alice, bob)
    response = await client.patch(
        messages_url(bob), json={"all": True, "read": True}, headers=bob.headers
    )
    assert response.json()["updated_count"] == 3
    unread = await client.get(f"/users/{bob.username}/unread", headers=bob.headers)
    assert unread.json() == {"unread": 0}
    response = await client.patch(
        messages_url(bob), json={"all": True, "read": False}, headers=bob.headers
    )
    assert response.json()["updated_count"] == 3


@pytest.mark.parametrize(
    "body",
    [
        {"read": True},
        {"ids": [], "read": True},
        {"ids": [1], "all": True, "read": True},
        {"all": False, "read": True},
        {"ids": list(range(1, 1002)), "read": True},
    ],
)
async def test_bulk_mark_needs_one_selection(client, dialect, body) -> None:
    bob = await make_user(client)
    response = await client.patch(messages_url(bob), json=body, headers=bob.headers)
    assert response.status_code == 422


async def test_unread_counts(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = [await send(client, alice, bob) for _ in range(3)]
    await client.get(messages_url(bob, sent[0]["id"]), headers=bob.headers)
    response = await client.get(f"/users/{bob.username}/unread", headers=bob.headers)
    assert response.json() == {"unread": 2}


async def test_sender_deletes_for_every_receiver(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol)
    response = await client.delete(messages_url(alice, sent["id"]), headers=alice.headers)
    assert response.status_code == 204
    for user in (bob, carol):
        assert await inbox(client, user) == []
        gone = await client.get(messages_url(user, sent["id"]), headers=user.headers)
        assert gone.status_code == 404
    assert await inbox(client, alice, box="sent") == []
    again = await client.delete(messages_url(alice, sent["id"]), headers=alice.headers)
    assert again.status_code == 404


async def test_receiver_deletes_only_from_their_own_feed(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol)
    response = await client.delete(messages_url(bob, sent["id"]), headers=bob.headers)
    assert response.status_code == 204
    assert await inbox(client, bob) == []
    assert [m["id"] for m in await inbox(client, carol)] == [sent["id"]]
    assert [m["id"] for m in await inbox(client, alice, box="sent")] == [sent["id"]]
    assert (await client.get(f"/users/{bob.username}/unread", headers=bob.headers)).json() == {
        "unread": 0
    }


async def test_a_message_to_oneself_is_in_both_boxes(client, dialect) -> None:
    alice = await make_user(client)
    sent = await send(client, alice, alice)
    assert [m["id"] for m in await inbox(client, alice)] == [sent["id"]]
    assert [m["id"] for m in await inbox(client, alice, box="sent")] == [sent["id"]]
    assert sent["read"] is False


async def test_sent_box_lists_what_the_user_sent(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    mine = await send(client, alice, bob)
    await send(client, bob, alice)
    sent = await inbox(client, alice, box="sent")
    assert [m["id"] for m in sent] == [mine["id"]]
    assert sent[0]["read"] is True


@pytest.mark.parametrize(
    ("value", "expected"), [("true", [0]), ('"true"', [0]), ("false", [1]), ('"false"', [1])]
)
async def test_unread_filter_accepts_plain_and_quoted_forms(
    client, dialect, value, expected
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    read_one, unread_one = await send(client, alice, bob), await send(client, alice, bob)
    await client.get(messages_url(bob, read_one["id"]), headers=bob.headers)
    ids = [m["id"] for m in await inbox(client, bob, unread=value)]
    assert ids == [[unread_one, read_one][i]["id"] for i in expected]


async def test_pages_by_number_and_by_cursor_agree(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = [await send(client, alice, bob, subject=f"n{i}") for i in range(7)]
    newest_first = [m["id"] for m in reversed(sent)]
    by_number = []
    for page in (1, 2, 3):
        by_number += [m["id"] for m in await inbox(client, bob, page=page, per_page=3)]
    assert by_number == newest_first
    by_cursor, cursor = [], None
    while True:
        params = {"per_page": 3} | ({"cursor": cursor} if cursor else {})
        response = await client.get(messages_url(bob), params=params, headers=bob.headers)
        page_body = response.json()
        by_cursor += [m["id"] for m in page_body["messages"]]
        cursor = page_body["next_cursor"]
        if cursor is None:
            break
    assert by_cursor == newest_first


async def test_default_page_holds_twenty(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    for _ in range(21):
        await send(client, alice, bob)
    response = await client.get(messages_url(bob), headers=bob.headers)
    body = response.json()
    assert len(body["messages"]) == 20
    assert body["per_page"] == 20
    assert body["next_cursor"] is not None


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"per_page": 0}, 422),
        ({"per_page": 101}, 422),
        ({"per_page": "many"}, 422),
        ({"page": 0}, 422),
        ({"page": -1}, 422),
        ({"page": "x"}, 422),
        ({"page": 10**20}, 422),
        ({"box": "trashcan"}, 422),
        ({"unread": "maybe"}, 422),
        ({"cursor": "not-a-cursor"}, 400),
        ({"cursor": "x" * 65}, 422),
        ({"cursor": "bTE6NQ", "page": 2}, 400),
        ({"box": "sent", "unread": "true"}, 400),
    ],
)
async def test_invalid_page_parameters_are_refused(client, dialect, params, status) -> None:
    bob = await make_user(client)
    response = await client.get(messages_url(bob), params=params, headers=bob.headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_page_far_past_the_end_is_empty(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    await send(client, alice, bob)
    assert await inbox(client, bob, page=1000, per_page=100) == []


async def test_a_message_id_out_of_range_is_refused(client, dialect) -> None:
    bob = await make_user(client)
    for value in ("0", "-5", "abc", str(2**64)):
        response = await client.get(messages_url(bob) + f"/{value}", headers=bob.headers)
        assert response.status_code == 422


async def test_concurrent_sends_all_arrive(client, dialect) -> None:
    import anyio

    alice, bob = await make_user(client), await make_user(client)
    results: list[httpx.Response] = []

    async def one(i: int) -> None:
        results.append(
            await client.post(
                messages_url(alice),
                json={"receiver": bob.username, "subject": f"c{i}", "message": "m"},
                headers=alice.headers,
            )
        )

    async with anyio.create_task_group() as tasks:
        for i in range(20):
            tasks.start_soon(one, i)
    assert sorted(r.status_code for r in results) == [201] * 20
    assert len(await inbox(client, bob, per_page=100)) == 20
