"""Sending, mailboxes, read state and deletion. Callers own the transaction.

Lock order. Every change to a message and its deliveries (here, in trash.py, in
compat/queries.py, and through them seed A's doors) takes its PostgreSQL row locks in one order, so no two can deadlock
(SQLite has one writer at a time):
1. the message row: only its sender's delete for everyone updates it;
2. delivery rows, in (message id, receiver id) order: a statement that changes several
   locks them in that order first (`locking`); a receiver's change takes its one row;
3. the users' change-log counters, in user id order, last (changes.record).
A receiver's change is conditional on its own delivery row (in the inbox, or in the
trash), and the sender's delete for everyone ends every delivery of the message, trashed
ones included. A change that waits for that row's lock reads the row again once it is
free, so a delete for everyone always wins over a concurrent restore, mark or delete.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import ReturningUpdate

from mailslot import metrics
from mailslot.accounts.models import User
from mailslot.accounts.service import Account, username_key
from mailslot.accounts.system import SYSTEM_KEY
from mailslot.db.base import utcnow
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import Reader
from mailslot.errors import MessageNotFound, NotAReceiver, SystemTakesNoReplies, Unprocessable
from mailslot.messages import changes, expiry
from mailslot.messages.context import Context
from mailslot.messages.events import message_created, message_deleted, message_updated
from mailslot.messages.models import Delivery, Message
from mailslot.messages.pages import PageShape, box_page, unfiltered_page, with_thread_unread
from mailslot.messages.search import SEARCH_WINDOW, MessageFilter
from mailslot.messages.store import store_for
from mailslot.messages.views import VIEW_COLUMNS, Box, MessageView, view_of


async def send_message(
    db: AsyncSession,
    *,
    sender: Account,
    receivers: list[str],
    subject: str,
    text: str,
    client_timestamp: str | None = None,
    thread_id: int | None = None,
    reply_to_id: int | None = None,
    context: Context | None = None,
    alone: bool = False,
    to_system: bool = False,
) -> MessageView:
    """Store a message and one delivery per receiver; raises UnknownReceiver (422)
    naming every receiver that is not registered, ReceiverDeactivated (422) naming every
    one that is deactivated, and Unprocessable for a NUL character
    (PostgreSQL cannot store one; every door refuses it alike), and AccountSuspended (403)
    for a suspended sender. A receiver who blocks the sender, or every receiver but the
    sender while the sender is shadow-banned, silently gets nothing: no delivery, no
    change-log entry, no live event, no webhook (the view's `withheld` says who, for the
    server API); the message still names them all. Without `thread_id` the
    message starts a thread of its own (threads.send_in_thread sets both for a reply).

    The send is in the caller's transaction on both engines (one statement on
    PostgreSQL): it commits, and its events go out, when the caller commits. `alone`: the
    caller's transaction writes nothing else, so on PostgreSQL the statement may commit
    itself (Store); its events still go out at the caller's commit.

    The system account (accounts/system.py) receives only with `to_system` (a reply to
    it while MAILSLOT_SYSTEM_REPLIES is on), else SystemTakesNoReplies (403). As a
    sender it keeps no change-log entry of its sent mail: it has no client to sync, and
    its log counter, locked to commit by every send that bumps it, would queue every
    system send behind the one before (bench/README.md, send-system)."""
    if "\x00" in subject or "\x00" in text:
        raise Unprocessable("A message cannot contain NUL characters.")
    if not to_system and any(username_key(name) == SYSTEM_KEY for name in receivers):
        raise SystemTakesNoReplies(
            "The platform's messages take no replies here; write to the service instead."
        )
    log_sender = username_key(sender.username) != SYSTEM_KEY
    now = utcnow()
    message = {
        "sender_id": sender.id,
        "subject": subject,
        "body": text,
        "created_at": now,
        "client_timestamp": client_timestamp,
        "thread_id": thread_id,
        "reply_to_id": reply_to_id,
        "context_ref": None if context is None else context.ref,
        "context_data": None if context is None else context.data,
        "context_signed": None if context is None else context.signed,
    }
    stored = await store_for(db).send(db, message, receivers, alone=alone, log_sender=log_sender)
    metrics.MESSAGES_SENT.inc()
    reached = set(stored.reached)
    why = "withheld" if stored.shadow_banned else "blocked"
    view = MessageView(
        id=stored.message_id,
        sender=sender.username,
        receivers=stored.names,
        subject=subject,
        body=text,
        created_at=now,
        client_timestamp=client_timestamp,
        thread_id=stored.thread_id,
        reply_to_id=reply_to_id,
        is_receiver=sender.id in reached,
        read_at=None,
        context=context,
        sender_display_name=sender.display_name,
        receiver_display_names={
            name: shown
            for name, shown in zip(stored.names, stored.display_names, strict=True)
            if shown is not None
        },
        withheld={
            name: why
            for name, receiver_id in zip(stored.names, stored.receiver_ids, strict=True)
            if receiver_id not in reached
        },
    )
    created = [
        *(message_created(receiver_id, view, "inbox") for receiver_id in stored.reached),
        *([message_created(sender.id, view, "sent")] if log_sender else []),
    ]
    changes.recorded(db, created, stored.heads)  # the store wrote their entries
    return view


class Viewer(Protocol):
    """Whose mailbox a listing reads: an Account, or a mailbox the server API reads
    (audit.service.Mailbox)."""

    @property
    def id(self) -> int: ...


async def _search(
    db: Reader,
    box: Box,
    viewer: Viewer,
    unread: bool | None,
    below_id: int | None,
    offset: int,
    rows: int,
    filters: MessageFilter,
    thread_unread: bool,
    params: dict[str, Any],
    retained: bool,
) -> list[Any]:
    """A search's page (`rows` rows after `offset`). The box's newest SEARCH_WINDOW
    messages are tested one by one; only if they do not fill the page is the rest looked
    up in the full-text index, below them, by a second statement. So a search in a box
    that holds no more costs the same whatever everyone else's mail holds (search.py)."""
    wanted = offset + rows
    # The window: the box's SEARCH_WINDOW newest messages, a set of its own so that no
    # planner walks further (PostgreSQL merged a bare id range with message's primary
    # key: every message tested). Its end: the last of them, NULL if the box holds fewer.
    newest = box_page(
        box, viewer.id, unread, below_id, 0, SEARCH_WINDOW, None, ids_only=True, retained=retained
    )
    end = box_page(
        box,
        viewer.id,
        unread,
        below_id,
        SEARCH_WINDOW - 1,
        1,
        None,
        ids_only=True,
        retained=retained,
    )
    window_end = end.scalar_subquery()
    window = replace(filters, match_by="rows", window=newest)
    page = box_page(box, viewer.id, unread, below_id, 0, wanted, window, retained=retained)
    listed = (with_thread_unread(page, retained=retained) if thread_unread else page).subquery()
    # One row at least, so that an empty page still tells where its window ended.
    one = select(literal_column("1").label("one")).subquery()
    query = select(listed, window_end.label("window_end")).select_from(
        one.outerjoin(listed, true())
    )
    # Without the page's offset: `end` skips SEARCH_WINDOW - 1 rows by its own.
    window_params = {name: value for name, value in params.items() if name != "page_offset"}
    found = list((await db.execute(query, window_params)).all())
    split = found[0].window_end
    found = [row for row in found if row.id is not None]
    if split is not None and len(found) < wanted:
        rest = replace(filters, match_by="index", split=split)
        page = box_page(
            box, viewer.id, unread, below_id, 0, wanted - len(found), rest, retained=retained
        )
        query = with_thread_unread(page, retained=retained) if thread_unread else page
        found += (await db.execute(query, window_params)).all()
    return sorted(found, key=lambda row: row.id, reverse=True)[offset:]


