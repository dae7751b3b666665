"""Fixtures: one suite on SQLite and PostgreSQL. `pytest --db=sqlite|postgres|all`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mailslot.app import create_app
from mailslot.config import Settings, get_settings
from mailslot.db.migrate import upgrade
from tests.support.databases import create_postgres_database, drop_postgres_database, make_settings


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


@pytest.fixture(scope="session")
async def database_url(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if dialect == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "mailslot.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = await create_postgres_database()
    yield url
    await drop_postgres_database(url)


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


@pytest.fixture
def environment(settings: Settings) -> Iterator[dict[str, str]]:
    """The test database as a `mailslot` command sees it (MAILSLOT_ variables)."""
    get_settings.cache_clear()
    yield {
        "MAILSLOT_DATABASE_URL": str(settings.database_url),
        "MAILSLOT_DATA_DIR": str(settings.data_dir),
    }
    get_settings.cache_clear()
