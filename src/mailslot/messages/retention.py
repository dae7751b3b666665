"""Retention: deleting the messages older than MAILSLOT_RETENTION_DAYS, in batches, on one
instance at a time; legal holds, which keep a user's mail; and what `retention status`
reports. Reads hide those messages before this deletes them (expiry.py).

One run fixes its cutoff (now less the period) and deletes, oldest first, the messages
created before it that `expiry.held` does not keep, `batch_size` at a time. Each batch is
one transaction, which:
1. takes the batch's message rows (SKIP LOCKED on PostgreSQL: a message whose sender is
   deleting it right now is left for the next run), then their delivery rows in the lock
   order of messages.service (message id, receiver id), so that it never deadlocks with a
   receiver's mark or delete;
2. deletes the messages (their deliveries and idempotency keys go with them; the search
   index follows: SQLite's triggers, PostgreSQL's generated column);
3. appends `message.deleted` (scope `everyone`) to the change log of the sender (unless
   they had deleted it already) and of each receiver who still held a copy, in their inbox
   or their trash: live streams, the changes feed and webhooks hear of it as of any delete;
4. renews the run's lease (`retention_run`, one row), last: a batch done under a lease
   another instance has taken since is rolled back whole, and the run stops there.
Between batches the run waits in proportion to the batch's own time (`pause`).

The lease is a row, not an advisory lock: a session-level lock would stay on whichever
server connection PgBouncer (transaction mode) lent that statement, and a transaction-level
one would not span the run. Callers own nothing here: each function that takes a session
factory commits its own transactions.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, Select, delete, func, not_, or_, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot import metrics
from mailslot.accounts.models import User
from mailslot.accounts.system import SYSTEM_KEY
from mailslot.db.base import utcnow
from mailslot.messages import changes
from mailslot.messages.events import message_deleted
from mailslot.messages.expiry import cutoff_of, held
from mailslot.messages.models import Delivery, LegalHold, Message, RetentionRun
from mailslot.messages.store import store_for

log = logging.getLogger("mailslot.retention")

LEASE = timedelta(seconds=60)  # a batch takes well under a second; renewed by each one
RUN_ID = 1
# A batch that fails on a transient database error (a deadlock the database broke, a
# lost connection) is tried again this many times before the run gives up.
BATCH_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Hold:
    username: str
    held_at: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class LastRun:
    started_at: datetime | None
    finished_at: datetime | None
    deleted: int
    cutoff: datetime | None
    error: str | None
    running: bool  # its lease is held now (by this or another instance)


@dataclass(frozen=True, slots=True)
class Status:
    days: int  # 0: retention off
    cutoff: datetime | None
    due: int  # messages a run would delete now
    oldest_kept: datetime | None  # the oldest message still stored (held or not yet due)
    last_run: LastRun
    holds: list[Hold]


@dataclass(slots=True)
class Outcome:
    """What a run did (or, `dry_run`, would do): `ran` is False when another instance
    held the lease, and nothing was done."""

    cutoff: datetime
    dry_run: bool
    ran: bool = True
    deleted: int = 0
    batches: int = 0
    notified: int = 0  # change-log entries (message.deleted) appended
    errors: list[str] = field(default_factory=list)


def new_holder() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


def _due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Message.created_at < cutoff, not_(held()))


async def count_due(db: AsyncSession, *, cutoff: datetime) -> int:
    """Messages created before `cutoff` that no legal hold keeps: what a run deletes."""
    return int(await db.scalar(select(func.count()).select_from(Message).where(*_due(cutoff))) or 0)


async def status(db: AsyncSession, *, days: int, now: datetime | None = None) -> Status:
    now = now or utcnow()
    cutoff = cutoff_of(days, now) if days else None
    due = await count_due(db, cutoff=cutoff) if cutoff is not None else 0
    oldest = await db.scalar(select(func.min(Message.created_at)))
    run = await _run_row(db)
    holds = await list_holds(db)
    return Status(
        days=days,
        cutoff=cutoff,
        due=due,
        oldest_kept=oldest,
        last_run=LastRun(
            started_at=run.started_at,
            finished_at=run.finished_at,
            deleted=run.deleted,
            cutoff=run.cutoff,
            error=run.error,
            running=run.claimed_until is not None and run.claimed_until > now,
        ),
        holds=holds,
    )


async def _run_row(db: AsyncSession) -> RetentionRun:
    """The job's row, made if the schema came without it (it is the migration's)."""
    insert = store_for(db).insert
    await db.execute(insert(RetentionRun).values(id=RUN_ID, deleted=0).on_conflict_do_nothing())
    run = await db.get(RetentionRun, RUN_ID, populate_existing=True)
    assert run is not None  # noqa: S101 (inserted just above)
    return run


async def claim(
    db: AsyncSession, *, holder: str, cutoff: datetime, now: datetime, lease: timedelta = LEASE
) -> bool:
    """Take the run's lease if it is free (never taken, released, or not renewed in time);
    False when another instance holds it. The caller commits."""
    await _run_row(db)
    taken = await db.execute(
        update(RetentionRun)
        .where(
            RetentionRun.id == RUN_ID,
            or_(RetentionRun.claimed_until.is_(None), RetentionRun.claimed_until <= now),
        )
        .values(
            holder=holder,
            claimed_until=now + lease,
            started_at=now,
            finished_at=None,
            deleted=0,
            cutoff=cutoff,
            error=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


async def renew(
    db: AsyncSession, *, holder: str, now: datetime, deleted: int = 0, lease: timedelta = LEASE
) -> bool:
    """Extend the lease `holder` holds, adding `deleted` to the run's count; False when it
    is no longer theirs. On PostgreSQL the row stays locked to the commit: a batch and the
    lease it was done under commit together."""
    renewed = await db.execute(
        update(RetentionRun)
        .where(RetentionRun.id == RUN_ID, RetentionRun.holder == holder)
        .values(claimed_until=now + lease, deleted=RetentionRun.deleted + deleted)
        .execution_options(synchronize_session=False)
    )
    return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]


async def release(db: AsyncSession, *, holder: str, error: str | None = None) -> None:
    await db.execute(
        update(RetentionRun)
        .where(RetentionRun.id == RUN_ID, RetentionRun.holder == holder)
        .values(
            holder=None,
            claimed_until=None,
            finished_at=utcnow(),
            error=None if error is None else error[:500],
        )
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class Batch:
    deleted: int
    notified: int
    # Where the next batch starts: after this (created_at, id), so that messages a hold
    # keeps, or that another transaction held, are passed over and not met again.
    after: tuple[datetime, int] | None


def due_batch(
    cutoff: datetime, limit: int, after: tuple[datetime, int] | None = None
) -> Select[int, datetime]:
    """A batch's messages, taken: up to `limit` due ones, oldest first, after `after`,
    over ix_message_created_at; one another transaction holds is passed over."""
    taken = (
        select(Message.id, Message.created_at)
        .where(*_due(cutoff))
        .order_by(Message.created_at, Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        taken = taken.where(tuple_(Message.created_at, Message.id) > tuple_(*after))
    return taken


async def delete_batch(
    db: AsyncSession,
    *,
    cutoff: datetime,
    limit: int,
    after: tuple[datetime, int] | None = None,
) -> Batch:
    """Delete up to `limit` due messages, oldest first, after `after`, and append their
    `message.deleted` entries; the caller commits (module docstring)."""
    rows = (await db.execute(due_batch(cutoff, limit, after))).all()
    if not rows:
        return Batch(0, 0, None)
    ids = [row.id for row in rows]
    # Deliveries in the lock order, held to the commit: who still had a copy.
    copies = (
        await db.execute(
            select(
                Delivery.receiver_id, Delivery.message_id, Delivery.deleted_at, Delivery.trashed_at
            )
            .where(Delivery.message_id.in_(ids))
            .order_by(Delivery.message_id, Delivery.receiver_id)
            .with_for_update()
        )
    ).all()
    senders = (
        await db.execute(
            select(Message.sender_id, Message.id)
            .join(User, User.id == Message.sender_id)
            .where(
                Message.id.in_(ids),
                Message.deleted_by_sender_at.is_(None),
                User.username_key != SYSTEM_KEY,  # the platform keeps no sent-box log
            )
        )
    ).all()
    deleted = await db.execute(
        delete(Message).where(Message.id.in_(ids)).execution_options(synchronize_session=False)
    )
    gone = [
        *(message_deleted(row.sender_id, row.id, "everyone") for row in senders),
        *(
            message_deleted(row.receiver_id, row.message_id, "everyone")
            for row in copies
            if row.deleted_at is None or row.trashed_at is not None
        ),
    ]
    await changes.record(db, gone)  # last: the users' counters (lock order)
    last = rows[-1]
    return Batch(int(deleted.rowcount), len(gone), (last.created_at, last.id))  # type: ignore[attr-defined]


async def run_retention(
    sessions: async_sessionmaker[AsyncSession],
    *,
    days: int,
    batch_size: int,
    dry_run: bool = False,
    now: datetime | None = None,
    holder: str | None = None,
    lease: timedelta = LEASE,
    on_batch: Callable[[Outcome], None] | None = None,
    pause: float = 0.0,
) -> Outcome:
    """One run (module docstring). `dry_run`: count what it would delete, take no lease,
    change nothing. `on_batch` hears of each committed batch (a progress display).
    `pause`: after each batch, wait `pause` times as long as the batch took
    (MAILSLOT_RETENTION_PAUSE), so that the run takes at most 1 / (1 + pause) of one
    database connection's time, and the requests served meanwhile keep the rest: the
    wait grows with the batch when the machine is busy."""
    if days <= 0:
        raise ValueError("retention is off (MAILSLOT_RETENTION_DAYS=0)")
    now = now or utcnow()
    outcome = Outcome(cutoff=cutoff_of(days, now), dry_run=dry_run)
    if dry_run:
        async with sessions() as db:
            outcome.deleted = await count_due(db, cutoff=outcome.cutoff)
        return outcome
    holder = holder or new_holder()
    async with sessions() as db:
        outcome.ran = await claim(db, holder=holder, cutoff=outcome.cutoff, now=now, lease=lease)
        await db.commit()
    if not outcome.ran:
        log.info("retention: another instance holds the run's lease")
        return outcome
    error = None
    try:
        await _batches(
            sessions,
            outcome,
            holder=holder,
            batch_size=batch_size,
            lease=lease,
            on_batch=on_batch,
            pause=pause,
        )
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        async with sessions() as db:
            await release(db, holder=holder, error=error)
            await db.commit()
    return outcome


async def _batches(
    sessions: async_sessionmaker[AsyncSession],
    outcome: Outcome,
    *,
    holder: str,
    batch_size: int,
    lease: timedelta,
    on_batch: Callable[[Outcome], None] | None,
    pause: float,
) -> None:
    after: tuple[datetime, int] | None = None
    attempts = 0
    while True:
        started = time.monotonic()
        try:
            async with sessions() as db:
                batch = await delete_batch(db, cutoff=outcome.cutoff, limit=batch_size, after=after)
                # The lease last: a batch done under a lease another instance took is
                # undone whole.
                if not await renew(
                    db, holder=holder, now=utcnow(), deleted=batch.deleted, lease=lease
                ):
                    await db.rollback()
                    outcome.errors.append("lease lost: another instance took the run over")
                    log.warning("retention: lease lost, left to another instance")
                    return
                await db.commit()
        except DBAPIError as exc:  # a deadlock broken, a lost connection: try again
            attempts += 1
            if attempts >= BATCH_ATTEMPTS:
                raise
            log.warning("retention: batch failed (%s), trying again", type(exc.orig).__name__)
            continue
        attempts = 0
        if batch.after is None:
            return
        after = batch.after
        outcome.batches += 1
        outcome.deleted += batch.deleted
        outcome.notified += batch.notified
        metrics.RETENTION_DELETED.inc(batch.deleted)
        if on_batch is not None:
            on_batch(outcome)
        if pause:  # give the serving load its share: see run_retention
            await asyncio.sleep((time.monotonic() - started) * pause)


# -- legal holds ----------------------------------------------------------------------------


class Named(Protocol):
    """A user as the callers have them: an Account, accounts.admin's UserRecord, ..."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