async def list_messages(
    db: Reader,
    *,
    viewer: Viewer,
    box: Box,
    unread: bool | None,
    below_id: int | None,
    offset: int,
    limit: int,
    filters: MessageFilter | None = None,
    thread_unread: bool = False,
) -> tuple[list[MessageView], bool]:
    """A page of a mailbox, newest first, and whether more follow. Keyset (`below_id`)
    pages cost the same at any depth; `offset` is kept for seed B's page numbers.
    With `thread_unread`, each view carries its thread's unread count, counted in the
    page's own statement."""
    if filters is not None and filters.matches_nothing:
        return [], False
    params: dict[str, Any] = {"viewer_id": viewer.id, "page_offset": offset}
    if below_id is not None:
        params["below_id"] = below_id
    retained = expiry.with_cutoff(db, params)
    if filters is None or filters.is_empty:
        shape = PageShape(
            box,
            unread,
            keyset=below_id is not None,
            numbered=offset > 0,
            limit=limit + 1,
            thread_unread=thread_unread,
            retained=retained,
        )
        found = await unfiltered_page(shape).all(db, params)
    elif filters.tests_rows:
        found = await _search(
            db,
            box,
            viewer,
            unread,
            below_id,
            offset,
            limit + 1,
            filters,
            thread_unread,
            params,
            retained,
        )
    else:
        query = box_page(
            box, viewer.id, unread, below_id, offset, limit + 1, filters, retained=retained
        )
        if thread_unread:
            query = with_thread_unread(query, retained=retained)
        found = (await db.execute(query, params)).all()
    # The page's few rows are ordered here: an outer ORDER BY would make SQLite sort again.
    rows = sorted(found, key=lambda row: row.id, reverse=True)
    received = box != "sent"
    views = [
        view_of(
            row,
            is_receiver=received,
            read_at=row.read_at if received else None,
            thread_unread=row.thread_unread if thread_unread else None,
        )
        for row in rows[:limit]
    ]
    return views, len(rows) > limit


