"""The startup self-check: refuse a database that may lose acknowledged writes.

A 201 promises the message is committed durably. SQLite with `synchronous=OFF` can lose
commits on a crash of the machine; PostgreSQL with `fsync=off` can corrupt on one, with
`synchronous_commit=off` loses recent commits when the server itself crashes, and with
`full_page_writes=off` can tear pages. mailslot reads the settings its own connections
get and refuses to start on any of these unless MAILSLOT_ALLOW_UNSAFE_DURABILITY is set.
"""

from __future__ import annotations

import logging

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("mailslot.db")

_SQLITE_SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
# PostgreSQL settings and the values that lose acknowledged writes.
_POSTGRES_UNSAFE = {
    "fsync": {"off"},
    "synchronous_commit": {"off"},
    "full_page_writes": {"off"},
}


class UnsafeDurability(RuntimeError):
    """The database is set up to lose acknowledged writes and no override was given."""


async def unsafe_settings(engine: AsyncEngine) -> list[str]:
    """The durability settings of this database that may lose acknowledged writes."""
    problems = []
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            level = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar_one()
            if level == 0:
                problems.append("SQLite synchronous=OFF")
        elif engine.dialect.name == "postgresql":
            for name, unsafe in _POSTGRES_UNSAFE.items():
                value = (await connection.execute(text(f"SHOW {name}"))).scalar_one()
                if str(value).lower() in unsafe:
                    problems.append(f"PostgreSQL {name}={value}")
    return problems


async def check_durability(engine: AsyncEngine, *, allow_unsafe: bool) -> None:
    """Raises UnsafeDurability unless the database keeps what it acknowledges, or the
    operator allowed otherwise. An unreachable database is left to the readiness probe."""
    try:
        problems = await unsafe_settings(engine)
    except (OSError, sa_exc.DBAPIError, sa_exc.TimeoutError) as exc:
        log.warning("durability settings not checked, the database is unreachable: %s", exc)
        return
    if not problems:
        return
    listed = ", ".join(problems)
    if allow_unsafe:
        log.warning("acknowledged writes may be lost (%s): allowed by the operator", listed)
        return
    raise UnsafeDurability(
        f"The database may lose acknowledged writes: {listed}. Fix its settings, or set "
        "MAILSLOT_ALLOW_UNSAFE_DURABILITY=true to run anyway (benchmarks only)."
    )
