"""A `mailslot serve` on the test database, with a Redis of its own, and the `mailslot`
command with the same settings: what an operator's shell has beside a running server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailslot.config import Settings
from tests.support.commands import Command, mailslot_command
from tests.support.servers import MailslotServer, RedisServer


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(
    settings: Settings, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MailslotServer]:
    env = {"MAILSLOT_DATABASE_URL": str(settings.database_url), "MAILSLOT_REDIS_URL": redis.url}
    # Migrated by the `settings` fixture already.
    serving = MailslotServer(tmp_path_factory.mktemp("serving"), env=env, args=("--no-migrate",))
    with serving:
        yield serving


@pytest.fixture
def mailslot(server: MailslotServer) -> Command:
    """The command with the server's settings (its database, its Redis)."""
    return mailslot_command(server.env)
