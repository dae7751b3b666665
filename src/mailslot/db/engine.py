"""make_engine(url): one async engine per process, with each engine's durable settings."""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_

from mailslot.config import Settings
from mailslot.metrics import MeteredPool


def make_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    """The engine on `url` (the serving URL by default). Through PgBouncer (the serving
    URL when MAILSLOT_DATABASE_POOLER=pgbouncer) it keeps nothing on the server between
    transactions: see pooled_connect_args."""
    url = url or settings.resolved_database_url
    if make_url(url).get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, settings)
    else:
        engine = _postgres_engine(url, settings)
    if settings.retention_days:
        # Every read through this engine hides what retention deletes (messages/expiry.py).
        engine = engine.execution_options(**{RETENTION_DAYS: settings.retention_days})
    return engine


def _postgres_engine(url: str, settings: Settings) -> AsyncEngine:
    pooled = settings.database_pooler == "pgbouncer" and url == settings.resolved_database_url
    return create_async_engine(
        url,
        hide_parameters=True,  # messages are private mail, passwords hashes: never in logs
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size // 2,
        pool_timeout=settings.db_pool_timeout,
        **_pool_class(settings),
        connect_args=pooled_connect_args() if pooled else DIRECT_CONNECT_ARGS,
    )


DIRECT_CONNECT_ARGS: dict[str, Any] = {
    "timeout": 5,
    "command_timeout": 30,
    "server_settings": {"application_name": "mailslot", "statement_timeout": "15000"},
}


def pooled_connect_args() -> dict[str, Any]:
    """asyncpg's arguments through PgBouncer in transaction mode, where each transaction
    may run on another server connection than the one before (docs/deployment.md#pgbouncer).

    - No prepared statement outlives its statement: asyncpg's statement cache and
      SQLAlchemy's are off (`statement_cache_size`, `prepared_statement_cache_size`), so
      both prepare the unnamed statement, which asyncpg parses again in the message
      sequence that runs it. SQLAlchemy's documented recipe of unique names
      (`prepared_statement_name_func`) fails outside a transaction on PgBouncer 1.18
      (Debian 12's): asyncpg closes the name it no longer needs with a Sync between the
      next statement's Parse and its Execute, PgBouncer hands the server back at that
      Sync, and the Execute lands where the name does not exist (194 of 300 autocommit
      reads failed; 0 with unnamed statements).
    - No `statement_timeout` startup parameter: PgBouncer refuses any it does not know
      ("unsupported startup parameter"). The timeout is the database role's
      (`ALTER ROLE ... SET statement_timeout`); the start warns when there is none."""
    return {
        "timeout": 5,
        "command_timeout": 30,
        "server_settings": {"application_name": "mailslot"},
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
    }


def _pool_class(settings: Settings) -> dict[str, Any]:
    """With metrics on, a pool that times its checkouts (metrics.py); else SQLAlchemy's."""
    return {"poolclass": MeteredPool} if settings.metrics else {}


def _sqlite_engine(url: str, settings: Settings) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        hide_parameters=True,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout,
        **_pool_class(settings),
        connect_args={"timeout": 5},
        pool_reset_on_return=None,  # _on_reset below
    )
    synchronous = settings.sqlite_synchronous

    @event.listens_for(engine.sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, record: Any, _state: Any) -> None:
        # A connection back in the pool is rolled back only if a transaction is open: a
        # read on the driver (db/direct.py) or a committed session left none, and the
        # rollback SQLAlchemy sends anyway is a hop to aiosqlite's thread and back.
        driver = record.driver_connection  # None once the record was invalidated
        if driver is None or driver.in_transaction:
            dbapi_connection.rollback()

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (its documented pysqlite recipe), so
        # BEGIN and SAVEPOINT mean what they say.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    turns = WriteTurns()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the single write lock up front: concurrent writers queue on
        # busy_timeout instead of failing when a read transaction upgrades to a write.
        # Readers take no lock (WAL): they must not queue behind writers.
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        turns.take(connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            turns.give_back(connection)
            raise

    for name in ("commit", "rollback"):
        event.listen(engine.sync_engine, name, turns.give_back)
    event.listen(engine.sync_engine.pool, "checkin", lambda _c, record: turns.give_back(record))
    return engine


class WriteTurns:
    """This process's SQLite writers, one at a time and first come, first served.

    SQLite's busy handler retries a locked database with growing sleeps, so among many
    waiting writers some keep missing their turn and fail after busy_timeout (503s under
    a write-heavy load). Queued here, at most one transaction per process waits in SQLite.
    The turn passes on at commit (just before SQLite's own), at rollback, or at the
    latest when the connection goes back to the pool."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def take(self, connection: Any) -> None:
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(loop, asyncio.Lock())
        await_(lock.acquire())  # inside SQLAlchemy's greenlet: waits without blocking
        connection.info[_WRITE_TURN] = lock

    def give_back(self, connection: Any) -> None:
        lock = connection.info.pop(_WRITE_TURN, None)
        if lock is not None:
            lock.release()


_WRITE_TURN = "mailslot_write_turn"


READ_ONLY = "mailslot_read_only"
# The engine's MAILSLOT_RETENTION_DAYS, for the reads that hide older mail.
RETENTION_DAYS = "mailslot_retention_days"

# What a function that only reads takes: a request's session, or a bare connection of the
# read-only engine (Core without the ORM's unit of work: a third of the calls per read).
Reader = AsyncSession | AsyncConnection


def dialect_name(db: Reader) -> str:
    return db.dialect.name if isinstance(db, AsyncConnection) else db.get_bind().dialect.name


def one_of(column: Any, name: str, item_type: Any, *, postgres: bool) -> Any:
    """`column` among the values bound as `name`: on PostgreSQL one array, so one prepared
    statement serves any count (an IN list is a statement of its own per count, prepared
    and planned on each connection); elsewhere an expanding IN list."""
    if postgres:
        return column == any_(bindparam(name, type_=ARRAY(item_type)))
    return column.in_(bindparam(name, expanding=True))


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The engine for requests that only read. PostgreSQL: autocommit, so a read is its
    statements alone, without BEGIN and ROLLBACK round trips (each statement of a READ
    COMMITTED transaction takes its own snapshot anyway). SQLite: a deferred transaction,
    which takes no lock. Nothing written through it may need atomicity."""
    if engine.dialect.name == "sqlite":
        # Not AUTOCOMMIT: SQLAlchemy's reset from it turns pysqlite's own transaction
        # handling back on.
        return engine.execution_options(**{READ_ONLY: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def make_session_factory(
    engine: AsyncEngine, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; each session starts with a copy of `info`."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)
