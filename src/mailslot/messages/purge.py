"""Purging what has expired: trash past its retention (no longer restorable), idempotency
keys past 24 hours (erased), bearer tokens and stream tickets past their expiry (every
sign-in adds a token: without this the table only grows), and the webhook delivery log
past MAILSLOT_WEBHOOK_LOG_DAYS (webhooks/log.py says what is kept), with the jobs that
finished as long ago (replays of it), erased accounts' usernames once their hold ends, and
exports past their expiry, with their archives.

Two entry points run it, and own its transactions (one per batch, so a large purge never
holds SQLite's write lock or a PostgreSQL transaction for long):
- `mailslot purge`, for cron;
- a Purger task in every serving process, every MAILSLOT_PURGE_INTERVAL seconds
  (0 turns it off). Several instances purging at once only race to delete the same
  rows, which is harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot import metrics
from mailslot.accounts import service as accounts
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.exports import service as exports
from mailslot.jobs import service as jobs
from mailslot.messages import idempotency, trash
from mailslot.webhooks import log as webhook_log

log = logging.getLogger("mailslot.purge")

BATCH = 1000
EXPORT_BATCH = 10


@dataclass
class Purged:
    trash: int = 0
    idempotency_keys: int = 0
    tokens: int = 0
    stream_tickets: int = 0
    webhook_deliveries: int = 0
    webhook_events: int = 0
    jobs: int = 0
    username_holds: int = 0  # erased accounts' usernames free again (rights/erasure)
    exports: int = 0

    def __str__(self) -> str:
        return (
            f"{self.trash} trashed messages, {self.idempotency_keys} idempotency keys, "
            f"{self.tokens} expired tokens, {self.stream_tickets} expired stream tickets, "
            f"{self.webhook_deliveries} webhook deliveries, {self.webhook_events} "
            f"webhook events, {self.jobs} finished jobs, {self.username_holds} username holds "
            f"and {self.exports} expired exports"
        )


async def purge_expired(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    trash_retention: timedelta,
    webhook_log_retention: timedelta | None = None,
    now: datetime | None = None,
) -> Purged:
    """Purge trash older than `trash_retention`, idempotency keys past their 24 hours,
    expired tokens and stream tickets, and the webhook delivery log and the jobs finished
    longer ago than `webhook_log_retention` (if given)."""
    now = now or utcnow()

    async def trash_batch(db: AsyncSession) -> int:
        return await trash.purge_trash(db, trashed_before=now - trash_retention, limit=BATCH)

    async def keys_batch(db: AsyncSession) -> int:
        return await idempotency.purge_keys(db, now=now, limit=BATCH)

    async def tokens_batch(db: AsyncSession) -> int:
        return await accounts.purge_expired_tokens(db, now=now, limit=BATCH)

    async def tickets_batch(db: AsyncSession) -> int:
        return await accounts.purge_expired_stream_tickets(db, now=now, limit=BATCH)

    async def holds_batch(db: AsyncSession) -> int:
        return await accounts.purge_username_holds(db, now=now, limit=BATCH)

    async def exports_batch(db: AsyncSession) -> int:
        # Few rows, but each holds an archive: a small batch keeps the transaction short.
        return await exports.remove_expired(db, now=now, limit=EXPORT_BATCH)

    purged = Purged(
        trash=await _in_batches(session_factory, trash_batch),
        exports=await _in_batches(session_factory, exports_batch, size=EXPORT_BATCH),
        idempotency_keys=await _in_batches(session_factory, keys_batch),
        tokens=await _in_batches(session_factory, tokens_batch),
        stream_tickets=await _in_batches(session_factory, tickets_batch),
        username_holds=await _in_batches(session_factory, holds_batch),
    )
    if webhook_log_retention is not None:
        before = now - webhook_log_retention
        await _purge_webhook_log(session_factory, purged, before=before)

        async def jobs_batch(db: AsyncSession) -> int:
            return await jobs.purge_finished_jobs(db, finished_before=before, limit=BATCH)

        purged.jobs = await _in_batches(session_factory, jobs_batch)
    return purged


async def _purge_webhook_log(
    session_factory: async_sessionmaker[AsyncSession], purged: Purged, *, before: datetime
) -> None:
    # Batches walk the events by age: those kept (a delivery still pending) are passed
    # over, not met again by every batch.
    after = None
    while True:
        async with session_factory() as db:
            batch = await webhook_log.purge_log(db, before=before, after=after, limit=BATCH)
            await db.commit()
        purged.webhook_deliveries += batch.deliveries
        purged.webhook_events += batch.events
        if batch.after is None:
            return
        after = batch.after


async def _in_batches(
    session_factory: async_sessionmaker[AsyncSession],
    batch: Callable[[AsyncSession], Awaitable[int]],
    *,
    size: int = BATCH,
) -> int:
    total = 0
    while True:
        async with session_factory() as db:
            count = await batch(db)
            await db.commit()
        total += count
        if count < size:
            return total


class Purger:
    """The periodic purge of one serving process."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        self.session_factory = session_factory
        self.interval = settings.purge_interval
        self.retention = timedelta(days=settings.trash_retention_days)
        self.webhook_log_retention = timedelta(days=settings.webhook_log_days)
        self.runs = 0
        self._ran = asyncio.Event()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                with metrics.job_run("purge"):
                    purged = await purge_expired(
                        self.session_factory,
                        trash_retention=self.retention,
                        webhook_log_retention=self.webhook_log_retention,
                    )
            except Exception:  # the database may be down: try again next time
                log.exception("purge failed")
            else:
                if purged != Purged():
                    log.info("purged %s", purged)
            self.runs += 1
            self._ran.set()
            self._ran = asyncio.Event()

    async def next_run(self) -> None:
        """Wait until the next run has finished (for tests and operators' tools)."""
        await self._ran.wait()
