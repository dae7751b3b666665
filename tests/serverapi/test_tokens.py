"""/server/users/{external_id}/tokens: tokens a host mints for its users, with a
`tokens:mint` key: minted, listed (never the token), revoked one by one, all, or those
issued before a time; and read-only tokens, refused every change. On every engine."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from mailslot.accounts.models import AccessToken
from mailslot.accounts.security import token_digest
from mailslot.db.base import utcnow
from mailslot.state import app_state
from tests.support.factories import TestKey, TestUser, make_user, send
from tests.support.people import external_id, give_external_id
from tests.support.problems import problem

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]

TOKEN_ID = re.compile(r"^tok_[0-9a-f]{24}$")


async def provision(client: httpx.AsyncClient, key: TestKey) -> tuple[str, str]:
    """A new provisioned user: (external id, username)."""
    host_id = external_id()
    put = await client.put(
        f"/server/users/{host_id}", json={"display_name": "Ann"}, headers=key.headers
    )
    assert put.status_code == 201, put.text
    return host_id, put.json()["username"]


async def mint(
    client: httpx.AsyncClient, key: TestKey, host_id: str, **body: Any
) -> dict[str, Any]:
    minted = await client.post(f"/server/users/{host_id}/tokens", json=body, headers=key.headers)
    assert minted.status_code == 201, minted.text
    result: dict[str, Any] = minted.json()
    return result


def bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


async def listed(client: httpx.AsyncClient, key: TestKey, host_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/server/users/{host_id}/tokens", headers=key.headers)
    assert answer.status_code == 200, answer.text
    tokens: list[dict[str, Any]] = answer.json()["tokens"]
    return tokens


async def test_a_minted_token_lives_an_hour_by_default_and_acts_as_the_user(
    client, key, dialect
) -> None:
    host_id, username = await provision(client, key)
    before = utcnow()
    token = await mint(client, key, host_id)
    after = utcnow()
    assert TOKEN_ID.fullmatch(token["token_id"])
    assert (token["scopes"], token["label"], token["token_type"]) == (
        ["read", "write"],
        None,
        "bearer",
    )
    expires_at = datetime.fromisoformat(token["expires_at"])
    assert before + timedelta(hours=1) <= expires_at <= after + timedelta(hours=1)
    peer = await make_user(client)
    sent = await client.post(
        f"/users/{username}/messages",
        json={"receiver": peer.username, "subject": "hi", "message": "from the host's user"},
        headers=bearer(token),
    )
    assert sent.status_code == 201, sent.text


async def test_write_implies_read(client, key, dialect) -> None:
    host_id, _ = await provision(client, key)
    assert (await mint(client, key, host_id, scopes=["write"]))["scopes"] == ["read", "write"]


async def test_tokens_are_listed_newest_first_never_the_token(client, key, dialect) -> None:
    host_id, _ = await provision(client, key)
    first = await mint(client, key, host_id, label="web", ttl_seconds=60)
    second = await mint(
        client, key, host_id, label="widget", scopes=["read"], ttl_seconds=30 * 86400
    )
    tokens = await listed(client, key, host_id)
    assert [t["token_id"] for t in tokens] == [second["token_id"], first["token_id"]]
    assert [(t["label"], t["scopes"]) for t in tokens] == [
        ("widget", ["read"]),
        ("web", ["read", "write"]),
    ]
    assert all(
        set(t) == {"token_id", "label", "scopes", "created_at", "expires_at"} for t in tokens
    )
    text = (await client.get(f"/server/users/{host_id}/tokens", headers=key.headers)).text
    assert first["access_token"] not in text
    assert second["access_token"] not in text


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"ttl_seconds": 30 * 86400 + 1}, "/body/ttl_seconds"),
        ({"ttl_seconds": 0}, "/body/ttl_seconds"),
        ({"scopes": ["admin"]}, "/body/scopes/0"),
        ({"scopes": []}, "/body/scopes"),
        ({"label": "x" * 101}, "/body/label"),
        ({"user": "someone else"}, "/body/user"),
    ],
)
async def test_bad_input_is_refused_and_mints_nothing(
    client, key, dialect, body: dict[str, Any], pointer: str
) -> None:
    host_id, _ = await provision(client, key)
    answer = await client.post(f"/server/users/{host_id}/tokens", json=body, headers=key.headers)
    refused = problem(answer, 422, "validation_failed")
    assert pointer in [error["pointer"] for error in refused["errors"]], refused
    if body.get("ttl_seconds", 0) > 0:
        assert "2592000" in refused["detail"]  # the limit is named
    assert await listed(client, key, host_id) == []


async def test_unknown_users_and_tokens_are_not_found(client, key, dialect) -> None:
    missing = external_id()
    for method, path in [
        ("POST", f"/server/users/{missing}/tokens"),
        ("GET", f"/server/users/{missing}/tokens"),
        ("DELETE", f"/server/users/{missing}/tokens"),
        ("DELETE", f"/server/users/{missing}/tokens/tok_{'0' * 24}"),
    ]:
        answer = await client.request(method, path, headers=key.headers, json={})
        problem(answer, 404, "user_not_found")
    host_id, _ = await provision(client, key)
    other_id, _ = await provision(client, key)
    theirs = await mint(client, key, other_id)
    for token_id in (f"tok_{'0' * 24}", theirs["token_id"], "not-an-id"):
        answer = await client.delete(
            f"/server/users/{host_id}/tokens/{token_id}", headers=key.headers
        )
        problem(answer, 404, "token_not_found")
    assert [t["token_id"] for t in await listed(client, key, other_id)] == [theirs["token_id"]]


async def test_revoking_one_token_leaves_the_others(client, key, dialect) -> None:
    host_id, username = await provision(client, key)
    gone, kept = await mint(client, key, host_id), await mint(client, key, host_id)
    for token in (gone, kept):  # seen, so cached
        assert (await client.get(f"/users/{username}", headers=bearer(token))).status_code == 200
    revoked = await client.delete(
        f"/server/users/{host_id}/tokens/{gone['token_id']}", headers=key.headers
    )
    assert revoked.status_code == 204
    problem(await client.get(f"/users/{username}", headers=bearer(gone)), 401, "invalid_token")
    assert (await client.get(f"/users/{username}", headers=bearer(kept))).status_code == 200
    assert [t["token_id"] for t in await listed(client, key, host_id)] == [kept["token_id"]]
    again = await client.delete(
        f"/server/users/{host_id}/tokens/{gone['token_id']}", headers=key.headers
    )
    problem(again, 404, "token_not_found")


async def _backdate(app, token: dict[str, Any], hours: int) -> None:
    async with app_state(app).sessions() as db:
        await db.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == token_digest(token["access_token"]))
            .values(created_at=utcnow() - timedelta(hours=hours))
        )
        await db.commit()


async def test_revoking_those_issued_before_a_time_keeps_the_newer(
    app, client, key, dialect
) -> None:
    host_id, username = await provision(client, key)
    old, new = await mint(client, key, host_id), await mint(client, key, host_id)
    await _backdate(app, old, hours=2)
    cutoff = (utcnow() - timedelta(hours=1)).isoformat()
    answer = await client.delete(
        f"/server/users/{host_id}/tokens", params={"issued_before": cutoff}, headers=key.headers
    )
    assert (answer.status_code, answer.json()) == (200, {"revoked": 1})
    problem(await client.get(f"/users/{username}", headers=bearer(old)), 401, "invalid_token")
    assert (await client.get(f"/users/{username}", headers=bearer(new))).status_code == 200


async def test_revoking_all_ends_every_token(client, key, dialect) -> None:
    host_id, username = await provision(client, key)
    tokens = [await mint(client, key, host_id) for _ in range(3)]
    answer = await client.delete(f"/server/users/{host_id}/tokens", headers=key.headers)
    assert (answer.status_code, answer.json()) == (200, {"revoked": 3})
    for token in tokens:
        problem(await client.get(f"/users/{username}", headers=bearer(token)), 401, "invalid_token")
    assert await listed(client, key, host_id) == []


async def test_issued_before_needs_a_time_with_its_offset(client, key, dialect) -> None:
    host_id, _ = await provision(client, key)
    await mint(client, key, host_id)
    for value in ("2026-01-01T00:00:00", "yesterday", "0.5", "1764547200"):
        answer = await client.delete(
            f"/server/users/{host_id}/tokens", params={"issued_before": value}, headers=key.headers
        )
        problem(answer, 422, "validation_failed")
    assert len(await listed(client, key, host_id)) == 1


async def test_a_read_only_token_lists_reads_and_streams_but_changes_nothing(
    client, key, dialect
) -> None:
    host_id, username = await provision(client, key)
    reader = bearer(await mint(client, key, host_id, scopes=["read"]))
    peer = await make_user(client)
    them = TestUser(username, "", "unused")
    message = await send(client, peer, them, subject="for the widget")
    mine = f"/users/{username}/messages"
    assert (await client.get(mine, headers=reader)).status_code == 200
    peek = await client.get(f"{mine}/{message['id']}", headers=reader)
    assert (peek.status_code, peek.json()["read"]) == (200, False)  # a read-only read is a peek
    assert (await client.get(f"/users/{username}/unread", headers=reader)).json()["unread"] == 1
    assert (
        await client.get(f"/users/{username}/threads/{message['thread_id']}", headers=reader)
    ).is_success
    assert (await client.get(f"/users/{username}/changes?since=0", headers=reader)).is_success
    ticket = await client.post(f"/users/{username}/stream-tickets", headers=reader)
    assert ticket.status_code == 201

    changes = [
        ("POST", mine, {"receiver": peer.username, "subject": "s", "message": "m"}),
        ("PATCH", mine, {"all": True, "read": True}),
        ("PATCH", f"{mine}/{message['id']}", {"read": True}),
        ("DELETE", f"{mine}/{message['id']}", None),
        ("POST", f"{mine}/{message['id']}/restore", None),
        ("PATCH", f"/users/{username}", {"display_name": "Not allowed"}),
    ]
    for method, path, body in changes:
        answer = await client.request(method, path, json=body, headers=reader)
        problem(answer, 403, "read_only_token")
    assert (await client.get(f"/users/{username}/unread", headers=reader)).json()["unread"] == 1
    assert (await client.get(f"/users/{username}", headers=reader)).json()["display_name"] == "Ann"
    # It may sign itself out.
    assert (await client.delete(f"/users/{username}/token", headers=reader)).status_code == 204
    problem(await client.get(mine, headers=reader), 401, "invalid_token")


async def test_a_password_sign_in_gives_a_full_listed_token(client, key, app, dialect) -> None:
    user = await make_user(client)
    host_id = await give_external_id(app, user.username)
    [token] = await listed(client, key, host_id)
    assert (token["scopes"], token["label"]) == (["read", "write"], None)
    assert TOKEN_ID.fullmatch(token["token_id"])
