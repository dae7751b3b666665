"""Queries only seed A's doors ask: its oldest-unread read, its delete by fields, and its
one list of received and sent messages together. Built from the message views and models;
changes go through messages' change log, in the lock order of messages.service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mailslot.accounts import service as accounts
from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.db.base import utcnow
from mailslot.messages import changes, expiry
from mailslot.messages import service as messages
from mailslot.messages.events import message_updated
from mailslot.messages.models import Delivery, Message
from mailslot.messages.views import MessageView


async def list_received_and_sent(
    db: AsyncSession, *, viewer: Account, limit: int
) -> tuple[list[MessageView], bool]:
    """The newest `limit` messages of the inbox and the sent box together, newest first,
    each once (a message to oneself is in both), and whether older ones were left out."""
    received, more_received = await messages.list_messages(
        db, viewer=viewer, box="inbox", unread=None, below_id=None, offset=0, limit=limit
    )
    sent, more_sent = await messages.list_messages(
        db, viewer=viewer, box="sent", unread=None, below_id=None, offset=0, limit=limit
    )
    # The inbox copy wins for a message to oneself: it carries the viewer's read state.
    merged = {view.id: view for view in sent} | {view.id: view for view in received}
    newest = sorted(merged.values(), key=lambda view: view.id, reverse=True)
    return newest[:limit], more_received or more_sent or len(newest) > limit


async def read_oldest_unread(db: AsyncSession, *, viewer: Account) -> MessageView | None:
    """Mark the oldest unread message of the inbox read and return it; None when every
    message is read. Concurrent callers never get the same message: each claims its own
    by a conditional update, and one that loses the race takes the next."""
    unread = and_(
        Delivery.receiver_id == viewer.id,
        Delivery.deleted_at.is_(None),
        Delivery.read_at.is_(None),
    )
    oldest_unread = select(Delivery.message_id).where(unread)
    params: dict[str, Any] = {}
    if expiry.with_cutoff(db, params):  # what retention hides is not there to read
        oldest_unread = oldest_unread.join(Message, Message.id == Delivery.message_id).where(
            expiry.kept()
        )
    while True:
        oldest = await db.scalar(oldest_unread.order_by(Delivery.message_id).limit(1), params)
        if oldest is None:
            return None
        read_at = utcnow()
        claimed = await db.scalar(
            update(Delivery)
            .where(unread, Delivery.message_id == oldest)
            .values(read_at=read_at)
            .returning(Delivery.message_id)
        )
        if claimed is not None:
            await changes.record(db, [message_updated(viewer.id, oldest, read_at)])
            return await messages.find_message(db, viewer=viewer, message_id=oldest)


async def find_message_by_fields(
    db: AsyncSession,
    *,
    viewer: Account,
    sender: str,
    receiver: str,
    subject: str,
    text: str,
    timestamp: str | None = None,
    sent_second: datetime | None = None,
    message_id: int | None = None,
) -> int | None:
    """The id of the oldest message the viewer can see (sent and not deleted, or in their
    inbox) whose sender, one of whose receivers, subject and text are these. With
    `timestamp`, the message's client timestamp must be that text; a message that has none
    matches when its server time falls in the second starting at `sent_second` (the
    instant the timestamp names). With `message_id`, only that message can match."""
    in_inbox = exists().where(
        Delivery.message_id == Message.id,
        Delivery.receiver_id == viewer.id,
        Delivery.deleted_at.is_(None),
    )
    receiver_user = aliased(User)
    to_receiver = exists().where(
        Delivery.message_id == Message.id,
        Delivery.receiver_id == receiver_user.id,
        receiver_user.username_key == accounts.username_key(receiver),
    )
    query = (
        select(Message.id)
        .join(User, User.id == Message.sender_id)
        .where(
            User.username_key == accounts.username_key(sender),
            Message.subject == subject,
            Message.body == text,
            # A sender's delete ends every delivery too, so this holds for both sides, and
            # lets the sent-box index bound the scan to the sender's live messages.
            Message.deleted_by_sender_at.is_(None),
            to_receiver,
            or_(Message.sender_id == viewer.id, in_inbox),
        )
        .order_by(Message.id)
        .limit(1)
    )
    if timestamp is not None:
        same_time = Message.client_timestamp == timestamp
        if sent_second is not None:
            same_time = or_(
                same_time,
                and_(
                    Message.client_timestamp.is_(None),
                    Message.created_at >= sent_second,
                    # Not `< sent_second + 1 s`: that overflows in 9999's last second.
                    Message.created_at <= sent_second.replace(microsecond=999_999),
                ),
            )
        query = query.where(same_time)
    if message_id is not None:
        query = query.where(Message.id == message_id)
    params: dict[str, Any] = {}
    if expiry.with_cutoff(db, params):
        query = query.where(expiry.kept())
    found: int | None = await db.scalar(query, params)
    return found
