"""The erasure ledger across a restore: read before the restored data replaces it,
re-applied after (docs/erasure.md, "Backups and the ledger").

The ledger is a table of the database (models.Erasure), written in the transaction that
starts each erasure: every instance writes it, on either engine, and no erasure exists
without its entry. A restore replaces that table with the backup's older copy, so
`mailslot restore` (db/backup.py, through `LedgerKeeper`) first reads the live ledger and
writes it to `<data dir>/erasure-ledger.json` (synced to disk), replaces the database,
migrates it, and then:
1. adds to the restored ledger every entry it lacks;
2. erases again every account of the ledger that the restored data holds un-erased (the
   same id and creation time: an account given the same id later is another person), or
   whose erasure the backup caught half-way; with the entry's own tombstone, mode and
   hold, so receivers see the name they saw before;
3. deletes the file.
A restore interrupted between its replacement and step 3 leaves the file: the next
restore reads it too. When the live database cannot be read (lost with its machine), an
operator's copy of the ledger (`mailslot user erasures --json > ledger.json`, kept with
the backups) is given to `mailslot restore --ledger ledger.json`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from mailslot.accounts.models import User
from mailslot.accounts.service import username_key
from mailslot.config import Settings
from mailslot.db.engine import make_engine, make_session_factory
from mailslot.rights.erasure.models import Erasure
from mailslot.rights.erasure.run import run_erasure

PENDING_FILE = "erasure-ledger.json"
_COLUMNS = (
    "user_id",
    "user_created_at",
    "tombstone",
    "mode",
    "requested_at",
    "hold_until",
    "finished_at",
)


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry as it travels outside the database: ids and times, as text."""

    user_id: int
    user_created_at: str
    tombstone: str
    mode: str
    requested_at: str
    hold_until: str
    finished_at: str | None

    @property
    def key(self) -> tuple[int, datetime]:
        return self.user_id, _time(self.user_created_at)

    @classmethod
    def of(cls, row: Any) -> Entry:
        values: dict[str, Any] = {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in zip(_COLUMNS, row, strict=True)
        }
        return cls(**values)


def _time(value: str) -> datetime:
    # Read from SQLite's file directly, a time is text in UTC without its offset.
    moment = datetime.fromisoformat(value.replace(" ", "T"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def document(entries: list[Entry]) -> dict[str, Any]:
    """The ledger as `mailslot user erasures --json` prints it and `--ledger` reads it."""
    return {"erasures": [asdict(entry) for entry in entries]}


def read_file(path: Path) -> list[Entry]:
    """Entries from a file `document` wrote; ValueError for anything else."""
    try:
        items = json.loads(path.read_text())["erasures"]
        return [Entry(**item) for item in items]
    except (OSError, KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not an erasure ledger: {error}") from None


async def list_entries(connection: AsyncConnection) -> list[Entry]:
    rows = await connection.execute(
        select(*(getattr(Erasure, name) for name in _COLUMNS)).order_by(Erasure.id)
    )
    return [Entry.of(row) for row in rows]


async def read_live(settings: Settings) -> list[Entry]:
    """The ledger of the configured database as it is now: none when there is no
    database yet, or one older than the ledger."""
    url = settings.resolved_direct_url
    if url.startswith("sqlite"):
        return _read_sqlite(url)
    engine = make_engine(settings, url)
    try:
        async with engine.connect() as connection:
            if not await connection.run_sync(lambda c: inspect(c).has_table("erasure")):
                return []
            return await list_entries(connection)
    finally:
        await engine.dispose()


def _read_sqlite(url: str) -> list[Entry]:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or not Path(database).is_file():
        return []
    # Read-only, through the sqlite3 module: nothing is created or left open beside a
    # database that is about to be replaced.
    connection = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'erasure'"
        ).fetchone()
        if found is None:
            return []
        rows = connection.execute(f"SELECT {', '.join(_COLUMNS)} FROM erasure ORDER BY id")  # noqa: S608 (fixed names)
        return [Entry.of(row) for row in rows]
    finally:
        connection.close()


def merge(*ledgers: list[Entry]) -> list[Entry]:
    """Every account's entry once: the finished one where two disagree."""
    merged: dict[tuple[int, datetime], Entry] = {}
    for entries in ledgers:
        for entry in entries:
            known = merged.get(entry.key)
            if known is None or (known.finished_at is None and entry.finished_at is not None):
                merged[entry.key] = entry
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class Reapplied:
    entries: int  # in the ledger after the restore
    added: int  # entries the backup lacked
    erased: int  # accounts erased again (or finished) in the restored data


async def reapply(settings: Settings, entries: list[Entry]) -> Reapplied:
    """Steps 1 and 2 of the module docstring, on the configured (restored) database."""
    engine = make_engine(settings, settings.resolved_direct_url)
    try:
        async with make_session_factory(engine)() as db:
            restored = {entry.key for entry in await _entries(db)}
            added = [entry for entry in entries if entry.key not in restored]
            for entry in added:
                db.add(_row(entry))
            await db.commit()
            erased = 0
            for row in list((await db.scalars(select(Erasure).order_by(Erasure.id))).all()):
                if await _needs_erasing(db, row):
                    await run_erasure(db, row)  # its first step shuts the account again
                    erased += 1
            total = len(restored) + len(added)
    finally:
        await engine.dispose()
    return Reapplied(total, len(added), erased)


async def _entries(db: AsyncSession) -> list[Entry]:
    connection = await db.connection()
    return await list_entries(connection)


def _row(entry: Entry) -> Erasure:
    return Erasure(
        user_id=entry.user_id,
        user_created_at=_time(entry.user_created_at),
        tombstone=entry.tombstone,
        mode=entry.mode,
        requested_at=_time(entry.requested_at),
        hold_until=_time(entry.hold_until),
        finished_at=None if entry.finished_at is None else _time(entry.finished_at),
        counts={},
    )


async def _needs_erasing(db: AsyncSession, entry: Erasure) -> bool:
    """Whether the restored data holds the entry's account (the same id and creation
    time) not yet erased, or its erasure unfinished."""
    key = await db.scalar(
        select(User.username_key).where(
            User.id == entry.user_id, User.created_at == entry.user_created_at
        )
    )
    if key is None:
        return False
    return entry.finished_at is None or key != username_key(entry.tombstone)


class LedgerKeeper:
    """What `mailslot restore` hands db/backup.py: `before` runs once the backup is
    checked, before the database is replaced; `after` once the restored database is
    migrated. `extra` is an operator's copy of the ledger (`--ledger`)."""

    def __init__(self, extra: list[Entry] | None = None) -> None:
        self.extra = extra or []
        self.entries: list[Entry] = []
        self.reapplied: Reapplied | None = None

    async def before(self, settings: Settings) -> None:
        pending = settings.data_dir / PENDING_FILE
        left = read_file(pending) if pending.is_file() else []
        self.entries = merge(await read_live(settings), left, self.extra)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        _write_synced(pending, document(self.entries))

    async def after(self, settings: Settings) -> None:
        self.reapplied = await reapply(settings, self.entries)
        (settings.data_dir / PENDING_FILE).unlink(missing_ok=True)


def _write_synced(path: Path, content: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("w") as file:
        json.dump(content, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
