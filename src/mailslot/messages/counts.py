"""How much mail a user has, as `mailslot user show` reports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from mailslot.db.engine import Reader
from mailslot.messages import expiry
from mailslot.messages.models import Delivery, Message


@dataclass(frozen=True, slots=True)
class MailCounts:
    sent: int  # sent and not deleted by the user
    received: int  # in the inbox (not deleted, not in the trash)
    unread: int  # of those, not read yet
    trash: int  # in the trash


async def count_mail(db: Reader, user_id: int) -> MailCounts:
    """Counted over the user's rows of the sender and receiver indexes (and, with
    retention, without what it hides)."""
    params: dict[str, Any] = {}
    retained = expiry.with_cutoff(db, params)
    sent_query = (
        select(func.count())
        .select_from(Message)
        .where(Message.sender_id == user_id, Message.deleted_by_sender_at.is_(None))
    )
    received_query = select(
        func.count().filter(Delivery.deleted_at.is_(None)),
        func.count().filter(Delivery.deleted_at.is_(None), Delivery.read_at.is_(None)),
        func.count().filter(Delivery.trashed_at.is_not(None)),
    ).where(Delivery.receiver_id == user_id)
    if retained:
        sent_query = sent_query.where(expiry.kept())
        received_query = received_query.join(Message, Message.id == Delivery.message_id).where(
            expiry.kept()
        )
    sent = await db.scalar(sent_query, params)
    inbox, unread, trash = (await db.execute(received_query, params)).one()
    return MailCounts(int(sent or 0), int(inbox), int(unread), int(trash))
