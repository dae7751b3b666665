"""Fixtures: one suite on SQLite and PostgreSQL. `pytest --db=sqlite|postgres|pgbouncer|all`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mailslot.app import create_app
from mailslot.config import Settings, get_settings
from mailslot.db.migrate import upgrade
from tests.support.databases import Database, dialect_database, pooler_environment


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default="sqlite",
        choices=["sqlite", "postgres", "pgbouncer", "all"],
        help="database engines to run the database tests on (pgbouncer: PostgreSQL through "
        "PgBouncer in transaction mode; `all` runs the modules marked pgbouncer there too)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "dialect" in metafunc.fixturenames:
        choice = metafunc.config.getoption("--db")
        dialects = ["sqlite", "postgres"] if choice == "all" else [choice]
        if choice == "all" and metafunc.definition.get_closest_marker("pgbouncer"):
            dialects.append("pgbouncer")
        metafunc.parametrize("dialect", dialects, scope="session")


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
async def database(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    async with dialect_database(dialect, tmp_path_factory.mktemp(dialect)) as database:
        yield database


@pytest.fixture(scope="session")
def database_url(database: Database) -> str:
    return database.url


@pytest.fixture(scope="session")
async def settings(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = database.make_settings(tmp_path_factory.mktemp("data"))
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


@pytest.fixture
def environment(settings: Settings) -> Iterator[dict[str, str]]:
    """The test database as a `mailslot` command sees it (MAILSLOT_ variables)."""
    get_settings.cache_clear()
    yield {
        "MAILSLOT_DATABASE_URL": str(settings.database_url),
        "MAILSLOT_DATA_DIR": str(settings.data_dir),
        **pooler_environment(settings),
    }
    get_settings.cache_clear()