async def hold_user(db: AsyncSession, *, user: Named, note: str | None) -> tuple[Hold, bool]:
    """Put the user on legal hold (their mail is kept, whatever its age); holding them
    again keeps the first time and sets the note if one is given. Returns the hold and
    whether it is new."""
    insert = store_for(db).insert
    created = await db.scalar(
        insert(LegalHold)
        .values(user_id=user.id, held_at=utcnow(), note=note)
        .on_conflict_do_nothing()
        .returning(LegalHold.user_id)
    )
    if created is None and note is not None:
        await db.execute(update(LegalHold).where(LegalHold.user_id == user.id).values(note=note))
    row = await db.get(LegalHold, user.id, populate_existing=True)
    assert row is not None  # noqa: S101 (inserted or found just above)
    return Hold(user.username, row.held_at, row.note), created is not None


async def unhold_user(db: AsyncSession, *, user: Named) -> bool:
    """Lift the user's legal hold; False if there was none. Their mail older than the
    period is then hidden at once and deleted by the next run."""
    lifted = await db.execute(
        delete(LegalHold)
        .where(LegalHold.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    return bool(lifted.rowcount)  # type: ignore[attr-defined]


async def find_hold(db: AsyncSession, *, user: Named) -> Hold | None:
    row = await db.get(LegalHold, user.id, populate_existing=True)
    return None if row is None else Hold(user.username, row.held_at, row.note)


async def list_holds(db: AsyncSession) -> list[Hold]:
    rows = await db.execute(
        select(User.username, LegalHold.held_at, LegalHold.note)
        .join(User, User.id == LegalHold.user_id)
        .order_by(User.username_key)
    )
    return [Hold(row.username, row.held_at, row.note) for row in rows]


class Retainer:
    """The retention run of one serving process, every MAILSLOT_RETENTION_INTERVAL
    seconds; instances that find the lease taken skip that turn."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        days: int,
        interval: float,
        batch_size: int,
        pause: float = 0.0,
    ) -> None:
        self.sessions = sessions
        self.days = days
        self.interval = interval
        self.batch_size = batch_size
        self.pause = pause

    async def run(self) -> None:
        while True:
            try:
                with metrics.job_run("retention"):
                    outcome = await run_retention(
                        self.sessions,
                        days=self.days,
                        batch_size=self.batch_size,
                        pause=self.pause,
                    )
            except Exception:  # the database may be down: try again next time
                log.exception("retention run failed")
            else:
                if outcome.deleted:
                    log.info(
                        "retention: deleted %d messages older than %s in %d batches",
                        outcome.deleted,
                        outcome.cutoff.isoformat(),
                        outcome.batches,
                    )
            await asyncio.sleep(self.interval)
