"""Behind PgBouncer in transaction mode (MAILSLOT_DATABASE_POOLER=pgbouncer): what the
test PgBouncer guarantees, the start's checks, and migrations around it. The API's own
flows run through it with `--db=pgbouncer` (or `--db=all`: the modules marked
`pgbouncer`)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.engine import make_url

from mailslot.app import create_app
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade
from mailslot.db.pooler import PoolerMisconfigured, check_pooler, migration_url
from tests.support.databases import (
    Database,
    create_postgres_database,
    dialect_database,
    drop_postgres_database,
    make_settings,
)
from tests.support.factories import inbox, make_user, send
from tests.support.pgbouncer import POOL_SIZE, PgBouncer

pytestmark = pytest.mark.anyio

CONCURRENT = 20  # requests at once, against POOL_SIZE server connections


def driver_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
async def pooled(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    async with dialect_database("pgbouncer", tmp_path_factory.mktemp("pooled")) as database:
        yield database


async def test_requests_share_the_pools_two_server_connections(pooled, tmp_path) -> None:
    settings = pooled.make_settings(tmp_path)
    await upgrade(settings)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as client,
    ):
        alice, bob, carol = [await make_user(client) for _ in range(3)]
        sent: list[dict[str, Any]] = []

        async def one(number: int) -> None:
            sent.append(await send(client, alice, bob, carol, subject=f"at once {number}"))

        async with anyio.create_task_group() as tasks:
            for number in range(CONCURRENT):
                tasks.start_soon(one, number)
        clients = pooled.pgbouncer.show("CLIENTS")
        servers = pooled.pgbouncer.show("SERVERS")
        received = await inbox(client, carol, per_page=100)
    assert sorted(m["id"] for m in received) == sorted(m["id"] for m in sent)
    assert len(received) == CONCURRENT
    # The app's pool opened many client connections; PgBouncer ran them all on two.
    mailslot_clients = [row for row in clients if row["application_name"] == "mailslot"]
    assert len(mailslot_clients) > POOL_SIZE
    assert 0 < len(servers) <= POOL_SIZE


async def test_no_session_state_outlives_its_transaction_through_the_test_pgbouncer(
    pooled,
) -> None:
    """What makes code that needs a session fail here every time: a session SET, an
    advisory lock, a named prepared statement are gone once their transaction ends, and
    the next client may be on the same server connection."""
    url = driver_url(pooled.url)
    first = await asyncpg.connect(url, statement_cache_size=0)
    second = await asyncpg.connect(url, statement_cache_size=0)
    try:
        await first.execute("SET search_path TO nowhere")
        assert await first.fetchval("SHOW search_path") == '"$user", public'
        assert await first.fetchval("SELECT pg_try_advisory_lock(20)")
        # Not held any more: PgBouncer resets the server connection (DISCARD ALL) just
        # after the transaction's answer, so the other client, on the pool's other server
        # connection, may ask before the reset ran (CI saw it once, under the suite's load).
        # A lock that outlived its transaction would be held for good.
        taken = False
        for _ in range(50):
            taken = await second.fetchval("SELECT pg_try_advisory_lock(20)")
            if taken:
                break
            await anyio.sleep(0.1)
        assert taken
        await first.execute("PREPARE held AS SELECT 1")
        with pytest.raises(asyncpg.InvalidSQLStatementNameError):
            await first.execute("EXECUTE held")
        async with first.transaction():  # within one transaction, state holds
            await first.execute("SET LOCAL search_path TO somewhere")
            assert await first.fetchval("SHOW search_path") == "somewhere"
    finally:
        await first.close()
        await second.close()


async def test_a_pgbouncer_in_statement_mode_stops_the_start(tmp_path) -> None:
    url = await create_postgres_database()
    try:
        with PgBouncer(url, pool_mode="statement") as pgbouncer:
            settings = make_settings(
                tmp_path, pgbouncer.url, database_pooler="pgbouncer", database_direct_url=url
            )
            await upgrade(settings)
            app = create_app(settings)
            with pytest.raises(PoolerMisconfigured, match="pool_mode = transaction"):
                async with LifespanManager(app):
                    pass
    finally:
        await drop_postgres_database(url)


async def test_the_start_says_what_the_role_should_set(tmp_path, caplog) -> None:
    url = await create_postgres_database()  # no statement_timeout, jit on: the defaults
    try:
        with PgBouncer(url) as pgbouncer:
            settings = make_settings(
                tmp_path, pgbouncer.url, database_pooler="pgbouncer", database_direct_url=url
            )
            engine = make_engine(settings)
            try:
                with caplog.at_level(logging.WARNING, logger="mailslot.db"):
                    await check_pooler(engine, settings)
            finally:
                await engine.dispose()
    finally:
        await drop_postgres_database(url)
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "mailslot.db"]
    assert "statement_timeout = '15s' and jit = off" in warning


def test_pgbouncer_over_sqlite_or_without_a_direct_url_is_refused(tmp_path) -> None:
    sqlite = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/m.db")
    assert migration_url(sqlite) == sqlite.resolved_database_url
    with pytest.raises(PoolerMisconfigured, match="postgresql\\+asyncpg"):
        migration_url(sqlite.model_copy(update={"database_pooler": "pgbouncer"}))
    pooled = make_settings(
        tmp_path,
        "postgresql+asyncpg://mailslot@pgbouncer:6432/mailslot",
        database_pooler="pgbouncer",
    )
    for direct in (None, pooled.database_url):
        with pytest.raises(PoolerMisconfigured, match="MAILSLOT_DATABASE_DIRECT_URL"):
            migration_url(pooled.model_copy(update={"database_direct_url": direct}))


def mailslot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")}
    return subprocess.run(
        [sys.executable, "-m", "mailslot", *args],
        env=inherited | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.process
@pytest.mark.timeout(60)
async def test_db_upgrade_migrates_the_direct_url_and_never_the_pooled_one(
    tmp_path: Path,
) -> None:
    pooled, direct = await create_postgres_database(), await create_postgres_database()
    try:
        with PgBouncer(pooled) as pgbouncer:
            env = {
                "MAILSLOT_DATA_DIR": str(tmp_path),
                "MAILSLOT_DATABASE_URL": pgbouncer.url,
                "MAILSLOT_DATABASE_POOLER": "pgbouncer",
            }
            refused = await anyio.to_thread.run_sync(lambda: mailslot("db", "upgrade", env=env))
            assert refused.returncode == 2
            assert "set MAILSLOT_DATABASE_DIRECT_URL" in refused.stderr
            env["MAILSLOT_DATABASE_DIRECT_URL"] = direct
            done = await anyio.to_thread.run_sync(lambda: mailslot("db", "upgrade", env=env))
            assert done.returncode == 0, done.stderr
            (served,) = [
                row
                for row in pgbouncer.show("DATABASES")
                if row["name"] == make_url(pooled).database
            ]
        assert await tables(direct) > 10
        assert await tables(pooled) == 0
        # PgBouncer keeps the server connections it opened: it never opened one.
        assert served["current_connections"] == "0"
    finally:
        await drop_postgres_database(pooled)
        await drop_postgres_database(direct)


async def tables(url: str) -> int:
    connection = await asyncpg.connect(driver_url(url))
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return count
    finally:
        await connection.close()
