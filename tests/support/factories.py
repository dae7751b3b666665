"""Test data made through the API, each test owning what it creates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import delete, select, update

from mailslot.accounts.models import User
from mailslot.db.base import utcnow
from mailslot.messages.models import Delivery
from mailslot.state import app_state

PASSWORD = "correct horse battery"


@dataclass
class TestUser:
    __test__ = False  # not a test class

    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique_name(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


async def make_user(
    client: httpx.AsyncClient, username: str | None = None, password: str = PASSWORD
) -> TestUser:
    username = username or unique_name()
    created = await client.post(
        "/users",
        json={"username": username, "email": f"{username}@example.com", "password": password},
    )
    assert created.status_code == 201, created.text
    signed_in = await client.post(f"/users/{username}/token", json={"password": password})
    assert signed_in.status_code == 200, signed_in.text
    return TestUser(username, password, signed_in.json()["access_token"])


async def send(
    client: httpx.AsyncClient,
    sender: TestUser,
    *receivers: TestUser,
    subject: str = "Hello",
    message: str = "How are you?",
) -> dict[str, Any]:
    body: dict[str, Any] = (
        {"receiver": receivers[0].username}
        if len(receivers) == 1
        else {"receivers": [r.username for r in receivers]}
    )
    response = await client.post(
        f"/users/{sender.username}/messages",
        json={**body, "subject": subject, "message": message},
        headers=sender.headers,
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def inbox(client: httpx.AsyncClient, user: TestUser, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(
        f"/users/{user.username}/messages", params=params, headers=user.headers
    )
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def post_message(
    client: httpx.AsyncClient,
    sender: TestUser,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A send as written, answer unchecked (subject and message default to "s" and "m")."""
    return await client.post(
        f"/users/{sender.username}/messages",
        json={"subject": "s", "message": "m", **body},
        headers=sender.headers | (headers or {}),
    )


async def listing(client: httpx.AsyncClient, user: TestUser, **params: Any) -> dict[str, Any]:
    """A page of the listing, as a whole (messages, next_cursor, threads)."""
    response = await client.get(
        f"/users/{user.username}/messages", params=params, headers=user.headers
    )
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def ids(messages: list[dict[str, Any]]) -> list[int]:
    return [message["id"] for message in messages]


async def age_trash(app: FastAPI, user: TestUser, days: int) -> None:
    """Backdate the user's trash by `days`, as if deleted that long ago."""
    at = utcnow() - timedelta(days=days)
    async with app_state(app).sessions() as db:
        receiver = select(User.id).where(User.username == user.username).scalar_subquery()
        await db.execute(
            update(Delivery)
            .where(Delivery.receiver_id == receiver, Delivery.trashed_at.is_not(None))
            .values(trashed_at=at, deleted_at=at)
        )
        await db.commit()


@dataclass
class TestKey:
    """A server key made with the service (as `mailslot keys create` does)."""

    __test__ = False

    name: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def make_server_key(app: FastAPI, *scopes: str) -> TestKey:
    from mailslot.keys import service as keys

    name = unique_name("key")
    async with app_state(app).sessions() as db:
        _, key = await keys.create_key(db, name=name, scopes=keys.parse_scopes(scopes))
        await db.commit()
    return TestKey(name, key)


# A public address (example.com's, once) that tests name and never reach: the endpoints
# made with it are disabled, or deleted before an event could be sent to them.
PUBLIC_WEBHOOK_URL = "https://93.184.215.14/mailslot-test"


async def make_webhook(
    app: FastAPI,
    *,
    url: str = PUBLIC_WEBHOOK_URL,
    event_types: tuple[str, ...] = ("*",),
    enabled: bool = False,
) -> str:
    """An endpoint made with the service, disabled unless asked; its id (`ep_...`)."""
    from mailslot.webhooks import endpoints

    async with app_state(app).sessions() as db:
        endpoint, _ = await endpoints.create_endpoint(
            db, url=url, event_types=list(event_types), enabled=enabled, allow_private=True
        )
        await db.commit()
    return endpoint.public_id


async def forget_webhook_endpoints(app: FastAPI) -> None:
    """Delete every webhook endpoint, with their deliveries (else, on SQLite, an endpoint
    made later may take a deleted one's id, and its deliveries). A test that leaves one
    enabled hooks every later send of its worker's database: the outbox writes, the
    worker delivers, statement counts change."""
    from mailslot.webhooks import outbox
    from mailslot.webhooks.models import WebhookDelivery, WebhookEndpoint

    async with app_state(app).sessions() as db:
        await db.execute(delete(WebhookEndpoint))
        await outbox.delete_deliveries(db, WebhookDelivery.id.is_not(None))
        await db.commit()


async def register_at(client: httpx.AsyncClient, base: str) -> tuple[str, dict[str, str]]:
    """A user registered and signed in on a server at `base` (a process of its own): its
    name and bearer header."""
    name = unique_name()
    created = await client.post(
        f"{base}/users",
        json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    assert created.status_code == 201, created.text
    token = await client.post(f"{base}/users/{name}/token", json={"password": PASSWORD})
    return name, {"Authorization": f"Bearer {token.json()['access_token']}"}


async def add_endpoint_row(
    sessions: Any,
    url: str,
    *event_types: str,
    secret: str | None = None,
    enabled: bool = True,
) -> Any:
    """A webhook endpoint written as rows (not through the API: no URL check), subscribed
    to `event_types` ("*": all); the WebhookEndpoint. `sessions`: the app's session
    factory, or a test's own over another database."""
    from mailslot.webhooks import signing
    from mailslot.webhooks.endpoints import new_endpoint_id
    from mailslot.webhooks.models import WebhookEndpoint, WebhookSubscription

    now = utcnow()
    async with sessions() as db:
        endpoint = WebhookEndpoint(
            public_id=new_endpoint_id(),
            url=url,
            description="",
            event_types=sorted(event_types),
            enabled=enabled,
            secret=secret or signing.new_secret(),
            created_at=now,
            updated_at=now,
        )
        db.add(endpoint)
        await db.flush()
        db.add_all(WebhookSubscription(endpoint_id=endpoint.id, event_type=t) for t in event_types)
        await db.commit()
    return endpoint
