"""Display names: set by their user (`PATCH /users/{username}`), shown on profiles and
beside usernames wherever the native API shows a sender or receiver, on every engine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.factories import PASSWORD, TestUser, inbox, make_user, send

pytestmark = pytest.mark.anyio


async def name(client: httpx.AsyncClient, user: TestUser, display_name: str | None) -> Any:
    response = await client.patch(
        f"/users/{user.username}", json={"display_name": display_name}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_user_sets_and_removes_their_display_name_without_a_password(
    client, dialect
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    assert (await name(client, alice, "  Alice Liddell "))["display_name"] == "Alice Liddell"
    own = await client.get(f"/users/{alice.username}", headers=alice.headers)
    assert own.json()["display_name"] == "Alice Liddell"
    public = await client.get(f"/users/{alice.username}", headers=bob.headers)
    assert public.json() == {"username": alice.username, "display_name": "Alice Liddell"}
    assert (await name(client, alice, None))["display_name"] is None
    public = await client.get(f"/users/{alice.username}", headers=bob.headers)
    assert public.json() == {"username": alice.username, "display_name": None}


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"display_name": "   "}, "/body/display_name"),
        ({"display_name": "x" * 101}, "/body/display_name"),
        ({"display_name": "tab\there"}, "/body/display_name"),
        ({"display_name": "Mallory\u202e"}, "/body/display_name"),
        ({"email": "new@example.com"}, "/body"),  # without the current password
        ({"password": "a-new-password"}, "/body"),
        ({}, "/body"),
    ],
)
async def test_bad_changes_are_refused(client, dialect, body, pointer) -> None:
    user = await make_user(client)
    response = await client.patch(f"/users/{user.username}", json=body, headers=user.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed"
    assert response.json()["errors"][0]["pointer"] == pointer
    own = await client.get(f"/users/{user.username}", headers=user.headers)
    assert own.json()["display_name"] is None
    assert own.json()["email"] == f"{user.username}@example.com"


async def test_a_display_name_with_a_password_change_needs_the_current_password(
    client, dialect
) -> None:
    user = await make_user(client)
    response = await client.patch(
        f"/users/{user.username}",
        json={"display_name": "Zed", "password": "a-new-password", "current_password": "nope"},
        headers=user.headers,
    )
    assert (response.status_code, response.json()["code"]) == (403, "wrong_password")
    own = await client.get(f"/users/{user.username}", headers=user.headers)
    assert own.json()["display_name"] is None
    response = await client.patch(
        f"/users/{user.username}",
        json={"display_name": "Zed", "password": "a-new-password", "current_password": PASSWORD},
        headers=user.headers,
    )
    assert response.json()["display_name"] == "Zed"


async def test_messages_show_display_names_as_they_are_now(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    await name(client, alice, "Alice")
    await name(client, carol, "Carol")
    sent = await send(client, alice, bob, carol)
    assert sent["sender_display_name"] == "Alice"
    assert sent["receivers"] == [bob.username, carol.username]
    assert sent["receiver_display_names"] == [None, "Carol"]

    await name(client, alice, "Alice L.")
    await name(client, bob, "Bob")
    for listed in (await inbox(client, bob))[0], (await inbox(client, carol))[0]:
        assert listed["id"] == sent["id"]
        assert listed["sender_display_name"] == "Alice L."
        assert listed["receiver_display_names"] == ["Bob", "Carol"]
    sent_box = await inbox(client, alice, box="sent")
    assert sent_box[0]["receiver_display_names"] == ["Bob", "Carol"]
    one = await client.get(f"/users/{bob.username}/messages/{sent['id']}", headers=bob.headers)
    assert one.json()["sender_display_name"] == "Alice L."
    changes = await client.get(
        f"/users/{carol.username}/changes", params={"since": 0}, headers=carol.headers
    )
    data = changes.json()["changes"][0]["data"]
    assert (data["sender_display_name"], data["receiver_display_names"]) == (
        "Alice L.",
        ["Bob", "Carol"],
    )
    thread = await client.get(
        f"/users/{bob.username}/threads/{sent['thread_id']}", headers=bob.headers
    )
    assert thread.status_code == 200, thread.text
    assert thread.json()["messages"][0]["receiver_display_names"] == ["Bob", "Carol"]


async def test_a_reply_shows_the_names_of_its_thread(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    await name(client, bob, "Bob B.")
    first = await send(client, alice, bob)
    reply = await client.post(
        f"/users/{bob.username}/messages",
        json={"reply_to": first["id"], "subject": "Re", "message": "Fine"},
        headers=bob.headers,
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["sender_display_name"] == "Bob B."
    assert reply.json()["receiver_display_names"] == [None]
