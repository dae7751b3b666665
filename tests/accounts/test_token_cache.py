"""The token cache in one process: a known token skips the token query where the broker is
coherent, and sign-out, a password change and an email change take effect at once.
(Across instances over Redis: tests/process/test_live.py.)"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mailslot.accounts import service
from mailslot.state import app_state
from tests.support.factories import PASSWORD, TestUser, make_user
from tests.support.statements import statements

pytestmark = pytest.mark.anyio


def token_queries(app: FastAPI) -> AbstractContextManager[list[str]]:
    """The statements that read the access_token table while the block runs."""
    return statements(app, matching="FROM user_account JOIN access_token")


async def profile(client: httpx.AsyncClient, user: TestUser) -> httpx.Response:
    return await client.get(f"/users/{user.username}", headers=user.headers)


async def test_a_known_token_skips_the_token_query_where_the_broker_is_coherent(
    client, app, dialect
) -> None:
    user = await make_user(client)
    assert (await profile(client, user)).status_code == 200
    with token_queries(app) as seen:
        for _ in range(3):
            assert (await profile(client, user)).status_code == 200
    # SQLite: one process is all there is. PostgreSQL without Redis: other instances may
    # share the database unheard of, so every request asks it.
    assert len(seen) == (0 if dialect == "sqlite" else 3)


async def test_sign_out_takes_effect_at_once(client, app, dialect) -> None:
    user = await make_user(client)
    assert (await profile(client, user)).status_code == 200
    signed_out = await client.delete(f"/users/{user.username}/token", headers=user.headers)
    assert signed_out.status_code == 204
    refused = await profile(client, user)
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")


async def test_a_password_change_ends_the_other_tokens_and_keeps_this_one(
    client, app, dialect
) -> None:
    user = await make_user(client)
    other = await client.post(f"/users/{user.username}/token", json={"password": PASSWORD})
    other_user = TestUser(user.username, PASSWORD, other.json()["access_token"])
    for who in (user, other_user):
        assert (await profile(client, who)).status_code == 200
    changed = await client.patch(
        f"/users/{user.username}",
        json={"current_password": PASSWORD, "password": "a new password 2"},
        headers=user.headers,
    )
    assert changed.status_code == 200
    assert (await profile(client, other_user)).status_code == 401
    assert (await profile(client, user)).status_code == 200


async def test_an_email_change_shows_through_every_token(client, app, dialect) -> None:
    user = await make_user(client)
    other = await client.post(f"/users/{user.username}/token", json={"password": PASSWORD})
    other_user = TestUser(user.username, PASSWORD, other.json()["access_token"])
    assert (await profile(client, other_user)).json()["email"] == f"{user.username}@example.com"
    email = f"new-{user.username}@example.com"
    changed = await client.patch(
        f"/users/{user.username}",
        json={"current_password": PASSWORD, "email": email},
        headers=user.headers,
    )
    assert changed.status_code == 200
    assert (await profile(client, other_user)).json()["email"] == email


async def test_a_lookup_that_races_a_sign_out_is_not_remembered(
    client, app, dialect, monkeypatch
) -> None:
    """A request that read the token just before a sign-out committed must not put it in
    the cache after the sign-out's note has gone by."""
    user = await make_user(client)
    cache = app_state(app).token_cache
    find = service.find_token_owner

    async def find_then_sign_out(db: Any, digest: bytes) -> Any:
        found = await find(db, digest)
        assert found is not None
        await cache.forget_user(found[0].id)  # the note arrives while this request runs
        return found

    monkeypatch.setattr(service, "find_token_owner", find_then_sign_out)
    assert (await profile(client, user)).status_code == 200
    monkeypatch.setattr(service, "find_token_owner", find)
    with token_queries(app) as seen:
        assert (await profile(client, user)).status_code == 200
    assert len(seen) == 1  # asked again: the raced answer was not kept
