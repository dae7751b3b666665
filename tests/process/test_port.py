"""`mailslot db port` from the embedded SQLite to PostgreSQL, run as an operator runs it:
a server on the copy shows the same mailboxes; a port killed mid-batch resumes without a
duplicate; a database of another deployment is refused."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    make_settings,
)
from tests.support.mailboxes import (
    Population,
    mailslot,
    populate,
    register,
    send,
    serving,
    snapshot,
)
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(600)]


@pytest.fixture
def target(dialect: str) -> Iterator[str]:
    """An empty PostgreSQL database: the port migrates it itself."""
    if dialect != "postgres":
        pytest.skip("the port's target is PostgreSQL (--db=postgres)")
    url = asyncio.run(create_postgres_database())
    yield url
    asyncio.run(drop_postgres_database(url))


def populated_sqlite(data: Path) -> tuple[Population, dict[str, Any]]:
    """A SQLite deployment with data in every table, and what its API showed (the server
    is stopped afterwards, as the port asks)."""
    with serving(MailslotServer(data)) as server:
        population = populate(server)
        with httpx.Client(base_url=server.url) as client:
            alice, bob = population.people[:2]
            for number in range(25):  # several batches of the messages table
                send(client, alice, bob, subject=f"bulk {number}")
        return population, snapshot(server.url, population)


def counts(url: str, tmp_path: Path) -> dict[str, int]:
    """Rows per table, counted by SQL of the test's own."""

    async def count() -> dict[str, int]:
        engine = make_engine(make_settings(tmp_path, url))
        try:
            async with engine.connect() as connection:
                return {
                    table: (
                        await connection.execute(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
                    ).scalar_one()
                    for table in (
                        "user_account",
                        "message",
                        "delivery",
                        "change",
                        "webhook_endpoint",
                        "server_key",
                        "access_token",
                        "mailbox_read",
                        "deployment",
                    )
                }
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_port_to_postgres_serves_the_same_mailboxes(target: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    population, before = populated_sqlite(data)
    source = f"sqlite:///{data / 'mailslot.db'}"
    env = {"MAILSLOT_DATA_DIR": str(data)}
    done = mailslot(
        "db", "port", "--from", source, "--to", target, "--batch-size", "7", "--json", env=env
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["resumed"] is False
    tables = {check["table"]: check["rows"] for check in report["tables"]}
    assert tables["message"] > 25
    for name in (
        "delivery",
        "change",
        "webhook_endpoint",
        "webhook_subscription",
        "server_key",
        "mailbox_read",
        "access_token",
    ):
        assert tables[name] > 0, name
    assert '"progress": "copying rows"' in done.stderr
    sqlite_url = f"sqlite+aiosqlite:///{data / 'mailslot.db'}"
    assert counts(target, tmp_path) == counts(sqlite_url, tmp_path)

    with serving(MailslotServer(tmp_path / "pg", env={"MAILSLOT_DATABASE_URL": target})) as server:
        assert snapshot(server.url, population) == before
        # The sequences are past the copied ids: new rows get new ones.
        with httpx.Client(base_url=server.url) as client:
            newcomer = register(client)
            sent = send(client, population.people[0], newcomer)
        sent_before = before[f"/users/{population.people[0].username}/messages?box=sent"]
        assert sent["id"] > max(m["id"] for m in sent_before["messages"])

    # A second deployment's port into it is refused: it holds this one's data now.
    other = tmp_path / "other"
    assert mailslot("db", "upgrade", env={"MAILSLOT_DATA_DIR": str(other)}).returncode == 0
    refused = mailslot(
        "db", "port", "--from", f"sqlite:///{other / 'mailslot.db'}", "--to", target, env=env
    )
    assert refused.returncode == 4, refused.stderr
    assert "another deployment" in refused.stderr


def test_an_interrupted_port_resumes_without_duplicates(target: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    populated_sqlite(data)
    source = f"sqlite:///{data / 'mailslot.db'}"
    env = {"MAILSLOT_DATA_DIR": str(data)}
    killed = mailslot(
        "db",
        "port",
        "--from",
        source,
        "--to",
        target,
        "--batch-size",
        "5",
        "--interrupt-after",
        "40",
        env=env,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    sqlite_url = f"sqlite+aiosqlite:///{data / 'mailslot.db'}"
    expected = counts(sqlite_url, tmp_path)
    partial = counts(target, tmp_path)
    written = sum(partial.values()) - partial["deployment"]
    assert 0 < written < sum(expected.values()) - 1

    resumed = mailslot(
        "db", "port", "--from", source, "--to", target, "--batch-size", "5", "--json", env=env
    )
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["resumed"] is True
    total = sum(check["rows"] for check in report["tables"])
    # Every row not written before, once; the deployment's row was there from the start.
    assert report["copied"] == total - written - 1
    assert counts(target, tmp_path) == expected

    # The source changed after the port: the verification says so.
    with sqlite3.connect(data / "mailslot.db") as database:
        database.execute("UPDATE message SET subject = 'changed' WHERE id = 1")
    again = mailslot("db", "port", "--from", source, "--to", target, env=env)
    assert again.returncode == 1, again.stderr
    assert "Verification failed on table message" in again.stderr


def test_port_refuses_a_source_behind_the_schema(target: str, tmp_path: Path) -> None:
    old = tmp_path / "old"
    asyncio.run(
        upgrade(make_settings(old, f"sqlite+aiosqlite:///{old / 'mailslot.db'}"), revision="0006")
    )
    refused = mailslot(
        "db",
        "port",
        "--from",
        f"sqlite:///{old / 'mailslot.db'}",
        "--to",
        target,
        env={"MAILSLOT_DATA_DIR": str(old)},
    )
    assert refused.returncode == 4, refused.stderr
    assert "mailslot db upgrade" in refused.stderr
