"""Starting, listing and serving exports, their download links, and their removal.
Callers own the transaction.

A download link is signed, not stored: `/exports/{id}/archive?expires=&signature=`, the
signature an HMAC-SHA256 of the export's id and the link's expiry (the archive's) under
a key derived from MAILSLOT_SECRET_KEY, which every instance shares. So any instance
checks a link without the bearer header (a browser follows it) and without a look-up;
the link dies with the archive. The archive is served from the database (ExportChunk),
a few pieces per statement on a read connection that is given back between them: no
connection waits on a slow client, and the instance that serves it need not be the
one that built it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from mailslot.accounts.models import User
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import ExportExpired, ExportNotFound, InvalidDownloadLink, TooManyRequests
from mailslot.exports.archive import ZipFile, layout
from mailslot.exports.builder import KIND, pieces
from mailslot.exports.models import Export, ExportChunk
from mailslot.jobs import service as jobs
from mailslot.jobs.models import Job

MAX_LISTED = 50
PIECES_PER_READ = 8  # pieces of a file sent per statement while serving an archive
KEEP_UNFINISHED = timedelta(days=7)  # an export that never finished (failed) is kept so long


@dataclass(frozen=True, slots=True)
class ExportView:
    """An export with its job's state, as its readers need it."""

    id: int
    public_id: str
    user_id: int
    created_at: datetime
    expires_at: datetime | None
    size: int | None
    files: list[dict[str, Any]] | None
    status: str  # the job's
    done: int
    total: int | None


def view_of(export: Export, job: Job) -> ExportView:
    return ExportView(
        export.id,
        export.public_id,
        export.user_id,
        export.created_at,
        export.expires_at,
        export.size,
        export.files,
        job.status,
        job.done,
        job.total,
    )


_VIEW = select(
    Export.id,
    Export.public_id,
    Export.user_id,
    Export.created_at,
    Export.expires_at,
    Export.size,
    Export.files,
    Job.status,
    Job.done,
    Job.total,
).join(Job, Job.id == Export.job_id)


def new_export_id() -> str:
    return "exp_" + secrets.token_hex(12)


