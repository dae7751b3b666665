"""Running an erasure to its end: the steps of service.py, one transaction per batch.

This is an entry point's part, as messages/purge.py's batches are: it commits. The route,
the server API, `mailslot user erase` and `mailslot restore` call it with a session of
their own once `begin_erasure` has committed; each batch's changes (and their live
events and webhook events) are visible as soon as it commits. An erasure interrupted
anywhere (a crash, a restart) is finished by calling `run_erasure` again on its entry:
`mailslot user erase` does so for an account whose entry is unfinished, `mailslot user
erasures --finish` for them all, and so does every `mailslot restore`
(rights/erasure/ledger.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db.base import utcnow
from mailslot.logs import audit
from mailslot.rights.erasure import service
from mailslot.rights.erasure.models import Erasure

log = logging.getLogger("mailslot.erasure")


async def run_erasure(
    db: AsyncSession,
    entry: Erasure,
    *,
    batch: int = service.BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> Erasure:
    """Run every remaining step of the erasure, committing after each batch, and return
    the finished entry. `on_batch(rows)` is told of each batch (a progress bar). Writes
    the audit record `user.erased` (internal id, mode, counts) once it is finished."""
    tick = on_batch or (lambda _rows: None)
    counts = {"received": 0, "sent_removed": 0, "sent_kept": 0, "changes": 0, "webhook_events": 0}
    # Step 1 again: an entry restored or resumed may have tokens issued before it began.
    revoked = await service.shut_account(db, entry.user_id, now=utcnow())
    counts["tokens"] = entry.counts.get("tokens", 0) + revoked  # begin_erasure's too
    counts["webhook_events"] = await service.erase_traces(db, entry)
    await db.commit()
    counts["received"] = await _batches(
        db, lambda: service.erase_received(db, entry, batch=batch), batch, tick
    )
    after = 0
    while True:
        sent = await service.erase_sent(db, entry, after=after, batch=batch)
        await db.commit()
        counts["sent_removed"] += sent.removed
        counts["sent_kept"] += sent.kept
        after = sent.last_id
        tick(sent.seen)
        if sent.seen < batch:
            break
    counts["changes"] = await _batches(
        db, lambda: service.erase_log(db, entry, batch=batch), batch, tick
    )
    await service.finish_erasure(db, entry, counts)
    await db.commit()
    audit(
        "user.erased",
        user_id=entry.user_id,
        erasure_id=entry.id,
        mode=entry.mode,
        **{f"count_{name}": n for name, n in counts.items()},
    )
    return entry


async def _batches(
    db: AsyncSession, step: Callable[[], Awaitable[int]], batch: int, tick: Callable[[int], None]
) -> int:
    """Run `step` (one batch, returning its rows), committing each, until one is short."""
    total = 0
    while True:
        done = await step()
        await db.commit()
        total += done
        tick(done)
        if done < batch:
            return total


async def finish_interrupted(db: AsyncSession) -> int:
    """Run every unfinished erasure of the ledger to its end (`mailslot user erasures
    --finish`); returns how many."""
    unfinished = (
        await db.scalars(select(Erasure).where(Erasure.finished_at.is_(None)).order_by(Erasure.id))
    ).all()
    for entry in unfinished:
        await run_erasure(db, entry)
    return len(unfinished)
