"""Endpoints, events, deliveries and attempts written straight to the tables, for the
delivery log's and the replay's tests: each test owns its endpoint and reads only it.

Pending deliveries are made due tomorrow, so no delivery worker takes them meanwhile."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from mailslot.db.base import utcnow
from mailslot.state import app_state
from mailslot.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from mailslot.webhooks.outbox import new_event_id

TOMORROW = timedelta(days=1)


@dataclass(frozen=True)
class Endpoint:
    id: int
    public_id: str


async def make_endpoint(app: FastAPI, *, enabled: bool = True) -> Endpoint:
    """An endpoint no `emit` reaches (it subscribes to nothing): only what a test writes."""
    now = utcnow()
    endpoint = WebhookEndpoint(
        public_id="ep_" + secrets.token_hex(12),
        url="https://receiver.example/hooks",
        description="",
        event_types=["user.created"],
        enabled=enabled,
        secret="whsec_" + secrets.token_urlsafe(32),
        created_at=now,
        updated_at=now,
    )
    async with app_state(app).sessions() as db:
        db.add(endpoint)
        await db.commit()
        return Endpoint(endpoint.id, endpoint.public_id)


async def add_delivery(
    app: FastAPI,
    endpoint: Endpoint,
    *,
    event_type: str = "user.created",
    at: datetime | None = None,
    status: str = "succeeded",
    attempts: int = 0,
    data: dict[str, Any] | None = None,
    event_id: str | None = None,
    **values: Any,
) -> str:
    """A delivery to the endpoint of a new event made `at` (or of `event_id`), with
    `attempts` attempts logged, each answered 500 but the last of a succeeded one (200);
    its event id."""
    at = at or utcnow()
    async with app_state(app).sessions() as db:
        if event_id is None:
            event_id = new_event_id()
            db.add(WebhookEvent(id=event_id, type=event_type, data=data, created_at=at))
            await db.flush()
        last_code = 200 if status == "succeeded" else 500
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=event_id,
            status=status,
            attempts=attempts,
            next_attempt_at=utcnow() + TOMORROW if status == "pending" else None,
            last_attempt_at=at + timedelta(seconds=attempts) if attempts else None,
            last_status_code=last_code if attempts else None,
            last_latency_ms=12 if attempts else None,
            last_response="ok" if attempts else None,
            created_at=at,
        )
        for name, value in values.items():
            setattr(delivery, name, value)
        db.add(delivery)
        await db.flush()
        # The attempts before the latest (which the delivery's row holds).
        for number in range(1, attempts):
            db.add(
                WebhookAttempt(
                    delivery_id=delivery.id,
                    number=number,
                    started_at=at + timedelta(seconds=number),
                    status_code=500,
                    latency_ms=10 + number,
                    response="oops",
                    error=None,
                )
            )
        await db.commit()
    return event_id


async def delivery_row(app: FastAPI, endpoint: Endpoint, event_id: str) -> WebhookDelivery | None:
    async with app_state(app).sessions() as db:
        return await db.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.event_id == event_id
            )
        )


async def event_exists(app: FastAPI, event_id: str) -> bool:
    async with app_state(app).sessions() as db:
        return await db.get(WebhookEvent, event_id) is not None
