"""Idempotent send across two real `mailslot serve` instances sharing one database, and
`mailslot purge` run as an operator runs it."""

from __future__ import annotations

import os
import sys

import anyio
import httpx
import pytest

from tests.support.factories import age_trash, make_user, register_at, send
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(90), pytest.mark.anyio]


async def test_retries_across_two_instances_make_one_message(tmp_path, settings, dialect) -> None:
    env = {"MAILSLOT_DATABASE_URL": settings.resolved_database_url}  # migrated by `settings`
    with (
        MailslotServer(tmp_path / "one", env=env) as one,
        MailslotServer(tmp_path / "two", env=env) as two,
    ):
        async with httpx.AsyncClient(timeout=30) as client:
            alice, alice_auth = await register_at(client, one.url)
            bob, bob_auth = await register_at(client, two.url)
            body = {"receiver": bob, "subject": "across", "message": "two instances"}
            headers = alice_auth | {"Idempotency-Key": "across-instances"}
            responses: list[httpx.Response] = []

            async def attempt(base: str) -> None:
                responses.append(
                    await client.post(f"{base}/users/{alice}/messages", json=body, headers=headers)
                )

            async with anyio.create_task_group() as tasks:
                for i in range(10):
                    tasks.start_soon(attempt, (one if i % 2 else two).url)
            received = await client.get(f"{one.url}/users/{bob}/messages", headers=bob_auth)
    assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
    created = [r for r in responses if r.status_code == 201]
    assert len({r.json()["id"] for r in created}) == 1
    assert len([r for r in created if "Idempotent-Replayed" not in r.headers]) == 1
    assert [m["id"] for m in received.json()["messages"]] == [created[0].json()["id"]]


async def test_the_purge_command_erases_old_trash(tmp_path, client, app, settings) -> None:
    alice, bob = await make_user(client), await make_user(client)
    old = await send(client, alice, bob)
    await client.delete(f"/users/{bob.username}/messages/{old['id']}", headers=bob.headers)
    await age_trash(app, bob, days=31)
    env = {
        "MAILSLOT_DATABASE_URL": settings.resolved_database_url,
        "MAILSLOT_DATA_DIR": str(tmp_path),
        "MAILSLOT_TRASH_RETENTION_DAYS": "30",
        "PATH": os.environ["PATH"],
    }
    result = await anyio.run_process([sys.executable, "-m", "mailslot", "purge"], env=env)
    # The shared database may hold other tests' expired tokens: their count varies.
    assert result.stdout.decode().startswith("purged 1 trashed messages, 0 idempotency keys, ")
    restore = await client.post(
        f"/users/{bob.username}/messages/{old['id']}/restore", headers=bob.headers
    )
    assert restore.status_code == 404
