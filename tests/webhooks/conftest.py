"""Fixtures of the webhooks tests: endpoints written as rows (the endpoint API is its own
part), gone again after each test so no other test's sends are hooked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select

from mailslot.accounts.models import User
from mailslot.state import app_state
from mailslot.webhooks import outbox
from mailslot.webhooks.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests.support.factories import add_endpoint_row, forget_webhook_endpoints

MakeEndpoint = Callable[..., Awaitable[int]]


@pytest.fixture
async def app(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The session's app; every webhook endpoint deleted after the test, whoever made it
    (the API, the log's tests), so no other test's sends are hooked."""
    yield app
    await forget_webhook_endpoints(app)


@pytest.fixture
async def endpoint(app) -> AsyncIterator[MakeEndpoint]:
    """`await endpoint("message.created", ...)`: an endpoint subscribed to those types
    ("*": all), enabled unless `enabled=False`; its id."""
    made: list[int] = []

    async def make(*event_types: str, enabled: bool = True) -> int:
        row = await add_endpoint_row(
            app_state(app).sessions,
            "http://127.0.0.1:9/hook",
            *event_types,
            secret="whsec_test",
            enabled=enabled,
        )
        made.append(row.id)
        return int(row.id)

    yield make
    async with app_state(app).sessions() as db:
        await db.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id.in_(made)))
        await outbox.delete_deliveries(db, WebhookDelivery.endpoint_id.in_(made))
        await db.commit()


async def user_id(app, username: str) -> int:
    async with app_state(app).sessions() as db:
        found = await db.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


async def events_of(app, username: str) -> list[WebhookEvent]:
    """The outbox's events about a user, oldest first."""
    owner = await user_id(app, username)
    async with app_state(app).sessions() as db:
        rows = await db.scalars(
            select(WebhookEvent)
            .where(WebhookEvent.user_id == owner)
            .order_by(WebhookEvent.created_at, WebhookEvent.seq)
        )
        return list(rows)


async def deliveries_of(app, event_ids: list[str]) -> list[WebhookDelivery]:
    async with app_state(app).sessions() as db:
        rows = await db.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.event_id.in_(event_ids))
            .order_by(WebhookDelivery.event_id, WebhookDelivery.endpoint_id)
        )
        return list(rows)


def kinds(events: list[WebhookEvent]) -> list[tuple[str, Any]]:
    return [(event.type, event.message_id) for event in events]
