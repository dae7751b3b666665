"""The per-user change log: written in the transaction of each change, read by incremental
sync (`GET /users/{username}/changes`) and by live streams. Callers own the transaction."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    false,
    not_,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot import metrics
from mailslot.accounts.models import User
from mailslot.bus.events import ChangePage, Event, publish_on_commit
from mailslot.db.base import utcnow
from mailslot.errors import ResyncRequired
from mailslot.messages import expiry
from mailslot.messages.events import NewChange, message_data, message_deleted
from mailslot.messages.models import Change, Delivery, Message
from mailslot.messages.store import store_for
from mailslot.messages.views import VIEW_COLUMNS, view_of

log = logging.getLogger("mailslot.changes")

HEADS_CHUNK = 500


async def record(db: AsyncSession, changes: Sequence[NewChange]) -> list[Event]:
    """Append changes to their users' logs and publish them once the transaction commits.

    Two steps whatever the number of users: one UPDATE takes the next sequence numbers of
    every user involved, one INSERT writes the entries (one statement on PostgreSQL, two on
    SQLite). On PostgreSQL the UPDATE locks the users' rows (in id order, so two sends
    between the same users cannot deadlock) until commit; SQLite has one writer at a time.
    So sequence numbers are handed out, and become visible, in commit order. Call it last
    in a transaction: the locks are held from here to the commit, and they are the last
    step of the lock order (messages.service)."""
    if not changes:
        return []
    heads = await store_for(db).append(db, changes, utcnow())
    return recorded(db, changes, heads)


def recorded(db: AsyncSession, changes: Sequence[NewChange], heads: dict[int, int]) -> list[Event]:
    """The events of changes whose entries are written, numbered from their users' new
    newest sequence numbers (`heads`), published once the transaction commits. For a
    store method that appends entries itself (a send, a read state) and for `record`."""
    seq = dict(heads)
    for change in changes:
        seq[change.user_id] -= 1
    events = []
    for change in changes:
        seq[change.user_id] += 1
        events.append(Event(change.user_id, change.type, seq[change.user_id], change.data))
    publish_on_commit(db, events)
    return events


async def latest_seq(db: AsyncSession, user_id: int) -> int:
    return int(await db.scalar(select(User.last_change_seq).where(User.id == user_id)) or 0)


def _readable(entries: Any) -> ColumnElement[bool]:
    """Whether an entry's user can still read its message (joined with their delivery, if
    they have one) anywhere: in their sent box, inbox or trash. Its sender's delete for
    everyone and a receiver's delete for good (or the purge of their trash) are the only
    ways out, and each leaves this false, whichever path made it so: the log never serves
    their content."""
    return and_(
        Message.deleted_by_sender_at.is_(None),
        or_(
            Message.sender_id == entries.user_id,
            and_(Delivery.receiver_id.is_not(None), Delivery.deleted_at.is_(None)),
            Delivery.trashed_at.is_not(None),
        ),
    )


def with_entries(
    query: Select[*tuple[Any, ...]], *, retained: bool = False, entries: Any = Change
) -> Select[*tuple[Any, ...]]:
    """`query`, whose FROM holds `entries` (Change, or an alias of it), with what
    `entry_event` reads of each: the entry, and for a message.created the message
    (VIEW_COLUMNS) and whether the entry's user can still read it, outer-joined, so an
    entry whose message is gone, or a row without an entry, stays. `retained`: a message
    retention hides (expiry.kept, at `kept_after`) is not readable, and gone for everyone."""
    readable = _readable(entries)
    expired: ColumnElement[bool] = false()
    if retained:
        readable = and_(readable, expiry.kept())
        expired = and_(Message.id.is_not(None), not_(expiry.kept()))
    return (
        query.add_columns(
            entries.user_id.label("entry_user_id"),
            entries.seq,
            entries.type,
            entries.data,
            entries.message_id,
            Message.deleted_by_sender_at,
            readable.label("readable"),
            expired.label("expired"),
            *VIEW_COLUMNS,
        )
        .outerjoin(
            Message,
            and_(Message.id == entries.message_id, entries.type == "message.created"),
        )
        .outerjoin(User, User.id == Message.sender_id)
        .outerjoin(
            Delivery,
            and_(
                Delivery.message_id == entries.message_id,
                Delivery.receiver_id == entries.user_id,
                entries.type == "message.created",
            ),
        )
    )


def entry_event(row: Any) -> Event:
    """The event of an entry read through `with_entries`, as the log serves it: a
    message.created carries the message as its user sees it (message_data, its box and
    all); one whose message that user can no longer read is a message.deleted without
    content, so the log never serves a deleted message."""
    user_id = row.entry_user_id
    if row.type != "message.created":
        return Event(user_id, row.type, row.seq, row.data)
    if not row.readable:
        # Gone for this user: a deletion without content, and the sequence whole.
        everyone = row.id is None or row.deleted_by_sender_at is not None or row.expired
        gone = message_deleted(user_id, row.message_id, "everyone" if everyone else "own")
        return Event(user_id, gone.type, row.seq, gone.data)
    box, read_at = row.data["box"], row.data.get("read_at")
    view = view_of(
        row,
        is_receiver=box == "inbox",
        read_at=datetime.fromisoformat(read_at) if read_at else None,
    )
    return Event(user_id, row.type, row.seq, message_data(view, box))


async def list_changes(
    db: AsyncSession, *, user_id: int, since: int | None, limit: int
) -> ChangePage:
    """The user's changes after `since`, oldest first, and their newest sequence number.

    Sequence numbers have no holes, so a first entry other than `since + 1`, a hole within
    the page, or a `since` beyond the newest means the client's position is not in the
    log (pruned, or from another database): ResyncRequired, never a silent skip."""
    latest = await latest_seq(db, user_id)  # before the entries: they may only be newer
    if since is None or limit == 0:
        return ChangePage([], latest)
    if since > latest:
        raise ResyncRequired(
            f"Sequence {since} is beyond the newest change ({latest}); reload the mailbox."
        )
    params: dict[str, Any] = {}
    retained = expiry.with_cutoff(db, params)
    rows = (
        await db.execute(
            with_entries(select().select_from(Change), retained=retained)
            .where(Change.user_id == user_id, Change.seq > since)
            .order_by(Change.seq)
            .limit(limit),
            params,
        )
    ).all()
    events = []
    for expected, row in enumerate(rows, start=since + 1):
        if row.seq != expected:
            raise _gone(since)
        events.append(entry_event(row))
    if not rows and since < latest:
        raise _gone(since)
    return ChangePage(events, max(latest, rows[-1].seq if rows else 0))


def _gone(since: int) -> ResyncRequired:
    return ResyncRequired(
        f"The changes after sequence {since} are no longer all kept; reload the mailbox and "
        "continue from the newest sequence number."
    )


async def heads(db: AsyncSession, user_ids: Collection[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), HEADS_CHUNK):
        rows = await db.execute(
            select(User.id, User.last_change_seq).where(
                User.id.in_(ids[start : start + HEADS_CHUNK])
            )
        )
        found.update({row.id: row.last_change_seq for row in rows})
    return found


async def prune(db: AsyncSession, *, before: datetime) -> int:
    """Forget changes recorded before `before`; clients behind them must resync."""
    result = await db.execute(
        delete(Change)
        .where(Change.created_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


PRUNE_INTERVAL = 3600.0


async def prune_forever(
    sessions: async_sessionmaker[AsyncSession], *, days: int, interval: float = PRUNE_INTERVAL
) -> None:
    """Apply the retention (MAILSLOT_CHANGE_RETENTION_DAYS) now and every `interval`
    seconds; every instance may run it, deleting is idempotent."""
    while True:
        try:
            with metrics.job_run("prune"):
                async with sessions() as db:
                    removed = await prune(db, before=utcnow() - timedelta(days=days))
                    await db.commit()
            if removed:
                log.info("pruned %d change-log entries older than %d days", removed, days)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("pruning the change log failed: %s", exc)
        await anyio.sleep(interval)


class SessionChangeLog:
    """The change log for streams and brokers: every read in a short session of its own,
    so an idle stream holds no database connection."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def read(self, user_id: int, *, since: int | None, limit: int) -> ChangePage:
        async with self._sessions() as db:
            return await list_changes(db, user_id=user_id, since=since, limit=limit)

    async def heads(self, user_ids: Collection[int]) -> dict[int, int]:
        async with self._sessions() as db:
            return await heads(db, user_ids)
