"""Building an export's archive: a job (jobs.service) whose steps write it into the
database, a piece at a time, so that any instance can finish it and serve it.

The steps, each one transaction that records how far it got in the job's params:
1. each box in turn (inbox, sent, trash), a page of PAGE messages per step, newest
   first below `_below`, exactly as the list API pages it (messages.service.list_messages,
   MessageRead): one compressed piece of the box's `.jsonl` and one of its `.mbox`;
2. each of those files, one per step: its SHA-256, read back from its pieces (a hash's
   state cannot be carried from one step, or instance, to the next; re-reading costs
   well under a second per 10^5 messages);
3. the seal: `profile.json` and `manifest.json`, the archive's layout (`Export.files`),
   size and expiry.
The first step fixes the ceiling: the export holds the messages sent before it started,
so that mail arriving meanwhile does not move the pages under it. Memory is one page,
whatever the mailbox's size (bench/export.py).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot import __version__
from mailslot.accounts import service as accounts
from mailslot.accounts.schemas import UserRead
from mailslot.db.base import utcnow
from mailslot.exports import mbox
from mailslot.exports.archive import FINAL_BLOCK, ZipFile, archive_size, compress_piece, fits
from mailslot.exports.models import Export, ExportChunk
from mailslot.jobs.models import Job
from mailslot.jobs.service import JobFailed
from mailslot.messages import service as messages
from mailslot.messages.counts import count_mail
from mailslot.messages.models import Message
from mailslot.messages.schemas import MessageRead
from mailslot.messages.views import Box

KIND = "mailbox.export"
FORMAT_VERSION = 1
PAGE = 200  # messages per step: at most 200 x 64 KiB of bodies in memory at once
HASH_PAGE = 16  # pieces read back per statement while hashing

# The archive's files, in the zip's order; each box has a .jsonl and a .mbox.
MANIFEST, PROFILE = "manifest.json", "profile.json"
BOXES: tuple[tuple[Box, str], ...] = (("inbox", "received"), ("sent", "sent"), ("trash", "trash"))
FILES = (
    MANIFEST,
    PROFILE,
    *(f"{name}.{suffix}" for _, name in BOXES for suffix in ("jsonl", "mbox")),
)


@dataclass(frozen=True, slots=True)
class _Owner:
    """Whose mailbox is exported (a messages.service.Viewer)."""

    id: int


def _jsonl(box: int) -> int:
    return 2 + 2 * box


def _new_file() -> dict[str, Any]:
    return {"crc": 0, "size": 0, "stored": 0, "pieces": 0, "count": 0, "sha256": None}


async def _append(
    db: AsyncSession, export_id: int, files: list[dict[str, Any]], index: int, data: bytes
) -> None:
    """Add `data` to file `index` as one compressed piece."""
    if not data:
        return
    file = files[index]
    piece = compress_piece(data)
    await db.execute(
        insert(ExportChunk).values(export_id=export_id, file=index, seq=file["pieces"], data=piece)
    )
    file["crc"] = zlib.crc32(data, file["crc"])
    file["size"] += len(data)
    file["stored"] += len(piece)
    file["pieces"] += 1


def pieces(export_id: int, index: int, after: int, limit: int) -> Select[int, bytes]:
    """The next `limit` pieces of file `index` after piece `after`, in order."""
    return (
        select(ExportChunk.seq, ExportChunk.data)
        .where(
            ExportChunk.export_id == export_id,
            ExportChunk.file == index,
            ExportChunk.seq > after,
        )
        .order_by(ExportChunk.seq)
        .limit(limit)
    )


async def _sha256(db: AsyncSession, export_id: int, index: int) -> str:
    """The file's SHA-256, inflated from its pieces HASH_PAGE at a time."""
    digest = hashlib.sha256()
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    after = -1
    while True:
        rows = (await db.execute(pieces(export_id, index, after, HASH_PAGE))).all()
        for row in rows:
            digest.update(inflate.decompress(row.data))
            after = row.seq
        if len(rows) < HASH_PAGE:
            break
    digest.update(inflate.decompress(FINAL_BLOCK) + inflate.flush())
    return digest.hexdigest()


async def _start(db: AsyncSession, export: Export, job: Job) -> dict[str, Any]:
    counts = await count_mail(db, export.user_id)
    job.total = counts.received + counts.sent + counts.trash
    newest = await db.scalar(select(func.max(Message.id)))
    ceiling = (newest or 0) + 1
    return {
        "_box": 0,
        "_ceiling": ceiling,
        "_below": ceiling,
        "_files": [_new_file() for _ in FILES],
        "_started": utcnow().isoformat(),
    }


