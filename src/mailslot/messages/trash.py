"""The receiver's trash: restore, delete for good, purge. Callers own the transaction.

A receiver's delete (service.delete_message) moves the message from their inbox to
their trash (`box=trash`). From there they restore it, or delete it for good; whatever
stays in the trash longer than the retention period is purged. The sender's delete is
for everyone and final: the message leaves every receiver's trash as well.

Deleting for good and purging leave the delivery row as a tombstone (deleted, not in
the trash), as a sender's delete does: the content lives in the message row, shared
with the sender and the other receivers, and the row keeps the record of who the
message was delivered to (seed A's delete finds a message by its receiver that way).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.service import Account
from mailslot.db.base import utcnow
from mailslot.errors import MessageNotFound
from mailslot.messages import changes, service
from mailslot.messages.events import message_created, message_deleted
from mailslot.messages.models import Delivery, Message
from mailslot.messages.views import MessageView


def _not_deleted_by_sender(message_id: int) -> ColumnElement[bool]:
    # The sender's delete ends trashed copies too (service.delete_message); it left them
    # in the trash before, and those rows are still about.
    return Delivery.message_id.in_(
        select(Message.id).where(Message.id == message_id, Message.deleted_by_sender_at.is_(None))
    )


async def restore_message(db: AsyncSession, *, viewer: Account, message_id: int) -> MessageView:
    """Move a message from the viewer's trash back to their inbox, read state as it was.
    Restoring a message already in the inbox changes nothing. Raises MessageNotFound
    once it is purged, deleted for good, or deleted by its sender (also by a delete that
    runs at the same time: the update waits for the delivery row, then reads it again)."""
    restored = await db.scalar(
        update(Delivery)
        .where(
            Delivery.message_id == message_id,
            Delivery.receiver_id == viewer.id,
            Delivery.trashed_at.is_not(None),
            _not_deleted_by_sender(message_id),
        )
        .values(deleted_at=None, trashed_at=None)
        .returning(Delivery.message_id)
    )
    view = await service.find_message(db, viewer=viewer, message_id=message_id)
    if not view.is_receiver:
        raise MessageNotFound(f"There is no message {message_id} in your trash.")
    if restored is not None:  # back in the inbox: for live clients, as if it arrived
        await changes.record(db, [message_created(viewer.id, view, "inbox", restored=True)])
    return view


async def delete_for_good(
    db: AsyncSession, *, viewer: Account, message_id: int
) -> Literal["everyone", "own"]:
    """`permanent=true`: a receiver's copy leaves their inbox or trash at once, with no
    restore; the sender's delete is for everyone, as always. Raises MessageNotFound
    when the viewer holds no copy."""
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
            update(Delivery)
            .where(
                Delivery.receiver_id == viewer.id,
                Delivery.message_id == message_id,
                or_(Delivery.deleted_at.is_(None), Delivery.trashed_at.is_not(None)),
            )
            .values(deleted_at=func.coalesce(Delivery.deleted_at, utcnow()), trashed_at=None)
            .returning(Delivery.message_id)
        )
    if erased is None:
        raise MessageNotFound(f"There is no message {message_id} in your mailbox.")
    await changes.record(db, [message_deleted(viewer.id, message_id, "own")])
    return "own"


async def purge_trash(db: AsyncSession, *, trashed_before: datetime, limit: int) -> int:
    """Take up to `limit` deliveries trashed before `trashed_before` out of the trash for
    good, oldest first, over the trashed_at index; returns how many. Entry points commit
    between batches. A delivery that another change holds is left for the next batch:
    the purge never waits for one, so it stays out of the lock order (service)."""
    batch = (
        select(Delivery.receiver_id, Delivery.message_id)
        .where(Delivery.trashed_at.is_not(None), Delivery.trashed_at < trashed_before)
        .order_by(Delivery.trashed_at)
        .limit(limit)
        .with_for_update(key_share=True, skip_locked=True)
    )
    purged = (
        await db.execute(
            update(Delivery)
            .where(tuple_(Delivery.receiver_id, Delivery.message_id).in_(batch))
            .values(trashed_at=None)
            .returning(Delivery.receiver_id, Delivery.message_id)
        )
    ).all()
    await changes.record(db, [message_deleted(user, message, "own") for user, message in purged])
    return len(purged)
