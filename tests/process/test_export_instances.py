"""Exports over several real `mailslot serve` instances on one database: one
instance takes the request (and wakes its job runner: either instance may build the
archive), the other serves its progress and its download (the archive is in the
database, the link signed with the key they share)."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest

from tests.exports.archives import read_archive, verify_checksums
from tests.support.factories import register_at
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(120), pytest.mark.anyio]


async def test_one_instance_builds_and_another_serves(tmp_path: Path, settings) -> None:
    env = {"MAILSLOT_DATABASE_URL": settings.resolved_database_url}  # migrated by `settings`
    with (
        MailslotServer(tmp_path / "a", env=env) as first,
        MailslotServer(tmp_path / "b", env=env) as second,
    ):
        async with httpx.AsyncClient(timeout=10) as client:
            alice, alice_auth = await register_at(client, first.url)
            bob, bob_auth = await register_at(client, first.url)
            for number in range(5):
                sent = await client.post(
                    f"{first.url}/users/{bob}/messages",
                    json={"receiver": alice, "subject": f"n{number}", "message": "hello"},
                    headers=bob_auth,
                )
                assert sent.status_code == 201, sent.text
            started = await client.post(f"{first.url}/users/{alice}/exports", headers=alice_auth)
            assert started.status_code == 202, started.text
            path = f"/users/{alice}/exports/{started.json()['id']}"
            with anyio.fail_after(30):
                while True:
                    shown = await client.get(f"{second.url}{path}", headers=alice_auth)
                    assert shown.status_code == 200, shown.text
                    if shown.json()["state"] in ("done", "failed"):
                        break
                    await anyio.sleep(0.05)
            assert shown.json()["state"] == "done", shown.text
            # The second instance serves what the first built, to a client with no token.
            archive = await client.get(f"{second.url}{shown.json()['download_url']}")
            assert archive.status_code == 200, archive.text
            files = read_archive(archive.content)
            verify_checksums(files)
            assert [m["subject"] for m in files.lines("received")] == [
                f"n{number}" for number in reversed(range(5))
            ]
            # The limit holds across instances too.
            again = await client.post(f"{second.url}/users/{alice}/exports", headers=alice_auth)
            assert again.status_code == 429, again.text