# The message if the viewer may see it: a live delivery to them, or theirs as sender and
# not deleted (and, RETAINED, not hidden by retention).
_VISIBLE = (
    select(*VIEW_COLUMNS, Delivery.receiver_id, Delivery.read_at)
    .join(User, User.id == Message.sender_id)
    .outerjoin(
        Delivery,
        and_(
            Delivery.message_id == Message.id,
            Delivery.receiver_id == bindparam("viewer_id"),
            Delivery.deleted_at.is_(None),
        ),
    )
    .where(
        Message.id == bindparam("message_id"),
        or_(
            Delivery.receiver_id.is_not(None),
            and_(
                Message.sender_id == bindparam("viewer_id"),
                Message.deleted_by_sender_at.is_(None),
            ),
        ),
    )
)
VISIBLE = DirectQuery(_VISIBLE)
VISIBLE_RETAINED = DirectQuery(_VISIBLE.where(expiry.kept()))


def not_found(message_id: int) -> MessageNotFound:
    return MessageNotFound(f"There is no message {message_id} in your mailbox.")


async def _find_visible(db: Reader, viewer: Account, message_id: int) -> MessageView | None:
    params: dict[str, Any] = {"viewer_id": viewer.id, "message_id": message_id}
    rows = await (VISIBLE_RETAINED if expiry.with_cutoff(db, params) else VISIBLE).all(db, params)
    if not rows:
        return None
    row = rows[0]
    return view_of(row, is_receiver=row.receiver_id is not None, read_at=row.read_at)


async def find_message(db: Reader, *, viewer: Account, message_id: int) -> MessageView:
    """One message, as it is; raises MessageNotFound for a message that does not exist and
    for one that is not the viewer's alike."""
    view = await _find_visible(db, viewer, message_id)
    if view is None:
        raise not_found(message_id)
    return view


async def mark_opened(
    db: AsyncSession, *, viewer: Account, view: MessageView, alone: bool = False
) -> MessageView:
    """Mark read a message the viewer found unread in their inbox (`view`, from
    find_message): an entry point that found it on a read connection begins a write
    transaction only for this, and commits it (`alone`, as for send_message)."""
    return await _set_read(db, view, viewer, read=True, alone=alone)


async def mark_read(
    db: AsyncSession, *, viewer: Account, message_id: int, read: bool
) -> MessageView:
    """Set the viewer's read state; raises NotAReceiver for a message they only sent."""
    view = await find_message(db, viewer=viewer, message_id=message_id)
    if not view.is_receiver:
        raise NotAReceiver("Read state belongs to a message's receivers; you sent this one.")
    if view.read == read:
        return view
    return await _set_read(db, view, viewer, read=read)


async def _set_read(
    db: AsyncSession, view: MessageView, viewer: Account, *, read: bool, alone: bool = False
) -> MessageView:
    """Raises MessageNotFound when the message has left the inbox since it was found."""
    now = utcnow()
    read_at = now if read else None
    change = message_updated(viewer.id, view.id, read_at)
    heads = await store_for(db).set_read(
        db,
        message_id=view.id,
        viewer_id=viewer.id,
        read_at=read_at,
        entry=change,
        now=now,
        alone=alone,
    )
    if heads is None:
        raise not_found(view.id)
    changes.recorded(db, [change], heads)
    return replace(view, read_at=read_at)


def locking(deliveries: Select[int, int]) -> ColumnElement[bool]:
    """Deliveries among `deliveries` (receiver id, message id), locked in the lock order
    (module docstring) before a statement changes them; those that no longer match once
    their lock is free are left out."""
    ordered = deliveries.order_by(Delivery.message_id, Delivery.receiver_id)
    return tuple_(Delivery.receiver_id, Delivery.message_id).in_(
        ordered.with_for_update(key_share=True)  # FOR NO KEY UPDATE, as an UPDATE takes
    )


