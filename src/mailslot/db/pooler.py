"""PgBouncer in transaction mode (MAILSLOT_DATABASE_POOLER=pgbouncer): what mailslot
checks of it at start and before migrating (docs/deployment.md#pgbouncer).

Through PgBouncer each transaction may run on another server connection, shared with
other clients, so nothing may rely on a session: the engine keeps no prepared statement
(db/engine.py, pooled_connect_args), and the code takes only transaction-scoped state
(SET LOCAL, row locks; no LISTEN, session SET, session advisory lock, temporary table or
WITH HOLD cursor). Migrations hold a session: they go to MAILSLOT_DATABASE_DIRECT_URL."""

from __future__ import annotations

import logging

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.config import Settings

log = logging.getLogger("mailslot.db")


class PoolerMisconfigured(RuntimeError):
    """MAILSLOT_DATABASE_POOLER=pgbouncer with settings, or a PgBouncer, that cannot work."""


def check_settings(settings: Settings) -> None:
    """Raises PoolerMisconfigured if the pooler is PgBouncer but the serving URL cannot be
    PgBouncer's: SQLite, or a PostgreSQL driver other than asyncpg."""
    if settings.database_pooler != "pgbouncer":
        return
    url = make_url(settings.resolved_database_url)
    if (url.get_backend_name(), url.get_driver_name()) != ("postgresql", "asyncpg"):
        raise PoolerMisconfigured(
            "MAILSLOT_DATABASE_POOLER=pgbouncer needs MAILSLOT_DATABASE_URL to be "
            f"PgBouncer's address as postgresql+asyncpg://..., not {url.drivername}://..."
        )


def migration_url(settings: Settings) -> str:
    """Where migrations run: MAILSLOT_DATABASE_DIRECT_URL, falling back to the database
    URL. Behind PgBouncer that fallback is refused (PoolerMisconfigured): a migration is
    one long transaction with DDL, to be run on a session of PostgreSQL's own, never
    through the pool the instances share."""
    check_settings(settings)
    if settings.database_pooler == "pgbouncer" and (
        not settings.database_direct_url
        or settings.database_direct_url == settings.resolved_database_url
    ):
        raise PoolerMisconfigured(
            "MAILSLOT_DATABASE_POOLER=pgbouncer: set MAILSLOT_DATABASE_DIRECT_URL to "
            "PostgreSQL itself (not PgBouncer's address) for migrations"
        )
    return settings.resolved_direct_url


async def check_pooler(engine: AsyncEngine, settings: Settings) -> None:
    """At start, behind PgBouncer: raises PoolerMisconfigured for settings that cannot
    work (check_settings) or a PgBouncer in statement mode, which refuses the
    transactions every request opens. Warns of what the database role should set, since
    PgBouncer refuses them as connection parameters: a statement_timeout, and jit off
    (asyncpg turns JIT off around its type lookups with a session SET, which through
    PgBouncer lands on another server connection than the lookup: each new connection's
    first statements then took 1.8 s, JIT-compiled, instead of 6 ms). An unreachable
    database is left to the readiness probe."""
    if settings.database_pooler != "pgbouncer":
        return
    check_settings(settings)
    try:
        async with engine.connect() as connection:
            # A transaction of two statements: PgBouncer in statement mode refuses it.
            timeout = (await connection.execute(text("SHOW statement_timeout"))).scalar_one()
            jit = (await connection.execute(text("SHOW jit"))).scalar_one()
    except (OSError, sa_exc.DBAPIError, sa_exc.TimeoutError) as exc:
        # PgBouncer: "transaction blocks not allowed in statement pooling mode"
        if "statement pool" in str(exc):
            raise PoolerMisconfigured(
                "PgBouncer runs this database in statement mode, which refuses transactions: "
                "set pool_mode = transaction for it"
            ) from None
        log.warning("PgBouncer not checked, the database is unreachable: %s", exc)
        return
    advice = [
        setting
        for setting, missing in (
            ("statement_timeout = '15s'", timeout == "0"),
            ("jit = off", jit == "on"),
        )
        if missing
    ]
    if advice:
        log.warning(
            "behind PgBouncer the database role should set %s: ALTER ROLE <role> SET ... "
            "(docs/deployment.md#pgbouncer)",
            " and ".join(advice),
        )
