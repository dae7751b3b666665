"""Fixtures: one suite on SQLite and PostgreSQL. `pytest --db=sqlite|postgres|all`."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "MAILSLOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default="sqlite",
        choices=["sqlite", "postgres", "all"],
        help="database engines to run the database tests on",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "dialect" in metafunc.fixturenames:
        choice = metafunc.config.getoption("--db")
        dialects = ["sqlite", "postgres"] if choice == "all" else [choice]
        metafunc.parametrize("dialect", dialects, scope="session")


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


async def _create_postgres_database() -> str:
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


async def _drop_postgres_database(url: str) -> None:
    admin_url = make_url(POSTGRES_URL).set(drivername="postgresql")
    connection = await asyncpg.connect(admin_url.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def database_url(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if dialect == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "mailslot.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = await _create_postgres_database()
    yield url
    await _drop_postgres_database(url)


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
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("data"), database_url)
    await upgrade(settings)
    return settings


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as client:
        yield client
