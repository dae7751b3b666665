"""Sending, mailboxes, read state and deletion. Callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from mailslot.accounts import service as accounts
from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.db.base import utcnow
from mailslot.errors import MessageNotFound, NotAReceiver, Unprocessable
from mailslot.messages.models import Delivery, Message

Box = Literal["inbox", "sent"]


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message as one user sees it: `is_receiver` and `read_at` are from their side."""

    id: int
    sender: str
    receivers: list[str]
    subject: str
    body: str
    created_at: datetime
    client_timestamp: str | None
    thread_id: int
    reply_to_id: int | None
    is_receiver: bool
    read_at: datetime | None

    @property
    def read(self) -> bool:
        return self.read_at is not None or not self.is_receiver


_VIEW_COLUMNS = (
    Message.id,
    User.username.label("sender"),
    Message.receiver_names,
    Message.subject,
    Message.body,
    Message.created_at,
    Message.client_timestamp,
    func.coalesce(Message.thread_id, Message.id).label("thread_id"),
    Message.reply_to_id,
)


def _view(row: Any, *, is_receiver: bool, read_at: datetime | None) -> MessageView:
    return MessageView(
        id=row.id,
        sender=row.sender,
        receivers=row.receiver_names,
        subject=row.subject,
        body=row.body,
        created_at=row.created_at,
        client_timestamp=row.client_timestamp,
        thread_id=row.thread_id,
        reply_to_id=row.reply_to_id,
        is_receiver=is_receiver,
        read_at=read_at,
    )


async def send_message(
    db: AsyncSession,
    *,
    sender: Account,
    receivers: list[str],
    subject: str,
    text: str,
    client_timestamp: str | None = None,
) -> MessageView:
    """Store a message and one delivery per receiver; raises UnknownReceiver (422)
    naming every receiver that is not registered, and Unprocessable for a NUL character
    (PostgreSQL cannot store one; every door refuses it alike)."""
    if "\x00" in subject or "\x00" in text:
        raise Unprocessable("A message cannot contain NUL characters.")
    users = await accounts.require_users(db, receivers)
    now = utcnow()
    names = [user.username for user in users]
    message_id = (
        await db.execute(
            insert(Message)
            .values(
                sender_id=sender.id,
                subject=subject,
                body=text,
                receiver_names=names,
                created_at=now,
                client_timestamp=client_timestamp,
            )
            .returning(Message.id)
        )
    ).scalar_one()
    await db.execute(
        insert(Delivery), [{"message_id": message_id, "receiver_id": user.id} for user in users]
    )
    return MessageView(
        id=message_id,
        sender=sender.username,
        receivers=names,
        subject=subject,
        body=text,
        created_at=now,
        client_timestamp=client_timestamp,
        thread_id=message_id,
        reply_to_id=None,
        is_receiver=any(user.id == sender.id for user in users),
        read_at=None,
    )


def _inbox_query(viewer: Account, unread: bool | None) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = (
        select(*_VIEW_COLUMNS, Delivery.read_at)
        .select_from(Delivery)
        .join(Message, Message.id == Delivery.message_id)
        .join(User, User.id == Message.sender_id)
        .where(Delivery.receiver_id == viewer.id, Delivery.deleted_at.is_(None))
        .order_by(Delivery.message_id.desc())
    )
    if unread is True:
        query = query.where(Delivery.read_at.is_(None))
    elif unread is False:
        query = query.where(Delivery.read_at.is_not(None))
    return query


def _sent_query(viewer: Account) -> Select[*tuple[Any, ...]]:
    return (
        select(*_VIEW_COLUMNS)
        .join(User, User.id == Message.sender_id)
        .where(Message.sender_id == viewer.id, Message.deleted_by_sender_at.is_(None))
        .order_by(Message.id.desc())
    )


async def list_messages(
    db: AsyncSession,
    *,
    viewer: Account,
    box: Box,
    unread: bool | None,
    below_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[MessageView], bool]:
    """A page of a mailbox, newest first, and whether more follow. Keyset (`below_id`)
    pages cost the same at any depth; `offset` is kept for seed B's page numbers."""
    if box == "inbox":
        query = _inbox_query(viewer, unread)
        if below_id is not None:
            query = query.where(Delivery.message_id < below_id)
    else:
        query = _sent_query(viewer)
        if below_id is not None:
            query = query.where(Message.id < below_id)
    rows = (await db.execute(query.offset(offset).limit(limit + 1))).all()
    views = [
        _view(row, is_receiver=box == "inbox", read_at=row.read_at if box == "inbox" else None)
        for row in rows[:limit]
    ]
    return views, len(rows) > limit


