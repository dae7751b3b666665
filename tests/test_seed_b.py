"""Seed B's README, request by request, exactly as it writes them (host replaced)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.factories import unique_name

pytestmark = pytest.mark.anyio


async def test_seed_b_readme_walkthrough(client: httpx.AsyncClient, dialect) -> None:
    user1, user2 = unique_name("user"), unique_name("user")
    # 1. create a user on the system with the /users endpoint
    for name in (user1, user2):
        created = await client.post(
            "/users",
            json={"username": name, "email": f"{name}@example.com", "password": f"pw-{name}"},
        )
        assert created.status_code == 201
    # 2. get your token with the /users/<username>/token endpoint
    tokens = {}
    for name in (user1, user2):
        response = await client.post(f"/users/{name}/token", json={"password": f"pw-{name}"})
        assert response.status_code == 200
        tokens[name] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    # /users/<username>/messages POST {receiver, subject, message}
    sent_ids = []
    for subject in ("message subject one", "message subject two"):
        response = await client.post(
            f"/users/{user1}/messages",
            json={"receiver": user2, "subject": subject, "message": "message body"},
            headers=tokens[user1],
        )
        assert response.status_code == 201
        sent_ids.append(response.json()["id"])
    # /users/<username>/messages?unread="true"&per_page=20%page=1  (the README's own typo)
    response = await client.get(
        f'/users/{user2}/messages?unread="true"&per_page=20%page=1', headers=tokens[user2]
    )
    assert response.status_code == 200
    body = response.json()
    assert [m["id"] for m in body["messages"]] == sent_ids[::-1]
    assert (body["per_page"], body["page"]) == (20, 1)
    # /users/<username>/messages/<message_id> PATCH { read:<"true"|"false">}
    response = await client.patch(
        f"/users/{user2}/messages/{sent_ids[0]}", json={"read": "true"}, headers=tokens[user2]
    )
    assert response.status_code == 200
    assert response.json()["read"] is True
    unread = await client.get(f'/users/{user2}/messages?unread="true"', headers=tokens[user2])
    assert [m["id"] for m in unread.json()["messages"]] == [sent_ids[1]]
    read = await client.get(f'/users/{user2}/messages?unread="false"', headers=tokens[user2])
    assert [m["id"] for m in read.json()["messages"]] == [sent_ids[0]]
    response = await client.patch(
        f"/users/{user2}/messages/{sent_ids[0]}", json={"read": "false"}, headers=tokens[user2]
    )
    assert response.json()["read"] is False
    # DELETE by the receiver: only from the receiver's feed.
    response = await client.delete(f"/users/{user2}/messages/{sent_ids[0]}", headers=tokens[user2])
    assert response.status_code == 204
    remaining = await client.get(f"/users/{user2}/messages", headers=tokens[user2])
    assert [m["id"] for m in remaining.json()["messages"]] == [sent_ids[1]]
    outbox = await client.get(f"/users/{user1}/messages?box=sent", headers=tokens[user1])
    assert [m["id"] for m in outbox.json()["messages"]] == sent_ids[::-1]
    # DELETE by the sender: from all receivers.
    response = await client.delete(f"/users/{user1}/messages/{sent_ids[1]}", headers=tokens[user1])
    assert response.status_code == 204
    remaining = await client.get(f"/users/{user2}/messages", headers=tokens[user2])
    assert remaining.json()["messages"] == []


@pytest.mark.parametrize(
    "query",
    [
        'unread="true"&per_page=2%page=2',
        "unread=%22true%22&per_page=2%25page=2",
        'unread=true&per_page="2"&page="2"',
        "per_page=2&page=2&unread=true",
    ],
)
async def test_seed_b_query_forms_all_mean_the_same(client, dialect, query) -> None:
    from tests.support.factories import make_user, send

    alice, bob = await make_user(client), await make_user(client)
    sent = [await send(client, alice, bob) for _ in range(3)]
    response = await client.get(f"/users/{bob.username}/messages?{query}", headers=bob.headers)
    assert response.status_code == 200, response.text
    assert [m["id"] for m in response.json()["messages"]] == [sent[0]["id"]]
