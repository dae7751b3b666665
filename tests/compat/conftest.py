"""A database of their own for the seed B tests: an import keeps message ids only into an
empty one, and the published client registers fixed names."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.migrate import upgrade
from tests.support.databases import create_postgres_database, drop_postgres_database, make_settings

AppClient = Callable[..., Any]


@pytest.fixture
async def fresh_settings(dialect: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings over a new, migrated, empty database of the test's engine."""
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/mailslot.db"
    else:
        url = await create_postgres_database()
    settings = make_settings(tmp_path / "data", url)
    await upgrade(settings)
    yield settings
    if dialect != "sqlite":
        await drop_postgres_database(url)


@pytest.fixture
def app_client(fresh_settings: Settings) -> AppClient:
    """`async with app_client(compat="seed-b") as client`: an app over the fresh database,
    with these settings changed."""

    @asynccontextmanager
    async def open_client(**overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        settings = fresh_settings.model_copy(update=overrides)
        app = create_app(settings)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://mailslot.test"
            ) as client:
                yield client

    return open_client