async def _find_visible(db: AsyncSession, viewer: Account, message_id: int) -> MessageView | None:
    """The message if the viewer may see it: a live delivery to them, or theirs as sender
    and not deleted."""
    own_delivery = and_(
        Delivery.message_id == Message.id,
        Delivery.receiver_id == viewer.id,
        Delivery.deleted_at.is_(None),
    )
    row = (
        await db.execute(
            select(*_VIEW_COLUMNS, Delivery.receiver_id, Delivery.read_at)
            .join(User, User.id == Message.sender_id)
            .outerjoin(Delivery, own_delivery)
            .where(
                Message.id == message_id,
                or_(
                    Delivery.receiver_id.is_not(None),
                    and_(Message.sender_id == viewer.id, Message.deleted_by_sender_at.is_(None)),
                ),
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return _view(row, is_receiver=row.receiver_id is not None, read_at=row.read_at)


async def get_message(
    db: AsyncSession, *, viewer: Account, message_id: int, mark_read: bool = True
) -> MessageView:
    """One message; reading it as its receiver marks it read. Raises MessageNotFound for
    a message that does not exist and for one that is not the viewer's alike."""
    view = await _find_visible(db, viewer, message_id)
    if view is None:
        raise MessageNotFound(f"There is no message {message_id} in your mailbox.")
    if mark_read and view.is_receiver and view.read_at is None:
        return await _set_read(db, view, viewer, read=True)
    return view


async def mark_read(
    db: AsyncSession, *, viewer: Account, message_id: int, read: bool
) -> MessageView:
    """Set the viewer's read state; raises NotAReceiver for a message they only sent."""
    view = await get_message(db, viewer=viewer, message_id=message_id, mark_read=False)
    if not view.is_receiver:
        raise NotAReceiver("Read state belongs to a message's receivers; you sent this one.")
    if view.read == read:
        return view
    return await _set_read(db, view, viewer, read=read)


async def _set_read(
    db: AsyncSession, view: MessageView, viewer: Account, *, read: bool
) -> MessageView:
    read_at = utcnow() if read else None
    await db.execute(
        update(Delivery)
        .where(Delivery.message_id == view.id, Delivery.receiver_id == viewer.id)
        .values(read_at=read_at)
    )
    return replace(view, read_at=read_at)


async def mark_many(
    db: AsyncSession, *, viewer: Account, ids: list[int] | None, read: bool
) -> tuple[list[int], list[int]]:
    """Mark the listed inbox messages (or, with ids None, the whole inbox) read or unread.
    Returns the ids whose state changed and the listed ids that are not in the inbox."""
    in_inbox = and_(Delivery.receiver_id == viewer.id, Delivery.deleted_at.is_(None))
    needs_change = Delivery.read_at.is_(None) if read else Delivery.read_at.is_not(None)
    statement = (
        update(Delivery)
        .where(in_inbox, needs_change)
        .values(read_at=utcnow() if read else None)
        .returning(Delivery.message_id)
    )
    if ids is None:
        everything = list((await db.scalars(statement)).all())
        return sorted(everything, reverse=True), []
    unique = list(dict.fromkeys(ids))
    found: set[int] = set(
        (
            await db.scalars(
                select(Delivery.message_id).where(in_inbox, Delivery.message_id.in_(unique))
            )
        ).all()
    )
    changed = set((await db.scalars(statement.where(Delivery.message_id.in_(unique)))).all())
    return [i for i in unique if i in changed], [i for i in unique if i not in found]


async def delete_message(
    db: AsyncSession, *, viewer: Account, message_id: int
) -> Literal["everyone", "own"]:
    """Seed B's rule: the sender deletes for every receiver; a receiver deletes only from
    their own feed. Raises MessageNotFound when the viewer cannot see the message."""
    view = await _find_visible(db, viewer, message_id)
    if view is None:
        raise MessageNotFound(f"There is no message {message_id} in your mailbox.")
    now = utcnow()
    sent_by_viewer = view.sender == viewer.username
    if sent_by_viewer:
        await db.execute(
            update(Message)
            .where(Message.id == message_id, Message.deleted_by_sender_at.is_(None))
            .values(deleted_by_sender_at=now)
        )
        await db.execute(
            update(Delivery)
            .where(Delivery.message_id == message_id, Delivery.deleted_at.is_(None))
            .values(deleted_at=now)
        )
        return "everyone"
    await db.execute(
        update(Delivery)
        .where(Delivery.message_id == message_id, Delivery.receiver_id == viewer.id)
        .values(deleted_at=now)
    )
    return "own"


async def count_unread(db: AsyncSession, *, viewer: Account) -> int:
    """Unread messages in the inbox; counts over the unread index only, not the mailbox."""
    count = await db.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.receiver_id == viewer.id,
            Delivery.deleted_at.is_(None),
            Delivery.read_at.is_(None),
        )
    )
    return int(count or 0)