async def mark_many(
    db: AsyncSession, *, viewer: Account, ids: list[int] | None, read: bool
) -> tuple[list[int], list[int]]:
    """Mark the listed inbox messages (or, with ids None, the whole inbox) read or unread.
    Returns the ids whose state changed and the listed ids that are not in the inbox."""
    in_inbox = and_(Delivery.receiver_id == viewer.id, Delivery.deleted_at.is_(None))
    params: dict[str, Any] = {}
    if expiry.with_cutoff(db, params):  # what retention hides is not in the inbox
        in_inbox = and_(in_inbox, exists().where(Message.id == Delivery.message_id, expiry.kept()))
    needs_change = Delivery.read_at.is_(None) if read else Delivery.read_at.is_not(None)
    wanted = select(Delivery.receiver_id, Delivery.message_id).where(in_inbox, needs_change)
    read_at = utcnow() if read else None

    def marking(deliveries: Select[int, int]) -> ReturningUpdate[int]:
        return (
            update(Delivery)
            .where(Delivery.receiver_id == viewer.id, locking(deliveries))
            .values(read_at=read_at)
            .returning(Delivery.message_id)
        )

    if ids is None:
        everything = sorted((await db.scalars(marking(wanted), params)).all(), reverse=True)
        await _record_read_states(db, viewer, everything, read_at)
        return everything, []
    unique = list(dict.fromkeys(ids))
    found: set[int] = set(
        (
            await db.scalars(
                select(Delivery.message_id).where(in_inbox, Delivery.message_id.in_(unique)),
                params,
            )
        ).all()
    )
    listed = wanted.where(Delivery.message_id.in_(unique))
    changed = set((await db.scalars(marking(listed), params)).all())
    updated = [i for i in unique if i in changed]
    await _record_read_states(db, viewer, updated, read_at)
    return updated, [i for i in unique if i not in found]


async def _record_read_states(
    db: AsyncSession, viewer: Account, message_ids: list[int], read_at: datetime | None
) -> None:
    await changes.record(db, [message_updated(viewer.id, i, read_at) for i in message_ids])


async def delete_message(
    db: AsyncSession, *, viewer: Account, message_id: int
) -> Literal["everyone", "own"]:
    """Seed B's rule: the sender deletes for every receiver; a receiver deletes only from
    their own feed, into their trash (trash.py restores, purges, deletes for good).
    Raises MessageNotFound when the viewer cannot see the message, also when a
    concurrent delete took it first."""
    view = await _find_visible(db, viewer, message_id)
    if view is None:
        raise not_found(message_id)
    now = utcnow()
    if view.sender == viewer.username:
        if not await delete_for_everyone(db, sender_id=viewer.id, message_id=message_id):
            raise not_found(message_id)
        return "everyone"
    trashed = await db.scalar(
        update(Delivery)
        .where(
            Delivery.message_id == message_id,
            Delivery.receiver_id == viewer.id,
            Delivery.deleted_at.is_(None),
        )
        .values(deleted_at=now, trashed_at=now)  # to the trash: see trash.py
        .returning(Delivery.message_id)
    )
    if trashed is None:
        raise not_found(message_id)
    await changes.record(db, [message_deleted(viewer.id, message_id, "own")])
    return "own"


async def delete_for_everyone(db: AsyncSession, *, sender_id: int, message_id: int) -> bool:
    """The sender's delete for everyone (its sender's, or a moderator's acting on a
    report: safety/reports.py): every copy ends and each user's log says so. False when
    the message is not the sender's or is deleted for everyone already."""
    now = utcnow()
    deleted = await db.scalar(
        update(Message)
        .where(
            Message.id == message_id,
            Message.sender_id == sender_id,
            Message.deleted_by_sender_at.is_(None),
        )
        .values(deleted_by_sender_at=now)
        .returning(Message.id)
    )
    if deleted is None:
        return False
    # Every copy ends, in the inbox or in the trash: a tombstone, as a delete for
    # good leaves it; a restore waiting for the row finds nothing to restore.
    held = select(Delivery.receiver_id, Delivery.message_id).where(
        Delivery.message_id == message_id,
        or_(Delivery.deleted_at.is_(None), Delivery.trashed_at.is_not(None)),
    )
    receivers = (
        await db.scalars(
            update(Delivery)
            .where(Delivery.message_id == message_id, locking(held))
            .values(deleted_at=func.coalesce(Delivery.deleted_at, now), trashed_at=None)
            .returning(Delivery.receiver_id)
        )
    ).all()
    users = dict.fromkeys([sender_id, *receivers])  # each once, the sender first
    await changes.record(db, [message_deleted(u, message_id, "everyone") for u in users])
    return True


_UNREAD = (
    select(func.count().label("unread"))
    .select_from(Delivery)
    .where(
        Delivery.receiver_id == bindparam("viewer_id"),
        Delivery.deleted_at.is_(None),
        Delivery.read_at.is_(None),
    )
)
_COUNT_UNREAD = DirectQuery(_UNREAD)
_COUNT_UNREAD_RETAINED = DirectQuery(
    _UNREAD.join(Message, Message.id == Delivery.message_id).where(expiry.kept())
)


async def count_unread(db: Reader, *, viewer: Account) -> int:
    """Unread messages in the inbox; counts over the unread index only, not the mailbox
    (with retention, each unread message's row is read too: its age)."""
    params: dict[str, Any] = {"viewer_id": viewer.id}
    count = _COUNT_UNREAD_RETAINED if expiry.with_cutoff(db, params) else _COUNT_UNREAD
    (row,) = await count.all(db, params)
    return int(row.unread)
