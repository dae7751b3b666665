"""The receiver's trash: restore, delete for good, purge. Callers own the transaction.

A receiver's delete (service.delete_message) moves the message from their inbox to
their trash (`box=trash`). From there they restore it, or delete it for good; whatever
stays in the trash longer than the retention period is purged. The sender's delete is
for everyone and final: the message leaves every receiver's trash as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, delete, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.service import Account
from mailslot.errors import MessageNotFound
from mailslot.messages import service
from mailslot.messages.models import Delivery, Message
from mailslot.messages.service import MessageView


def _not_deleted_by_sender(message_id: int) -> ColumnElement[bool]:
    return Delivery.message_id.in_(
        select(Message.id).where(Message.id == message_id, Message.deleted_by_sender_at.is_(None))
    )


async def restore_message(db: AsyncSession, *, viewer: Account, message_id: int) -> MessageView:
    """Move a message from the viewer's trash back to their inbox, read state as it was.
    Restoring a message already in the inbox changes nothing. Raises MessageNotFound
    once it is purged, deleted for good, or deleted by its sender."""
    await db.execute(
        update(Delivery)
        .where(
            Delivery.message_id == message_id,
            Delivery.receiver_id == viewer.id,
            Delivery.trashed_at.is_not(None),
            _not_deleted_by_sender(message_id),
        )
        .values(deleted_at=None, trashed_at=None)
    )
    view = await service.get_message(db, viewer=viewer, message_id=message_id, mark_read=False)
    if not view.is_receiver:
        raise MessageNotFound(f"There is no message {message_id} in your trash.")
    return view


async def delete_for_good(
    db: AsyncSession, *, viewer: Account, message_id: int
) -> Literal["everyone", "own"]:
    """`permanent=true`: a receiver's copy is erased from their inbox or trash at once,
    with no restore; the sender's delete is for everyone, as always. Raises
    MessageNotFound when the viewer holds no copy."""
    sender_id = await db.scalar(
        select(Message.sender_id).where(
            Message.id == message_id, Message.deleted_by_sender_at.is_(None)
        )
    )
    if sender_id is not None and sender_id == viewer.id:
        return await service.delete_message(db, viewer=viewer, message_id=message_id)
    erased = None
    if sender_id is not None:
        erased = await db.scalar(
            delete(Delivery)
            .where(
                Delivery.message_id == message_id,
                Delivery.receiver_id == viewer.id,
                or_(Delivery.deleted_at.is_(None), Delivery.trashed_at.is_not(None)),
            )
            .returning(Delivery.message_id)
        )
    if erased is None:
        raise MessageNotFound(f"There is no message {message_id} in your mailbox.")
    return "own"


async def purge_trash(db: AsyncSession, *, trashed_before: datetime, limit: int) -> int:
    """Erase up to `limit` deliveries trashed before `trashed_before`, oldest first, over
    the trashed_at index; returns how many. Entry points commit between batches."""
    batch = (
        select(Delivery.message_id, Delivery.receiver_id)
        .where(Delivery.trashed_at.is_not(None), Delivery.trashed_at < trashed_before)
        .order_by(Delivery.trashed_at)
        .limit(limit)
    )
    result = await db.execute(
        delete(Delivery)
        .where(tuple_(Delivery.message_id, Delivery.receiver_id).in_(batch))
        .returning(Delivery.message_id)
    )
    return len(result.all())
