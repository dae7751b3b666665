"""Threads: replies, who a reply goes to, a thread as one user sees it, unread per thread.

A message starts a thread whose id is its own id; a reply (`reply_to`) joins the thread
of the message it answers. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.service import Account, username_key
from mailslot.db.engine import Reader, dialect_name
from mailslot.errors import MessageNotFound, ReplyToNotFound
from mailslot.messages import service
from mailslot.messages.models import Delivery
from mailslot.messages.pages import received_page, sent_page
from mailslot.messages.search import MessageFilter
from mailslot.messages.views import MessageView, view_of


def reply_receivers(original: MessageView, replier: str) -> list[str]:
    """Who a reply goes to when it names nobody: every other participant of the message
    it answers (its sender, then its receivers, each once). A reply to a note to
    oneself goes back to oneself."""
    mine = username_key(replier)
    seen = {mine}
    others = []
    for name in (original.sender, *original.receivers):
        if username_key(name) not in seen:
            seen.add(username_key(name))
            others.append(name)
    return others or [replier]


async def send_in_thread(
    db: AsyncSession,
    *,
    sender: Account,
    receivers: list[str],
    subject: str,
    text: str,
    reply_to: int | None,
    alone: bool = False,
) -> MessageView:
    """Send a message; with `reply_to`, as a reply in that message's thread, by default
    (no `receivers`) to the other participants. Raises ReplyToNotFound (422) when the
    sender cannot see `reply_to`, whether it exists or not."""
    if reply_to is None:
        return await service.send_message(
            db, sender=sender, receivers=receivers, subject=subject, text=text, alone=alone
        )
    try:
        original = await service.find_message(db, viewer=sender, message_id=reply_to)
    except MessageNotFound:
        raise ReplyToNotFound(
            f"There is no message {reply_to} in your mailbox to reply to.",
            errors=[{"pointer": "/body/reply_to", "detail": "no such message in your mailbox"}],
        ) from None
    return await service.send_message(
        db,
        sender=sender,
        receivers=receivers or reply_receivers(original, sender.username),
        subject=subject,
        text=text,
        thread_id=original.thread_id,
        reply_to_id=original.id,
        alone=alone,
    )


async def list_thread(
    db: Reader, *, viewer: Account, thread_id: int, below_id: int | None, limit: int
) -> tuple[list[MessageView], bool]:
    """What the viewer can see of a thread (received and not deleted, or sent and not
    deleted), newest first, and whether more follow. Two index range scans of at most
    `limit + 1` rows each, merged: the cost does not grow with the mailbox or the thread."""
    in_thread = MessageFilter(dialect=dialect_name(db), thread_id=thread_id)
    received = received_page("inbox", viewer.id, None, below_id, 0, limit + 1, filters=in_thread)
    sent = sent_page(viewer.id, below_id, 0, limit + 1, filters=in_thread)
    views: dict[int, MessageView] = {}
    for row in (await db.execute(sent)).all():
        views[row.id] = view_of(row, is_receiver=False, read_at=None)
    # A message to oneself is in both: the received side carries its read state.
    for row in (await db.execute(received)).all():
        views[row.id] = view_of(row, is_receiver=True, read_at=row.read_at)
    ordered = sorted(views.values(), key=lambda view: view.id, reverse=True)
    return ordered[:limit], len(ordered) > limit


_UNREAD_BY_THREAD = (
    select(Delivery.thread_id, func.count())
    .where(
        Delivery.receiver_id == bindparam("viewer_id"),
        Delivery.deleted_at.is_(None),
        Delivery.read_at.is_(None),
        Delivery.thread_id.in_(bindparam("thread_ids", expanding=True)),
    )
    .group_by(Delivery.thread_id)
)


async def unread_by_thread(
    db: Reader, *, viewer: Account, thread_ids: Iterable[int]
) -> dict[int, int]:
    """Unread inbox messages per thread, for the given threads (those without are left
    out). Counts over the per-thread unread index: the cost is the unread count."""
    wanted = sorted(set(thread_ids))
    if not wanted:
        return {}
    rows = await db.execute(_UNREAD_BY_THREAD, {"viewer_id": viewer.id, "thread_ids": wanted})
    return {row[0]: row[1] for row in rows}
