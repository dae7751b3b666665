"""Hot reads run on the driver's own connection, with statements SQLAlchemy compiled once."""

from __future__ import annotations

import logging
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite
import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Insert, Select, Update
from sqlalchemy.sql.selectable import TextualSelect

from mailslot.db.engine import Reader
from mailslot.problems import UNAVAILABLE_SQLSTATE_CLASSES

Processor = Callable[[Any], Any]

# At DEBUG, each statement run here (SQLAlchemy's own are on its `sqlalchemy.engine` logger).
log = logging.getLogger("mailslot.db.direct")


async def begin(db: AsyncSession) -> None:
    """Begin the session's transaction on the driver now, if it has not begun yet, as
    SQLAlchemy does with its first own statement: a DirectQuery that follows runs in it,
    and commits or rolls back with the rest of the session's work. One BEGIN round trip
    on PostgreSQL; nothing on SQLite, whose sessions begin with their connection (BEGIN
    IMMEDIATE, db/engine.py).

    SQLAlchemy has no public call that sends BEGIN without a statement: this asks its
    asyncpg adapter to start the transaction it would start itself, under the same lock."""
    connection = await db.connection()
    adapter = (await connection.get_raw_connection()).dbapi_connection
    start = getattr(adapter, "_start_transaction", None)
    if start is None or adapter._transaction is not None:  # type: ignore[union-attr]
        return
    async with adapter._execute_mutex:  # type: ignore[union-attr]
        if adapter._transaction is not None:  # type: ignore[union-attr]
            return
        try:
            await start()
        except Exception as error:  # translated by the adapter: the driver's is its cause
            cause = error.__cause__ if isinstance(error.__cause__, Exception) else error
            if not _is_unavailable(cause):
                raise
            await connection.invalidate()
            raise sa_exc.OperationalError(
                "BEGIN", None, cause, hide_parameters=True, connection_invalidated=True
            ) from error


class DirectQuery:
    """A Core statement (a SELECT, text with `.columns()`, or an INSERT or UPDATE: rows
    from its RETURNING, or none) compiled
    once per dialect, run on the asyncpg or aiosqlite connection
    beneath a SQLAlchemy connection, through the driver's statement cache.

    SQLAlchemy's execution path (compiled-cache lookup, cursor adaptor, greenlet hop, Row
    objects) costs more CPU than the statement it runs: a list page of 20 took 0.42 ms
    through `AsyncConnection.execute` and 0.30 ms here on PostgreSQL, 1.11 against 0.50 ms
    on SQLite, with the same pool checkout (`python -m bench.direct`). Bind values and
    column values go through their types' processors, as SQLAlchemy applies them, and rows
    keep attribute access by column key.

    Given a session, the statement runs on the session's connection, in its transaction
    once SQLAlchemy has begun one there. On PostgreSQL SQLAlchemy sends BEGIN with its
    first own statement, so a DirectQuery ahead of it reads committed data in autocommit,
    as a statement of the READ COMMITTED transaction would; and a session that only ran
    DirectQuery commits without a round trip."""

    def __init__(
        self, statement: Select[*tuple[Any, ...]] | TextualSelect | Insert | Update
    ) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    async def all(self, db: Reader, params: Mapping[str, Any]) -> Sequence[Any]:
        if not isinstance(db, AsyncConnection):
            db = await db.connection()
        compiled = self._compiled.get(db.dialect.name) or self._compile(db.dialect)
        args = compiled.arguments(params)
        driver = (await db.get_raw_connection()).driver_connection
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s", compiled.sql)
        try:
            if isinstance(driver, asyncpg.Connection):
                rows: Sequence[Any] = await driver.fetch(compiled.sql, *args)
            elif isinstance(driver, aiosqlite.Connection):
                rows = list(await driver.execute_fetchall(compiled.sql, args))
            else:
                raise TypeError(f"no direct path for {type(driver).__name__}")
        except Exception as error:
            # Right after the server cut it, asyncpg may still report a protocol error.
            closed = isinstance(driver, asyncpg.Connection) and driver.is_closed()
            if not (closed or _is_unavailable(error)):
                raise
            # Like SQLAlchemy: a connection that failed so is not handed out again.
            lost = db.dialect.name != "sqlite"
            if lost:
                await db.invalidate()
            raise sa_exc.OperationalError(
                compiled.sql, None, error, hide_parameters=True, connection_invalidated=lost
            ) from error
        return compiled.rows(rows)

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds = compiled.binds
        if any(bind.expanding for bind in binds.values()) or "POSTCOMPILE" in compiled.string:
            raise ValueError("a DirectQuery takes no values rendered at execution (IN lists)")
        names = tuple(compiled.positiontup or ())
        columns = list(self.statement.exported_columns)
        result = _Compiled(
            sql=compiled.string,
            names=names,
            defaults={name: binds[name].value for name in names},
            bind_processors=tuple(
                binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
            ),
            # A ColumnCollection iterates its columns: the keys are the rows' names.
            row_type=namedtuple("Row", list(map(str, self.statement.exported_columns.keys()))),
            column_processors=tuple(
                (index, processor)
                for index, column in enumerate(columns)
                if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))
            ),
        )
        self._compiled[dialect.name] = result
        return result


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names in positional order
    defaults: dict[str, Any]
    bind_processors: tuple[Processor | None, ...]
    row_type: Any
    column_processors: tuple[tuple[int, Processor], ...]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = [params.get(name, self.defaults[name]) for name in self.names]
        return [
            value if process is None else process(value)
            for value, process in zip(values, self.bind_processors, strict=True)
        ]

    def rows(self, raw: Sequence[Any]) -> list[Any]:
        make = self.row_type._make
        if not self.column_processors:
            return [make(row) for row in raw]
        rows = []
        for row in raw:
            values = list(row)
            for index, process in self.column_processors:
                values[index] = process(values[index])
            rows.append(make(values))
        return rows


def _is_unavailable(error: Exception) -> bool:
    """A lost, refused, overloaded or timed-out database: a 503 the client may retry."""
    if isinstance(error, OSError | asyncpg.InterfaceError):  # TimeoutError is an OSError
        return True
    if isinstance(error, sqlite3.OperationalError):  # "database is locked"
        return True
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES
