"""An operator's export (`mailslot user export`): the same job and archive as a user's,
built in the command's own process and written to a file, then removed from the
database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mailslot.db.base import utcnow
from mailslot.exports import service
from mailslot.exports.builder import export_step
from mailslot.exports.models import Export
from mailslot.jobs import service as jobs

# The archive only lives while the command writes it out.
TTL = timedelta(hours=1)


class ExportFailed(Exception):
    """The export's job failed (its error), or another instance took it over."""


async def export_mailbox(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    user_id: int,
    write: Callable[[bytes], object],
    progress: Callable[[int], None],
) -> int:
    """Build the user's archive here (a job this process holds, so no serving instance
    runs it), hand it to `write` piece by piece, then delete it. `progress` is told the
    messages written so far after each step. Returns the archive's size."""
    held = utcnow() + jobs.LEASE
    async with session_factory() as db:
        export, job = await service.start_export(db, user_id=user_id, origin="admin", held=held)
        await db.commit()
    try:
        ended = await jobs.run_claimed(
            session_factory,
            job.id,
            export_step(TTL, operator=True),
            held=held,
            after_step=lambda current: progress(current.done),
        )
        if ended is None:
            raise ExportFailed("the job was taken over by another instance")
        if ended.status == "failed":
            raise ExportFailed(ended.error or "the job failed")
        async with session_factory() as db:
            sealed = await db.get(Export, export.id)
        if sealed is None or sealed.size is None:
            raise ExportFailed("the export was removed before it was written out")
        async for part in service.archive_bytes(engine, sealed):
            write(part)
        return sealed.size
    finally:
        async with session_factory() as db:
            await service.delete_export(db, export.id)
            await db.commit()
