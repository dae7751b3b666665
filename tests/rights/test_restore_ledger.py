"""A backup taken before an erasure, restored: the erasure ledger erases the account again
(the same tombstone, the same mode), on each engine. Each test has a database of its own,
since a restore replaces all of it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from mailslot.accounts.models import User
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.archive import Manifest
from mailslot.db.backup import backup, restore
from mailslot.db.migrate import upgrade
from mailslot.rights.erasure.ledger import (
    PENDING_FILE,
    Entry,
    LedgerKeeper,
    document,
    read_file,
    reapply,
)
from mailslot.rights.erasure.models import Erasure
from mailslot.state import app_state
from tests.support.databases import dialect_database
from tests.support.factories import PASSWORD, TestUser, make_server_key, make_user, send
from tests.support.people import give_external_id

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


@pytest.fixture
async def own_settings(dialect: str, tmp_path: Path) -> AsyncIterator[Settings]:
    if dialect == "pgbouncer":
        pytest.skip("restore goes around the pooler")
    async with dialect_database(dialect, tmp_path) as database:
        settings = database.make_settings(tmp_path / "data")
        await upgrade(settings)
        yield settings


@pytest.fixture
def sending(own_settings: Settings) -> Any:
    """An app over the test's own database while the block runs, and its client."""

    @asynccontextmanager
    async def serving() -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
        app = create_app(own_settings)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                yield app, client

    return serving


def _yes(_manifest: Manifest) -> None:
    return None


async def _signed_in(client: httpx.AsyncClient, user: TestUser) -> TestUser:
    answer = await client.post(f"/users/{user.username}/token", json={"password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return TestUser(user.username, PASSWORD, answer.json()["access_token"])


@pytest.mark.parametrize("mode", ["pseudonymize", "purge-sent"])
async def test_a_restored_backup_from_before_an_erasure_erases_again(
    own_settings: Settings, sending: Any, tmp_path: Path, mode: str
) -> None:
    async with sending() as (app, client):
        alice, bob = await make_user(client), await make_user(client)
        message = await send(client, alice, bob, subject="before the backup")
        await backup(own_settings, tmp_path / "before.tar")
        host_id = await give_external_id(app, alice.username)
        key = await make_server_key(app, "users:write")
        erased = await client.delete(
            f"/server/users/{host_id}", params={"mode": mode}, headers=key.headers
        )
        assert erased.status_code == 200, erased.text
        tombstone = erased.json()["tombstone"]

    keeper = LedgerKeeper()
    restored = await restore(own_settings, tmp_path / "before.tar", confirm=_yes, hook=keeper)
    assert restored.migrated_to
    assert keeper.reapplied is not None
    assert (keeper.reapplied.added, keeper.reapplied.erased) == (1, 1)
    assert not (own_settings.data_dir / PENDING_FILE).exists()

    async with sending() as (app, client):
        # The backup held alice and her token: both are gone again.
        assert (
            await client.get(f"/users/{alice.username}", headers=alice.headers)
        ).status_code == 401
        signed_in = await client.post(f"/users/{alice.username}/token", json={"password": PASSWORD})
        assert signed_in.status_code == 401
        bob = await _signed_in(client, bob)
        inbox = (await client.get(f"/users/{bob.username}/messages", headers=bob.headers)).json()[
            "messages"
        ]
        if mode == "pseudonymize":
            assert [(m["id"], m["sender"]) for m in inbox] == [(message["id"], tombstone)]
        else:
            assert inbox == []
        again = await client.post(
            "/users",
            json={"username": alice.username, "email": "a@example.com", "password": PASSWORD},
        )
        assert again.json()["code"] == "username_held"
        async with app_state(app).sessions() as db:
            entries = (await db.scalars(select(Erasure))).all()
        assert [(e.tombstone, e.mode, e.finished_at is not None) for e in entries] == [
            (tombstone, mode, True)
        ]


async def test_an_operators_copy_of_the_ledger_erases_what_it_names(
    own_settings: Settings, sending: Any, tmp_path: Path
) -> None:
    """The live database lost: `restore --ledger` applies a copy written by `mailslot
    user erasures --json`; an account given the same id later (another creation time) is
    left alone."""
    async with sending() as (app, client):
        alice, bob = await make_user(client), await make_user(client)
        message = await send(client, alice, bob)
        async with app_state(app).sessions() as db:
            row = (
                await db.execute(
                    select(User.id, User.created_at).where(
                        User.username_key == alice.username.casefold()
                    )
                )
            ).one()
            bob_row = (
                await db.execute(
                    select(User.id, User.created_at).where(
                        User.username_key == bob.username.casefold()
                    )
                )
            ).one()
    when = "2026-01-01T00:00:00+00:00"
    copy = tmp_path / "ledger.json"
    entries = [
        Entry(
            row.id,
            row.created_at.isoformat(),
            "deleted-user-0123456789ab",
            "pseudonymize",
            when,
            when,
            when,
        ),
        # bob's id, another account's creation time: not bob.
        Entry(
            bob_row.id,
            "2025-01-01T00:00:00+00:00",
            "deleted-user-ba9876543210",
            "purge-sent",
            when,
            when,
            when,
        ),
    ]
    copy.write_text(json.dumps(document(entries)))
    assert read_file(copy) == entries
    with pytest.raises(ValueError, match="not an erasure ledger"):
        read_file(tmp_path / "missing.json")

    reapplied = await reapply(own_settings, read_file(copy))

    assert (reapplied.entries, reapplied.added, reapplied.erased) == (2, 2, 1)
    async with sending() as (app, client):
        bob = await _signed_in(client, bob)
        shown = await client.get(
            f"/users/{bob.username}/messages/{message['id']}", headers=bob.headers
        )
        assert shown.json()["sender"] == "deleted-user-0123456789ab"
