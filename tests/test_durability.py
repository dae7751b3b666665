"""The startup self-check refuses databases that may lose acknowledged writes."""

from __future__ import annotations

import logging

import pytest
from asgi_lifespan import LifespanManager

from mailslot.app import create_app
from mailslot.db.durability import UnsafeDurability, unsafe_settings
from mailslot.state import app_state
from tests.support.databases import create_postgres_database, drop_postgres_database, make_settings
from tests.support.servers import MailslotServer

pytestmark = pytest.mark.anyio


async def test_the_apps_own_connections_are_durable(app, dialect) -> None:
    assert await unsafe_settings(app_state(app).engine) == []
    if dialect == "sqlite":
        async with app_state(app).engine.connect() as connection:
            assert (await connection.exec_driver_sql("PRAGMA synchronous")).scalar() == 2
            assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"


async def test_sqlite_synchronous_off_is_refused(tmp_path) -> None:
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/m.db")
    app = create_app(settings.model_copy(update={"sqlite_synchronous": "OFF"}))
    with pytest.raises(UnsafeDurability, match="synchronous=OFF"):
        async with LifespanManager(app):
            pass


async def test_an_explicit_override_starts_with_a_warning(tmp_path, caplog) -> None:
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/m.db")
    unsafe = settings.model_copy(
        update={"sqlite_synchronous": "OFF", "allow_unsafe_durability": True}
    )
    with caplog.at_level(logging.WARNING, logger="mailslot.db"):
        async with LifespanManager(create_app(unsafe)):
            pass
    assert "acknowledged writes may be lost (SQLite synchronous=OFF)" in caplog.text


async def test_postgres_synchronous_commit_off_is_refused(dialect, tmp_path) -> None:
    if dialect != "postgres":
        pytest.skip("PostgreSQL only")
    import asyncpg
    from sqlalchemy.engine import make_url

    url = await create_postgres_database()
    try:
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(plain)
        name = make_url(url).database
        await connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        await connection.close()
        settings = make_settings(tmp_path, url)
        with pytest.raises(UnsafeDurability, match="synchronous_commit=off"):
            async with LifespanManager(create_app(settings)):
                pass
        allowed = settings.model_copy(update={"allow_unsafe_durability": True})
        async with LifespanManager(create_app(allowed)):
            pass
    finally:
        await drop_postgres_database(url)


@pytest.mark.process
@pytest.mark.timeout(60)
def test_serve_explains_the_refusal(tmp_path) -> None:
    server = MailslotServer(tmp_path / "data", env={"MAILSLOT_SQLITE_SYNCHRONOUS": "OFF"})
    with pytest.raises(AssertionError, match="exited early"):
        server.start()
    assert "MAILSLOT_ALLOW_UNSAFE_DURABILITY=true" in server.log()
