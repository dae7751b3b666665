"""`mailslot db port`: copy a deployment from one database to another (the embedded SQLite
to PostgreSQL), resumable, and verified at the end.

1. The source must be at this mailslot's schema head (`mailslot db upgrade` first); an
   empty target is migrated to it.
2. The target must be fresh (no rows but the identity its migrations wrote) or hold this
   very deployment: the source's identity (the `deployment` row) is written first, so a
   second run recognises its own earlier work and resumes. Anything else is refused.
3. Tables are copied parents first (the metadata's dependency order), each in primary key
   order, in batches; a batch commits with its rows. After an interruption every table
   holds a prefix of the source's rows in key order, and the copy goes on after the
   target's last key: nothing is copied twice, nothing skipped. Keys compare bytewise on
   both engines (COLLATE "C" on PostgreSQL, SQLite's BINARY), so the order is the same.
4. PostgreSQL's sequences are set past the highest id copied.
5. Every table's row count and a SHA-256 over its rows' canonical form (`canonical`) are
   read from both sides, the same way, and must match.

The source must not change meanwhile: stop the servers first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import ColumnElement, Select

from mailslot.config import Settings
from mailslot.db.archive import UNREACHABLE, BackupError
from mailslot.db.backup import Progress, engine_of, head_revision, quietly
from mailslot.db.deployment import Deployment
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade

# Tables the models do not describe, and which are not data: Alembic's own, SQLite's,
# and the SQLite full-text index (rebuilt by its triggers as messages are written).
_NOT_DATA = ("alembic_version", "sqlite_", "message_fts")
# Tables of the models that hold a process's state, not the deployment's data: each
# database keeps its own (the retention job's lease row, which its migration writes).
_STATE = frozenset({"retention_run"})

# Called inside each batch's transaction, after its rows are written and before the
# commit, with the table's name and the rows copied by this run so far.
BatchHook = Callable[[str, int], None]


def database_url(url: str) -> str:
    """An URL as SQLAlchemy's async drivers take it: `sqlite:///x` and `postgresql://`
    (or `postgres://`) name aiosqlite and asyncpg."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    if parsed.drivername == "postgres":
        parsed = parsed.set(drivername="postgresql")
    name = driver.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=name).render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class TableCheck:
    table: str
    rows: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Ported:
    copied: int  # rows this run wrote
    resumed: bool  # the target held part of this port already
    tables: tuple[TableCheck, ...]  # verified: the same on both sides


async def port(
    settings: Settings,
    *,
    source_url: str,
    target_url: str,
    tables: Sequence[Table],
    batch_size: int = 1000,
    progress: Progress = quietly,
    on_batch: BatchHook | None = None,
) -> Ported:
    """Copy every row of `tables` (all of the models', parents first) from the source to
    the target database; resume an interrupted port; verify. Raises BackupError."""
    source_url, target_url = database_url(source_url), database_url(target_url)
    if make_url(source_url) == make_url(target_url):
        raise BackupError("--from and --to name the same database", "conflict")
    _require_sqlite_file(source_url)
    source = make_engine(settings, source_url)
    target = make_engine(settings, target_url)
    try:
        key = await _check_source(source, tables)
        tables = [table for table in tables if table.name not in _STATE]
        resumed = await _prepare_target(settings, target, target_url, key, tables)
        copied = await _copy(source, target, tables, batch_size, progress, on_batch)
        if target.dialect.name == "postgresql":
            await _fix_sequences(target, tables)
        checks = await _verify(source, target, tables, progress)
    except UNREACHABLE as exc:
        raise BackupError(f"a database cannot be reached: {exc}", "unavailable") from None
    finally:
        await source.dispose()
        await target.dispose()
    return Ported(copied, resumed, checks)


def _require_sqlite_file(url: str) -> None:
    if engine_of(url) == "sqlite":
        path = make_url(url).database
        if not path or not Path(path).is_file():
            raise BackupError(f"{path}: no SQLite database there", "not_found")


async def _revision(connection: AsyncConnection) -> str | None:
    names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    if "alembic_version" not in names:
        return None
    return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()


