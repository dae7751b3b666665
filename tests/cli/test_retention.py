"""`mailslot retention`: status, run and --dry-run, hold and unhold, as an operator's shell
runs them, on a database of its own with MAILSLOT_RETENTION_DAYS set."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial

import anyio
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from mailslot.accounts.models import User
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.messages import retention
from mailslot.messages.models import Message
from mailslot.state import app_state
from tests.support.commands import Command, mailslot_command
from tests.support.databases import pooler_environment
from tests.support.factories import make_user, send, unique_name
from tests.support.retention import DAYS, age, client_of, retained_app, stored

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.pgbouncer,
    pytest.mark.process,
    pytest.mark.timeout(600),  # each command is a process: seconds each
]


@pytest.fixture(scope="module")
async def kept_app(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with retained_app(dialect, tmp_path_factory.mktemp("retention-cli")) as app:
        yield app


@pytest.fixture
def kept_settings(kept_app: FastAPI) -> Settings:
    return app_state(kept_app).settings


@pytest.fixture
async def client(kept_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(kept_app) as client:
        yield client


class Shell:
    """The command run in a thread: the in-process app's event loop goes on meanwhile, so
    a transaction of its own (the job runner's poll) never holds SQLite's lock for the
    command's whole run."""

    def __init__(self, command: Command) -> None:
        self.command = command

    async def __call__(self, *args: str, code: int = 0) -> str:
        return await anyio.to_thread.run_sync(partial(self.command, *args, code=code))


def command(settings: Settings, **extra: str) -> Shell:
    return Shell(
        mailslot_command(
            {
                "MAILSLOT_DATABASE_URL": str(settings.database_url),
                "MAILSLOT_DATA_DIR": str(settings.data_dir),
                "MAILSLOT_RETENTION_DAYS": str(settings.retention_days),
                **pooler_environment(settings),
                **extra,
            }
        )
    )


async def old_mail(app: FastAPI, client: httpx.AsyncClient, count: int) -> list[int]:
    alice, bob = await make_user(client), await make_user(client)
    sent = [(await send(client, alice, bob))["id"] for _ in range(count)]
    await age(app, *sent)
    return sorted(sent)


async def test_status_dry_run_run_hold_and_unhold(kept_app, kept_settings, client) -> None:
    mailslot = command(kept_settings)
    # Whatever an earlier test left, deleted in process: each command is a slow process.
    await retention.run_retention(
        app_state(kept_app).sessions, days=DAYS, batch_size=kept_settings.retention_batch_size
    )
    sent = await old_mail(kept_app, client, 3)
    status = json.loads(await mailslot("retention", "status", "--json"))
    assert status["retention_days"] == DAYS
    assert status["due"] == 3
    assert status["held_users"] == []

    assert "would delete 3 messages" in await mailslot("retention", "run", "--dry-run")
    assert await stored(kept_app, *sent) == set(sent)

    # A hold on the sender keeps all three.
    async with app_state(kept_app).sessions() as db:
        sender = await db.scalar(select(Message.sender_id).where(Message.id == sent[0]))
        username = await db.scalar(select(User.username).where(User.id == sender))
    assert username is not None
    held = json.loads(await mailslot("retention", "hold", username, "--note", "case 9", "--json"))
    assert (held["username"], held["note"], held["new"]) == (username, "case 9", True)
    status = json.loads(await mailslot("retention", "status", "--json"))
    assert status["due"] == 0
    assert [(h["username"], h["note"]) for h in status["held_users"]] == [(username, "case 9")]

    lifted = json.loads(await mailslot("retention", "unhold", username, "--json"))
    assert lifted == {"username": username, "lifted": True}
    ran = json.loads(await mailslot("retention", "run", "--batch-size", "2", "--json"))
    assert (ran["dry_run"], ran["deleted"], ran["batches"], ran["errors"]) == (False, 3, 2, [])
    assert await stored(kept_app, *sent) == set()
    table = await mailslot("retention", "status")
    assert "last run deleted" in table
    async with app_state(kept_app).sessions() as db:
        after = await retention.status(db, days=DAYS)
    assert (after.due, after.last_run.deleted, after.last_run.running) == (0, 3, False)
    assert after.last_run.finished_at is not None


async def test_refusals_have_their_exit_codes(kept_app, kept_settings, client) -> None:
    mailslot = command(kept_settings)
    assert "no user" in (await mailslot("retention", "hold", unique_name("nobody"), code=3)).lower()
    off = command(kept_settings, MAILSLOT_RETENTION_DAYS="0")
    assert "retention is off" in await off("retention", "run", code=4)
    assert json.loads(await off("retention", "status", "--json"))["retention_days"] == 0

    # Another instance holds the run's lease: this run is refused, and deletes nothing.
    sent = await old_mail(kept_app, client, 1)
    async with app_state(kept_app).sessions() as db:
        cutoff = utcnow() - timedelta(days=DAYS)
        assert await retention.claim(db, holder="elsewhere", cutoff=cutoff, now=utcnow())
        await db.commit()
    try:
        assert "another instance" in await mailslot("retention", "run", code=4)
        assert json.loads(await mailslot("retention", "status", "--json"))["last_run"]["running"]
        assert await stored(kept_app, *sent) == set(sent)
    finally:
        async with app_state(kept_app).sessions() as db:
            await retention.release(db, holder="elsewhere")
            await db.commit()
