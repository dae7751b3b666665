"""The body of each event as a receiver gets it: `{type, timestamp, data}`.

A mailbox event's `data` is rendered from its user's change-log entry at its first
delivery, in one statement for a batch, and kept on the event from then on, so every
attempt and redelivery sends the same bytes. (Contract for the delivery worker:
`render(db, events)` fills `data` of every event given whose `data` is None.)"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.webhooks.models import WebhookEvent


async def render(db: AsyncSession, events: Sequence[WebhookEvent]) -> None:
    """Fill in `data` of the events that have none (mailbox events), in the caller's
    transaction; to be written by the outbox work."""
    raise NotImplementedError
