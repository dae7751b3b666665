"""Fixtures of the messaging policy's tests: a server key that may set it, provisioned
users with groups, and a policy put back to none after each test (it is one per
database, and every other test sends)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import update

from mailslot.accounts.models import User
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.state import app_state
from tests.realtime.conftest import redis_prefix, redis_url
from tests.support.factories import TestKey, TestUser, make_server_key, unique_name
from tests.support.people import external_id

__all__ = ["redis_prefix", "redis_url"]  # fixtures: the shared Redis, a prefix per test

POLICY = "/server/policy/messaging"


@pytest.fixture
async def key(app, client) -> AsyncIterator[TestKey]:
    """A key that sets the policy, provisions users, mints tokens and sends as users;
    the policy is removed when the test ends."""
    key = await make_server_key(app, "moderation", "users:write", "tokens:mint", "messages:send_as")
    yield key
    cleared = await client.put(POLICY, json={}, headers=key.headers)
    assert cleared.status_code == 200, cleared.text


class GroupNames:
    """Group names of one test's own: `.students` is `students-<hex>`, the same each time."""

    def __init__(self) -> None:
        self.suffix = unique_name("")

    def __getattr__(self, name: str) -> str:
        return f"{name}-{self.suffix}"


@pytest.fixture
def groups() -> GroupNames:
    return GroupNames()


async def put_policy(client: httpx.AsyncClient, key: TestKey, **rules: Any) -> dict[str, Any]:
    put = await client.put(POLICY, json=rules, headers=key.headers)
    assert put.status_code == 200, put.text
    body: dict[str, Any] = put.json()
    return body


async def member(client: httpx.AsyncClient, key: TestKey, *groups: str) -> tuple[TestUser, str]:
    """A provisioned user in `groups`, with a token: the user and their external id."""
    host_id = external_id()
    put = await client.put(
        f"/server/users/{host_id}",
        json={"display_name": "Pat", "groups": list(groups)},
        headers=key.headers,
    )
    assert put.status_code == 201, put.text
    minted = await client.post(f"/server/users/{host_id}/tokens", json={}, headers=key.headers)
    assert minted.status_code == 201, minted.text
    return TestUser(put.json()["username"], "", minted.json()["access_token"]), host_id


async def write(
    client: httpx.AsyncClient, sender: TestUser, *receivers: TestUser, **body: Any
) -> httpx.Response:
    """A send through the native API, answer unchecked."""
    if receivers:
        body["receivers"] = [receiver.username for receiver in receivers]
    return await client.post(
        f"/users/{sender.username}/messages",
        json={"subject": "s", "message": "m", **body},
        headers=sender.headers,
    )


def refused(response: httpx.Response, rule: str) -> str:
    """The detail of a 403 policy_denied that names `rule`."""
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == "policy_denied", body
    assert f"(rule {rule})" in body["detail"], body
    detail: str = body["detail"]
    return detail


async def age(app: FastAPI, username: str, days: float) -> None:
    """Make the account `days` days old (and have the app forget the token it knew it by:
    an account's age never changes but here)."""
    async with app_state(app).sessions() as db:
        user_id = await db.scalar(
            update(User)
            .where(User.username == username)
            .values(created_at=utcnow() - timedelta(days=days))
            .returning(User.id)
        )
        await db.commit()
    assert user_id is not None
    await app_state(app).token_cache.forget_user(user_id)


@asynccontextmanager
async def instance(
    settings: Settings, **overrides: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Another instance on the suite's database, with other settings."""
    other = create_app(settings.model_copy(update=overrides))
    async with LifespanManager(other):
        transport = httpx.ASGITransport(app=other, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as c:
            yield other, c
