"""Apply Alembic migrations to a database, from the installed package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from mailslot.config import Settings
from mailslot.db.engine import make_engine
from mailslot.db.pooler import migration_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(settings: Settings, url: str | None = None, revision: str = "head") -> None:
    """Migrate `url`, by default the direct URL (db/pooler.py, migration_url)."""
    engine = make_engine(settings, url or migration_url(settings))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
    finally:
        await engine.dispose()
