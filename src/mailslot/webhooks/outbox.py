"""The outbox: an event is written in the transaction of the change it describes, with one
delivery per enabled endpoint subscribed to its type, and nothing at all when none is.
So a crash between the commit and the delivery delays an event, never drops it.

Mailbox events (message.*) are written by the message stores' own statements, beside the
change-log entries they describe (messages/store); everything else comes through `emit`.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db.base import utcnow
from mailslot.webhooks.models import (
    ALL_EVENTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookSubscription,
)

DELETE_BATCH = 1000  # deliveries deleted a statement (their ids come back, for the attempts)

# In a session's `info` once it wrote deliveries: its commit wakes this process's delivery
# worker at once (webhooks/worker.py) instead of at its next poll.
QUEUED = "mailslot.webhooks.queued"


def new_event_id() -> str:
    """A Standard Webhooks message id: `msg_`, the Unix time in milliseconds (12 hex
    digits) and 80 random bits (20). Ids of one moment sort together, so the indexes they
    key (the event's, its deliveries') grow at their end, not at random pages; the stores'
    statements make theirs the same way (messages/store)."""
    return f"msg_{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


def subscribers(event_type: str, *, excluding: int | None = None) -> Any:
    """The enabled endpoints subscribed to `event_type` (by id), as a subquery."""
    query = (
        select(WebhookSubscription.endpoint_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookSubscription.endpoint_id)
        .where(
            WebhookEndpoint.enabled,
            or_(
                WebhookSubscription.event_type == event_type,
                WebhookSubscription.event_type == ALL_EVENTS,
            ),
        )
        .distinct()
    )
    if excluding is not None:
        query = query.where(WebhookEndpoint.id != excluding)
    return query


async def emit(
    db: AsyncSession,
    event_type: str,
    data: dict[str, Any],
    *,
    user_id: int | None = None,
    excluding_endpoint: int | None = None,
) -> str | None:
    """Write an event and its deliveries in the caller's transaction; the event's id, or
    None when no enabled endpoint (other than `excluding_endpoint`) subscribes to it."""
    endpoints = subscribers(event_type, excluding=excluding_endpoint)
    now = utcnow()
    event_id = new_event_id()
    written = await db.execute(
        insert(WebhookEvent)
        .from_select(
            ["id", "type", "user_id", "data", "created_at"],
            select(
                literal(event_id),
                literal(event_type),
                literal(user_id, WebhookEvent.user_id.type),
                literal(data, WebhookEvent.data.type),
                literal(now, WebhookEvent.created_at.type),
            ).where(endpoints.exists()),
        )
        .returning(WebhookEvent.id)
    )
    if written.first() is None:
        return None
    subscribed = endpoints.subquery()
    await db.execute(
        insert(WebhookDelivery).from_select(
            ["endpoint_id", "event_id", "status", "attempts", "next_attempt_at", "created_at"],
            select(
                subscribed.c.endpoint_id,
                literal(event_id),
                literal("pending"),
                literal(0),
                literal(now, WebhookDelivery.next_attempt_at.type),
                literal(now, WebhookDelivery.created_at.type),
            ),
        )
    )
    db.sync_session.info[QUEUED] = True
    return event_id


async def delete_deliveries(db: AsyncSession, *where: ColumnElement[bool]) -> int:
    """Delete the deliveries `where` says, and their attempts, in the caller's transaction
    (no foreign key cascades: models.WebhookDelivery); how many deliveries. A delivery goes
    before its attempts: an outcome recorded meanwhile finds no delivery to write to, so
    adds no attempt."""
    deleted = 0
    while True:
        chosen = select(WebhookDelivery.id).where(*where).limit(DELETE_BATCH)
        ids = (
            await db.scalars(
                delete(WebhookDelivery)
                .where(WebhookDelivery.id.in_(chosen.scalar_subquery()))
                .returning(WebhookDelivery.id)
                .execution_options(synchronize_session=False)
            )
        ).all()
        if ids:
            await db.execute(
                delete(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_(ids))
                .execution_options(synchronize_session=False)
            )
        deleted += len(ids)
        if len(ids) < DELETE_BATCH:
            return deleted