async def start_export(
    db: AsyncSession,
    *,
    user_id: int,
    origin: str,
    interval: timedelta | None = None,
    held: datetime | None = None,
) -> tuple[Export, Job]:
    """Queue an export of the user's mailbox (`held`: claimed by the caller, who builds
    it). With `interval`, a user's own exports: TooManyRequests (429, `Retry-After`)
    while their last one that did not fail is younger than that. The user's row is
    locked first, so two requests at once cannot both pass the check."""
    now = utcnow()
    if interval:
        await db.execute(select(User.id).where(User.id == user_id).with_for_update())
        last = await db.scalar(
            select(func.max(Export.created_at))
            .join(Job, Job.id == Export.job_id)
            .where(Export.user_id == user_id, Export.origin == origin, Job.status != "failed")
        )
        if last is not None and (wait := last + interval - now) > timedelta(0):
            seconds = math.ceil(wait.total_seconds())
            raise TooManyRequests(
                f"One export per {_duration(interval)}: the next can start in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )
    public_id = new_export_id()
    job = await jobs.create_job(db, kind=KIND, params={"export_id": public_id}, held=held)
    export = Export(
        public_id=public_id, user_id=user_id, job_id=job.id, origin=origin, created_at=now
    )
    db.add(export)
    await db.flush()
    return export, job


def _duration(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{seconds} s"


async def list_exports(db: Reader, *, user_id: int, origin: str) -> list[ExportView]:
    """The user's exports of that origin, newest first (MAX_LISTED at most)."""
    rows = await db.execute(
        _VIEW.where(Export.user_id == user_id, Export.origin == origin)
        .order_by(Export.id.desc())
        .limit(MAX_LISTED)
    )
    return [ExportView(*row) for row in rows]


async def get_export(
    db: Reader,
    *,
    public_id: str,
    origin: str,
    user_id: int | None = None,
    external_id: str | None = None,
) -> ExportView:
    """The export of that id and origin, if it is the user's (by id, or by the host's id
    for them); raises ExportNotFound alike for one that does not exist and one that is
    another's."""
    query = _VIEW.where(Export.public_id == public_id, Export.origin == origin)
    if user_id is not None:
        query = query.where(Export.user_id == user_id)
    if external_id is not None:
        query = query.join(User, User.id == Export.user_id).where(User.external_id == external_id)
    row = (await db.execute(query)).one_or_none()
    if row is None:
        raise ExportNotFound(f"There is no export {public_id!r} of yours.")
    return ExportView(*row)


def link_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"mailslot export link v1", hashlib.sha256).digest()


def _signature(key: bytes, public_id: str, expires: int) -> str:
    mac = hmac.new(key, f"{public_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def download_url(key: bytes, export: Export | ExportView, *, now: datetime) -> str | None:
    """The archive's download link while it lasts, relative to the API's root; None
    before it is sealed and once it has expired."""
    if export.expires_at is None or export.expires_at <= now:
        return None
    expires = int(export.expires_at.timestamp())
    signature = _signature(key, export.public_id, expires)
    return f"/exports/{export.public_id}/archive?expires={expires}&signature={signature}"


def check_link(key: bytes, public_id: str, expires: int, signature: str, *, now: datetime) -> None:
    """Raises InvalidDownloadLink (403) for a link this service did not sign, and
    ExportExpired (410) for one past its expiry."""
    if not hmac.compare_digest(signature.encode(), _signature(key, public_id, expires).encode()):
        raise InvalidDownloadLink("This download link is not valid: copy it again from the export.")
    if expires <= now.timestamp():
        raise ExportExpired("This download link has expired: start a new export.")


async def find_archive(db: Reader, *, public_id: str, expires: int, now: datetime) -> ExportView:
    """The sealed export a checked link names; ExportExpired once it is removed or past
    its expiry."""
    row = (await db.execute(_VIEW.where(Export.public_id == public_id))).one_or_none()
    export = None if row is None else ExportView(*row)
    if (
        export is None
        or export.files is None
        or export.expires_at is None
        or int(export.expires_at.timestamp()) != expires
        or export.expires_at <= now
    ):
        raise ExportExpired("This export's archive was removed: start a new export.")
    return export


def zip_files(export: Export | ExportView) -> list[ZipFile]:
    return [ZipFile(**file) for file in export.files or []]


def archive_name(username: str, export: ExportView) -> str:
    return f"mailslot-{username}-{export.created_at:%Y%m%d-%H%M%S}.zip"


async def archive_bytes(engine: AsyncEngine, export: Export | ExportView) -> AsyncIterator[bytes]:
    """The sealed archive, piece by piece (export.size bytes in all)."""
    for index, part in layout(zip_files(export), export.created_at):
        if index is None:
            yield part
            continue
        after = -1
        while True:
            async with engine.connect() as db:
                rows = (await db.execute(pieces(export.id, index, after, PIECES_PER_READ))).all()
            for row in rows:
                yield row.data
                after = row.seq
            if len(rows) < PIECES_PER_READ:
                break


async def delete_export(db: AsyncSession, export_id: int) -> None:
    await db.execute(delete(Export).where(Export.id == export_id))


async def remove_expired(db: AsyncSession, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` exports past their expiry, or unfinished for KEEP_UNFINISHED,
    with their archives; how many."""
    expired = (
        select(Export.id)
        .where(
            or_(
                Export.expires_at < now,
                and_(Export.expires_at.is_(None), Export.created_at < now - KEEP_UNFINISHED),
            )
        )
        .limit(limit)
    )
    return await _delete(db, list((await db.scalars(expired)).all()))


async def delete_user_exports(db: AsyncSession, user_id: int) -> int:
    """Delete every export of a user, finished or not, with its archive (an erasure's);
    how many."""
    return await _delete(
        db, list((await db.scalars(select(Export.id).where(Export.user_id == user_id))).all())
    )


async def _delete(db: AsyncSession, ids: list[int]) -> int:
    if ids:
        await db.execute(delete(ExportChunk).where(ExportChunk.export_id.in_(ids)))
        await db.execute(delete(Export).where(Export.id.in_(ids)))
    return len(ids)