async def _page(db: AsyncSession, export: Export, job: Job, state: dict[str, Any]) -> None:
    """One page of the current box into its two files; on to the next box at its end."""
    box = BOXES[state["_box"]][0]
    views, more = await messages.list_messages(
        db,
        viewer=_Owner(export.user_id),
        box=box,
        unread=None,
        below_id=state["_below"],
        offset=0,
        limit=PAGE,
    )
    files = state["_files"]
    lines, entries = [], []
    for view in views:
        read = MessageRead.of(view)
        lines.append(read.model_dump_json().encode() + b"\n")
        entries.append(mbox.entry(read, box=box))
    index = _jsonl(state["_box"])
    await _append(db, export.id, files, index, b"".join(lines))
    await _append(db, export.id, files, index + 1, b"".join(entries))
    files[index]["count"] += len(views)
    files[index + 1]["count"] += len(views)
    job.done += len(views)
    if more:
        state["_below"] = views[-1].id
    else:
        state["_box"] += 1
        state["_below"] = state["_ceiling"]


async def _seal(
    db: AsyncSession, export: Export, job: Job, state: dict[str, Any], ttl: timedelta
) -> None:
    files = state["_files"]
    user = await accounts.find_user_by_id(db, export.user_id)
    if user is None:
        raise JobFailed("The user was deleted.")
    # As the profile API shows it (GET /users/{username}).
    profile = UserRead(
        id=user.id,
        username=user.username,
        email=user.email,
        created_at=user.created_at,
        display_name=user.display_name,
    )
    profile_bytes = profile.model_dump_json(indent=2).encode() + b"\n"
    await _append(db, export.id, files, 1, profile_bytes)
    files[1]["sha256"] = hashlib.sha256(profile_bytes).hexdigest()
    manifest = {
        "format_version": FORMAT_VERSION,
        "mailslot_version": __version__,
        "generated_at": state["_started"],
        "user": {"id": user.id, "username": user.username},
        "counts": {name: files[_jsonl(index)]["count"] for index, (_, name) in enumerate(BOXES)},
        "files": {
            FILES[index]: {"size": file["size"], "sha256": file["sha256"], "count": file["count"]}
            for index, file in enumerate(files)
            if index > 0
        },
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n"
    await _append(db, export.id, files, 0, manifest_bytes)
    zipped = [
        ZipFile(name=FILES[i], crc=f["crc"], size=f["size"], stored=f["stored"])
        for i, f in enumerate(files)
    ]
    if not fits(zipped):
        raise JobFailed("The mailbox is too large for one archive (4 GiB).")
    now = utcnow()
    export.files = [
        {"name": z.name, "crc": z.crc, "size": z.size, "stored": z.stored} for z in zipped
    ]
    export.size = archive_size(zipped)
    export.expires_at = now + ttl
    job.total = job.done  # what it held, however the mailbox changed meanwhile


def export_step(
    ttl: timedelta, *, operator: bool = False
) -> Callable[[AsyncSession, Job], Coroutine[Any, Any, bool]]:
    """The job's step (jobs.service.Step); a sealed archive stays for `ttl`. Serving
    instances build users' and hosts' exports; an operator's (`mailslot user export`,
    `operator`) only its own command builds: one that a serving instance finds has lost
    its command (killed: its lease ran out), and nobody will write it out, so it is
    deleted."""

    async def step(db: AsyncSession, job: Job) -> bool:
        export = await db.scalar(select(Export).where(Export.public_id == job.params["export_id"]))
        if export is None:
            return True  # removed meanwhile (expired, or its user deleted): nothing to build
        if export.origin == "admin" and not operator:
            await db.delete(export)
            return True
        state = dict(job.params)
        if "_files" not in state:
            state.update(await _start(db, export, job))
        state["_files"] = [dict(file) for file in state["_files"]]
        hashed = state.get("_hashed", 2)
        finished = False
        if state["_box"] < len(BOXES):
            await _page(db, export, job, state)
        elif hashed < len(FILES):
            state["_files"][hashed]["sha256"] = await _sha256(db, export.id, hashed)
            state["_hashed"] = hashed + 1
        else:
            await _seal(db, export, job, state, ttl)
            finished = True
        job.params = state
        return finished

    return step
