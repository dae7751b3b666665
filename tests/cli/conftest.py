"""A `mailslot serve` on a database of its own (the session's is the in-process app's: a
SQLite file another process writes to can be locked when this server starts), with a Redis
of its own, and the `mailslot` command with the same settings: what an operator's shell
has beside a running server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from mailslot.db.migrate import upgrade
from tests.support.commands import Command, mailslot_command
from tests.support.databases import dialect_database
from tests.support.servers import MailslotServer, RedisServer


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def server(
    dialect: str, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[MailslotServer]:
    root = tmp_path_factory.mktemp("serving")
    async with dialect_database(dialect, root) as database:
        await upgrade(database.make_settings(root))
        env = {"MAILSLOT_DATABASE_URL": database.url, "MAILSLOT_REDIS_URL": redis.url}
        with MailslotServer(root, env=env, args=("--no-migrate",)) as serving:
            yield serving


@pytest.fixture
def mailslot(server: MailslotServer) -> Command:
    """The command with the server's settings (its database, its Redis)."""
    return mailslot_command(server.env)