async def _check_source(source: AsyncEngine, tables: Sequence[Table]) -> str:
    head = head_revision()
    async with source.connect() as connection:
        revision = await _revision(connection)
        if revision != head:
            raise BackupError(
                f"The source database is at schema revision {revision or '(none)'}, not this "
                f"mailslot's {head}: run `mailslot db upgrade` on it first (with its URL in "
                "MAILSLOT_DATABASE_URL).",
                "conflict",
            )
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        unknown = sorted(
            set(names) - {t.name for t in tables} - {n for n in names if n.startswith(_NOT_DATA)}
        )
        if unknown:
            raise BackupError(
                f"The source holds tables this mailslot does not know ({', '.join(unknown)}): "
                "nothing was copied.",
                "conflict",
            )
        return str((await connection.execute(select(Deployment.key))).scalar_one())


async def _prepare_target(
    settings: Settings, target: AsyncEngine, url: str, key: str, tables: Sequence[Table]
) -> bool:
    """Migrate the target and give it the source's identity; True if it had it already
    (a port resumed). Refuses a target holding another deployment's data."""
    async with target.connect() as connection:
        revision = await _revision(connection)
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    if revision is None and names:
        raise BackupError(
            f"The target database holds tables ({', '.join(sorted(names)[:5])}...) but no "
            "mailslot schema: port into an empty database.",
            "conflict",
        )
    if revision is None:
        await upgrade(settings, url)
    elif revision != head_revision():
        raise BackupError(
            f"The target database is at schema revision {revision}, not {head_revision()}: "
            "it is another deployment's. Port into an empty database.",
            "conflict",
        )
    async with target.begin() as connection:
        current = (await connection.execute(select(Deployment.key))).scalar_one()
        if current == key:
            return True
        held = [
            f"{table.name} ({rows})"
            for table in tables
            if table.name != Deployment.__tablename__
            and (
                rows := (
                    await connection.execute(select(func.count()).select_from(table))
                ).scalar_one()
            )
        ]
        if held:
            raise BackupError(
                f"The target database holds another deployment's data ({current}: "
                f"{', '.join(held[:4])}): port into an empty database. Nothing was copied.",
                "conflict",
            )
        await connection.execute(update(Deployment).values(key=key))
    return False


def _key(table: Table, dialect: str) -> list[ColumnElement[Any]]:
    """The primary key's columns, as they order rows bytewise on this dialect."""
    columns: list[ColumnElement[Any]] = []
    for column in table.primary_key.columns:
        if dialect == "postgresql" and isinstance(column.type, String):
            columns.append(column.collate("C"))
        else:
            columns.append(column)
    return columns


def _select(table: Table, dialect: str, after: Sequence[Any] | None, limit: int) -> Select[Any]:
    """A page of rows in key order after the key `after`. JSON columns are read as their
    text, so that SQL NULL and JSON null stay apart."""
    columns = [
        cast(column, Text()).label(column.key) if _is_json(column) else column
        for column in table.columns
    ]
    key = _key(table, dialect)
    query = select(*columns).order_by(*key).limit(limit)
    if after is not None:
        query = query.where(tuple_(*key) > tuple_(*after) if len(key) > 1 else key[0] > after[0])
    return query


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON)


def _insert(table: Table) -> Any:
    """An INSERT taking rows as `_select` reads them (JSON as parsed values, SQL NULL as
    None, JSON null as JSON.NULL)."""
    return insert(table).values(
        {
            column.key: bindparam(column.key, type_=JSON(none_as_null=True))
            if _is_json(column)
            else bindparam(column.key, type_=column.type)
            for column in table.columns
        }
    )


