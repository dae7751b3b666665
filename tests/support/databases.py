"""The test databases: a private PostgreSQL database per run on the shared server, and the
settings every test app starts from."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from mailslot.config import Settings
from tests.support.pgbouncer import PgBouncer, set_up_database

POSTGRES_URL = os.environ.get(
    "MAILSLOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def create_postgres_database() -> str:
    """A private database for this run on the shared server, so runs never collide."""
    admin_url = make_url(POSTGRES_URL)
    name = f"mailslot_test_{uuid.uuid4().hex[:12]}"
    try:
        connection = await asyncpg.connect(
            admin_url.set(drivername="postgresql").render_as_string(hide_password=False),
            timeout=5,
        )
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL is unreachable at {admin_url.render_as_string()}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI=true: the PostgreSQL suite is required)")
        pytest.skip(message)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin_url.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    admin_url = make_url(POSTGRES_URL).set(drivername="postgresql")
    connection = await asyncpg.connect(admin_url.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    """Test settings: cheap password hashing and request budgets lifted (synapse does the
    same: every test client shares one address), everything else real. The per-account
    sign-in throttle stays at its defaults; tests/accounts/test_throttle.py sets its own."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": "test-secret-key-0123456789abcdef",
        "password_hash_memory_kib": 64,
        "password_hash_iterations": 1,
        "rate_limits": "off",
        "limit_signin_address": "1000, 1000/s",
        # The suite's app delivers no webhooks: a test that wants its worker says so.
        "webhook_worker": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def pooler_environment(settings: Settings) -> dict[str, str]:
    """The pooler settings as MAILSLOT_ variables, for a `mailslot` process: none unless
    the database goes through PgBouncer."""
    if settings.database_pooler == "none":
        return {}
    return {
        "MAILSLOT_DATABASE_POOLER": settings.database_pooler,
        "MAILSLOT_DATABASE_DIRECT_URL": settings.resolved_direct_url,
    }


@dataclass(frozen=True)
class Database:
    """A test database: the URL the app serves from, and the settings that go with it
    (the pooler's, through PgBouncer)."""

    url: str
    settings: dict[str, str] = field(default_factory=dict)
    pgbouncer: PgBouncer | None = None

    def make_settings(self, data_dir: Path, **overrides: object) -> Settings:
        return make_settings(data_dir, self.url, **{**self.settings, **overrides})


@asynccontextmanager
async def dialect_database(dialect: str, data_dir: Path) -> AsyncIterator[Database]:
    """A new, empty database of the dialect: `sqlite` (a file under data_dir),
    `postgres`, or `pgbouncer`: PostgreSQL's, served through a PgBouncer of its own in
    transaction mode (tests/support/pgbouncer.py), which migrations go around."""
    if dialect == "sqlite":
        yield Database(f"sqlite+aiosqlite:///{data_dir / 'mailslot.db'}")
        return
    url = await create_postgres_database()
    try:
        if dialect == "postgres":
            yield Database(url)
            return
        await set_up_database(url)
        with PgBouncer(url) as pgbouncer:
            pooler = {"database_pooler": "pgbouncer", "database_direct_url": url}
            yield Database(pgbouncer.url, pooler, pgbouncer)
    finally:
        await drop_postgres_database(url)
