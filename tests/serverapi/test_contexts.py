"""POST /server/contexts: a host mints a context token; its users' browsers send with it
to the participants it names, under its ref, and cannot forge or stretch it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mailslot.db.base import utcnow
from tests.support.factories import make_server_key, make_user
from tests.support.people import external_id, give_external_id

pytestmark = pytest.mark.anyio


async def test_a_minted_context_reaches_only_its_participants(app, client, dialect) -> None:
    buyer, seller, stranger = [await make_user(client) for _ in range(3)]
    buyer_id = await give_external_id(app, buyer.username)
    seller_id = await give_external_id(app, seller.username)
    key = await make_server_key(app, "tokens:mint")

    minted = await client.post(
        "/server/contexts",
        json={
            "ref": "order:A-123",
            "participants": [buyer_id, seller_id],
            "data": {"total": 42.5},
            "expires_in": 600,
        },
        headers=key.headers,
    )
    assert minted.status_code == 201, minted.text
    body = minted.json()
    assert body["context_token"].startswith("ctx_")
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(seconds=590) < expires - utcnow() <= timedelta(seconds=600)

    sent = await client.post(
        f"/users/{buyer.username}/messages",
        json={
            "subject": "Has it shipped?",
            "message": "A-123",
            "context_token": body["context_token"],
        },
        headers=buyer.headers,
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["receivers"] == [seller.username]
    assert message["context"] == {"ref": "order:A-123", "data": {"total": 42.5}, "signed": True}

    outside = await client.post(
        f"/users/{stranger.username}/messages",
        json={"subject": "me too", "message": "x", "context_token": body["context_token"]},
        headers=stranger.headers,
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "invalid_context")
    widened = await client.post(
        f"/users/{buyer.username}/messages",
        json={
            "receivers": [seller.username, stranger.username],
            "subject": "cc",
            "message": "x",
            "context_token": body["context_token"],
        },
        headers=buyer.headers,
    )
    assert (widened.status_code, widened.json()["code"]) == (422, "context_mismatch")


async def test_minting_names_every_unknown_participant(app, client, dialect) -> None:
    known = await give_external_id(app, (await make_user(client)).username)
    ghosts = [external_id(), external_id()]
    key = await make_server_key(app, "tokens:mint")
    answer = await client.post(
        "/server/contexts",
        json={"ref": "ticket:9", "participants": [ghosts[0], known, ghosts[1]]},
        headers=key.headers,
    )
    assert answer.status_code == 404
    problem = answer.json()
    assert problem["code"] == "user_not_found"
    assert all(ghost in problem["detail"] for ghost in ghosts)
    assert known not in problem["detail"]
    assert [e["pointer"] for e in problem["errors"]] == [
        "/body/participants/0",
        "/body/participants/2",
    ]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"ref": ""}, "/body/ref"),
        ({"ref": " padded"}, "/body/ref"),
        ({"participants": []}, "/body/participants"),
        ({"participants": ["ok"] * 102}, "/body/participants"),
        ({"participants": ["not/an id"]}, "/body/participants/0"),
        ({"expires_in": 0}, "/body/expires_in"),
        ({"expires_in": 30 * 24 * 3600 + 1}, "/body/expires_in"),
        ({"data": {"blob": "x" * 5000}}, "/body/data"),
        ({"data": [1, 2]}, "/body/data"),
        ({"extra": 1}, "/body/extra"),
    ],
)
async def test_bad_input_is_a_precise_422(app, client, dialect, change, pointer) -> None:
    key = await make_server_key(app, "tokens:mint")
    body = {"ref": "order:1", "participants": ["cus_x"], **change}
    answer = await client.post("/server/contexts", json=body, headers=key.headers)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "validation_failed"
    assert any(e["pointer"].startswith(pointer) for e in problem["errors"]), problem