def _decoded(table: Table, row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    for column in table.columns:
        if _is_json(column) and values[column.key] is not None:
            parsed = json.loads(values[column.key])
            values[column.key] = JSON.NULL if parsed is None else parsed
    return values


async def _last_key(connection: AsyncConnection, table: Table) -> tuple[Any, ...] | None:
    key = _key(table, connection.dialect.name)
    order = [column.desc() for column in key]
    columns = list(table.primary_key.columns)
    row = (await connection.execute(select(*columns).order_by(*order).limit(1))).first()
    return None if row is None else tuple(row)


async def _count(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def _copy(
    source: AsyncEngine,
    target: AsyncEngine,
    tables: Sequence[Table],
    batch_size: int,
    progress: Progress,
    on_batch: BatchHook | None,
) -> int:
    total = sum([await _count(source, table) for table in tables])
    already = sum([await _count(target, table) for table in tables])
    copied = 0
    with progress("copying rows", total) as advance:
        advance(already)
        for table in tables:
            async with target.connect() as connection:
                after = await _last_key(connection, table)
            statement = _insert(table)
            while True:
                async with source.connect() as connection:
                    page = _select(table, source.dialect.name, after, batch_size)
                    rows = (await connection.execute(page)).all()
                if not rows:
                    break
                async with target.begin() as connection:
                    await connection.execute(statement, [_decoded(table, row) for row in rows])
                    copied += len(rows)
                    if on_batch is not None:
                        on_batch(table.name, copied)
                key = [column.key for column in table.primary_key.columns]
                after = tuple(getattr(rows[-1], name) for name in key)
                advance(len(rows))
    return copied


async def _fix_sequences(target: AsyncEngine, tables: Sequence[Table]) -> None:
    """Set each serial or identity column's sequence past the highest id copied."""
    async with target.begin() as connection:
        for table in tables:
            key = list(table.primary_key.columns)
            if len(key) != 1 or not isinstance(key[0].type, Integer):
                continue
            sequence = (
                await connection.execute(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": table.name, "column": key[0].name},
                )
            ).scalar()
            if sequence is None:
                continue
            highest = (await connection.execute(select(func.max(key[0])))).scalar()
            await connection.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": highest or 1, "called": highest is not None},
            )


def canonical(table: Table, row: Any) -> bytes:
    """A row as the same bytes whichever engine it was read from: datetimes in UTC,
    bytes in hex, JSON (read as text) re-encoded with sorted keys, SQL NULL as null and
    JSON null as {"json": null}."""
    values: list[Any] = []
    for column, value in zip(table.columns, row, strict=True):
        if value is None:
            values.append(None)
        elif _is_json(column):
            values.append({"json": json.loads(value)})
        elif isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            values.append({"time": moment.astimezone(UTC).isoformat()})
        elif isinstance(column.type, LargeBinary) or isinstance(value, bytes | memoryview):
            values.append({"bytes": bytes(value).hex()})
        else:
            values.append(value)
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


async def table_check(
    engine: AsyncEngine, table: Table, advance: Callable[[int], None]
) -> TableCheck:
    """The table's row count and the SHA-256 of its rows' canonical forms, in key order."""
    digest = hashlib.sha256()
    rows, after = 0, None
    key = [column.key for column in table.primary_key.columns]
    async with engine.connect() as connection:
        while True:
            page = (
                await connection.execute(_select(table, engine.dialect.name, after, 5000))
            ).all()
            if not page:
                break
            for row in page:
                digest.update(canonical(table, row) + b"\n")
            rows += len(page)
            advance(len(page))
            after = tuple(getattr(page[-1], name) for name in key)
    return TableCheck(table.name, rows, digest.hexdigest())


async def _verify(
    source: AsyncEngine, target: AsyncEngine, tables: Sequence[Table], progress: Progress
) -> tuple[TableCheck, ...]:
    total = sum([await _count(source, table) for table in tables])
    checks = []
    with progress("verifying", 2 * total) as advance:
        for table in tables:
            expected = await table_check(source, table, advance)
            found = await table_check(target, table, advance)
            if found != expected:
                raise BackupError(
                    f"Verification failed on table {table.name}: the source has {expected.rows} "
                    f"rows (SHA-256 {expected.sha256[:16]}...), the target {found.rows} "
                    f"({found.sha256[:16]}...). Did the source change during the port? "
                    "Stop every server, then run the same command again."
                )
            checks.append(expected)
    return tuple(checks)
