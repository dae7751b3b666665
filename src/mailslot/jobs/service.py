"""Jobs: long work a request starts and any instance finishes (a webhook replay).

A job is a sequence of steps, each one transaction that does a batch of the work and
records how far it got (`done`, and in `params` whatever the kind needs to resume). An
instance holds a job by its lease (`claimed_until`): it renews the lease in every step's
transaction, and only while the lease is still the one it set, so two instances never run
a job at once; a step whose instance dies rolls back whole, and once the lease ends
another instance claims the job and continues from the last committed step.

`JobRunner` is the loop of one serving process (app.py starts it in every instance);
a kind's work is a `Step` it is given, so this module knows no kind.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot import metrics
from mailslot.db.base import utcnow
from mailslot.errors import JobNotFound
from mailslot.jobs.models import Job

log = logging.getLogger("mailslot.jobs")

# One step of a job: do a batch in the session (no commit), update job.done, job.total
# and job.params as needed, and say whether the job is finished.
Step = Callable[[AsyncSession, Job], Awaitable[bool]]

LEASE = timedelta(seconds=60)  # a step takes well under a second (batches of hundreds)
POLL_INTERVAL = 5.0  # seconds; a job started here wakes this instance's runner at once


class JobFailed(Exception):
    """A step's refusal to go on; its message is the job's `error`, for the API."""


def new_job_id() -> str:
    return "job_" + secrets.token_hex(12)


async def create_job(
    db: AsyncSession, *, kind: str, params: dict[str, Any], held: datetime | None = None
) -> Job:
    """A queued job; with `held`, one already claimed by its creator until then, which
    runs it itself (run_claimed) unless it stops renewing the lease."""
    now = utcnow()
    job = Job(
        public_id=new_job_id(),
        kind=kind,
        status="queued" if held is None else "running",
        params=params,
        done=0,
        created_at=now,
        claimed_until=held,
        started_at=None if held is None else now,
    )
    db.add(job)
    await db.flush()
    return job


async def get_job(db: AsyncSession, public_id: str) -> Job:
    job = await db.scalar(select(Job).where(Job.public_id == public_id))
    if job is None:
        raise JobNotFound(f"No job has the id {public_id!r}.")
    return job


async def claim_job(
    db: AsyncSession, *, kinds: list[str], now: datetime, lease: timedelta = LEASE
) -> Job | None:
    """Take the oldest unfinished job of `kinds` whose lease is free (never claimed, or
    its instance stopped renewing): running, leased until now + `lease`. The update only
    applies if no other instance took it meanwhile (SKIP LOCKED on PostgreSQL; SQLite has
    one writer)."""
    candidate = await db.scalar(
        select(Job)
        .where(
            Job.kind.in_(kinds),
            Job.status.in_(("queued", "running")),
            or_(Job.claimed_until.is_(None), Job.claimed_until <= now),
        )
        .order_by(Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if candidate is None:
        return None
    taken = await db.execute(
        update(Job)
        .where(
            Job.id == candidate.id,
            or_(Job.claimed_until.is_(None), Job.claimed_until <= now),
        )
        .values(claimed_until=now + lease, status="running")
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    await db.refresh(candidate)
    if candidate.started_at is None:
        candidate.started_at = now
    return candidate


async def renew_lease(
    db: AsyncSession, job_id: int, *, held: datetime, now: datetime, lease: timedelta = LEASE
) -> Job | None:
    """Extend the lease this instance holds (until `held`); None when it is no longer
    ours (it ran out and another instance claimed the job)."""
    renewed = await db.execute(
        update(Job)
        .where(Job.id == job_id, Job.claimed_until == held, Job.status == "running")
        .values(claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = await db.get(Job, job_id, populate_existing=True)
    return job


async def purge_finished_jobs(db: AsyncSession, *, finished_before: datetime, limit: int) -> int:
    """Delete up to `limit` jobs that finished before `finished_before`; how many."""
    old = (
        select(Job.id)
        .where(Job.finished_at.is_not(None), Job.finished_at < finished_before)
        .limit(limit)
    )
    deleted = await db.execute(
        delete(Job)
        .where(Job.id.in_(old.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(deleted.rowcount)  # type: ignore[attr-defined]


def finish(job: Job, *, now: datetime, error: str | None = None) -> None:
    job.status = "failed" if error else "succeeded"
    job.error = error[:500] if error else None
    job.finished_at = now
    job.claimed_until = None


class JobRunner:
    """Runs the jobs of the kinds it is given, one at a time, in one serving process."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        steps: Mapping[str, Step],
        *,
        poll_interval: float = POLL_INTERVAL,
        lease: timedelta = LEASE,
    ) -> None:
        self.session_factory = session_factory
        self.steps = dict(steps)
        self.poll_interval = poll_interval
        self.lease = lease
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for jobs now (a job was just committed here), not at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()  # before looking: a job committed meanwhile wakes the wait
            try:
                with metrics.job_run("jobs"):
                    await self.run_pending()
            except Exception:  # the database may be down: try again next time
                log.exception("running jobs failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def run_pending(self) -> int:
        """Run every job that can be claimed, to its end; how many were run."""
        ran = 0
        while await self.run_one():
            ran += 1
        return ran

    async def run_one(self) -> bool:
        """Claim one job and run it until it ends or its lease is lost; False if none."""
        async with self.session_factory() as db:
            now = utcnow()
            job = await claim_job(db, kinds=list(self.steps), now=now, lease=self.lease)
            if job is None:
                return False
            job_id, public_id, kind = job.id, job.public_id, job.kind
            await db.commit()
        log.info("job %s (%s) claimed", public_id, kind)
        await run_claimed(
            self.session_factory, job_id, self.steps[kind], held=now + self.lease, lease=self.lease
        )
        return True


async def run_claimed(
    session_factory: async_sessionmaker[AsyncSession],
    job_id: int,
    step: Step,
    *,
    held: datetime,
    lease: timedelta = LEASE,
    after_step: Callable[[Job], None] | None = None,
) -> Job | None:
    """Run a job this process holds (its lease ends at `held`) until it ends or the
    lease is lost, one step per transaction; `after_step` sees the job after each
    committed step. The job as it ended, or None when another instance took it over."""
    while True:
        async with session_factory() as db:
            now = utcnow()
            current = await renew_lease(db, job_id, held=held, now=now, lease=lease)
            if current is None:
                log.warning("job %s: lease lost, left to another instance", job_id)
                return None
            held = now + lease
            public_id = current.public_id
            try:
                finished = await step(db, current)
            except JobFailed as refusal:
                await db.rollback()
                return await _fail(session_factory, job_id, str(refusal))
            except DBAPIError:
                raise  # the database is down or lost: the lease runs out, it is retried
            except Exception:
                await db.rollback()
                log.exception("job %s failed", public_id)
                return await _fail(session_factory, job_id, "An internal error ended the job.")
            if finished:
                finish(current, now=utcnow())
            await db.commit()
            if after_step is not None:
                after_step(current)
        if finished:
            log.info("job %s succeeded", public_id)
            return current


async def _fail(
    session_factory: async_sessionmaker[AsyncSession], job_id: int, error: str
) -> Job | None:
    async with session_factory() as db:
        job = await db.get(Job, job_id)
        if job is not None:
            finish(job, now=utcnow(), error=error)
            await db.commit()
        return job
