"""`mailslot import seed-b` from a seed B database in MariaDB into SQLite and PostgreSQL,
checked through the API: sign-in with the original passwords, every message, receiver and
read state; an interrupted import resumed; a re-run that copies nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from mailslot.accounts.models import User
from mailslot.config import Settings
from mailslot.db.engine import make_engine, make_session_factory
from mailslot.messages import seed_b_import
from mailslot.messages.seed_b_import import SeedBSource, SourceUnavailable, import_seed_b
from tests.compat.conftest import AppClient
from tests.compat.seed_b_source import SeedB, seed_b_database

# `mailslot import` runs as a process of its own, which takes seconds to start on a busy
# machine: not a limit on the import's speed.
pytestmark = [pytest.mark.anyio, pytest.mark.process, pytest.mark.timeout(120)]

REFUSED_NAME = "bad name!"  # seed B took any 5 to 80 characters; mailslot does not


@pytest.fixture
def seed_b() -> Iterator[SeedB]:
    """Users, messages to one and several receivers, read and unread, deleted by a
    receiver and by a sender, and the rows mailslot cannot take."""
    with seed_b_database() as source:
        alice = source.user("alice", "alice-pw1")
        bobby = source.user("bobby", "123456")
        carol = source.user("carol", "c@rol$1")
        david = source.user("david", "d4v1d!")
        bad = source.user(REFUSED_NAME, "bad-pw1")
        source.send(alice, bobby, subject="one")
        two = source.send(alice, bobby, carol, subject="two")
        source.read(two, bobby)
        three = source.send(bobby, alice, subject="three")
        source.read(three, alice)
        four = source.send(carol, alice, bobby, david, subject="four")
        source.receiver_deletes(four, alice)
        source.read(four, bobby)
        gone = source.send(bobby, carol, subject="deleted by its sender")
        source.sender_deletes(gone)
        nobody = source.send(david, carol, subject="deleted by its only receiver")
        source.receiver_deletes(nobody, carol)
        source.send(bad, alice, subject="from a refused user")
        source.send(alice, bad, bobby, subject="to a refused user and another")
        dangling = source.send(alice, bobby, subject="and to a user that is not")
        source.dangling(dangling, 4242)
        source.dangling(999, bobby)
        yield source


def expected_refusals(source: SeedB) -> dict[str, set[str]]:
    ids = {name: user_id for user_id, name in source.names.items()}
    by_subject = {entry[1]: message_id for message_id, entry in source.messages.items()}
    refused_message = by_subject["from a refused user"]
    partly = by_subject["to a refused user and another"]
    return {
        "user": {str(ids[REFUSED_NAME])},
        "message": {str(by_subject["deleted by its only receiver"]), str(refused_message)},
        "receiver": {
            f"{refused_message}/{ids['alice']}",
            f"{partly}/{ids[REFUSED_NAME]}",
            f"{by_subject['and to a user that is not']}/4242",
            f"999/{ids['bobby']}",
        },
    }


def expected_boxes(source: SeedB) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Each imported user's inbox and sent box, newest first, from what seed B holds."""
    boxes: dict[str, dict[str, list[tuple[Any, ...]]]] = {
        name: {"inbox": [], "sent": []} for name in source.passwords if name != REFUSED_NAME
    }
    for message_id in sorted(source.messages, reverse=True):
        sender, subject, body, created, receivers = source.messages[message_id]
        receivers = {name: read for name, read in receivers.items() if name != REFUSED_NAME}
        if sender == REFUSED_NAME or not receivers:
            continue
        moment = created.replace(tzinfo=UTC)
        for name, read in receivers.items():
            boxes[name]["inbox"].append((message_id, sender, subject, body, moment, read))
        boxes[sender]["sent"].append((message_id, sender, subject, body, moment, sorted(receivers)))
    return boxes


def run_import(settings: Settings, url: str, *options: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "MAILSLOT_DATABASE_URL": str(settings.database_url),
        "MAILSLOT_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "mailslot", "import", "seed-b", "--from", url, *options],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def refused_ids(document: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"user": set(), "message": set(), "receiver": set()}
    for row in document["refused"]:
        found[row["kind"]].add(row["id"])
    return found


@pytest.fixture
async def stored_hash(fresh_settings: Settings) -> AsyncIterator[Any]:
    engine = make_engine(fresh_settings)

    async def of(username: str) -> str:
        async with engine.connect() as connection:
            found = await connection.scalar(
                select(User.password_hash).where(User.username == username)
            )
        return str(found)

    yield of
    await engine.dispose()


async def check_mailboxes(client: httpx.AsyncClient, source: SeedB, stored_hash: Any) -> None:
    boxes = expected_boxes(source)
    for name, password in source.passwords.items():
        if name == REFUSED_NAME:
            continue
        assert (await stored_hash(name)).startswith("$2b$")
        wrong = await client.post(f"/users/{name}/token", json={"password": password + "x"})
        assert wrong.status_code == 401
        assert (await stored_hash(name)).startswith("$2b$")
        signed_in = await client.post(f"/users/{name}/token", json={"password": password})
        assert signed_in.status_code == 200, (name, signed_in.text)
        assert (await stored_hash(name)).startswith("$argon2id$")  # no bcrypt hash remains
        again = await client.post(f"/users/{name}/token", json={"password": password})
        assert again.status_code == 200
        auth = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        inbox = await client.get(f"/users/{name}/messages?per_page=100", headers=auth)
        assert seen(inbox, lambda m: m["read"]) == boxes[name]["inbox"], name
        sent = await client.get(f"/users/{name}/messages?box=sent&per_page=100", headers=auth)
        assert seen(sent, lambda m: sorted(m["receivers"])) == boxes[name]["sent"], name


def seen(page: httpx.Response, last: Any) -> list[tuple[Any, ...]]:
    """A page's messages as expected_boxes writes them, `last(message)` last."""
    return [
        (
            m["id"],
            m["sender"],
            m["subject"],
            m["message"],
            datetime.fromisoformat(m["created_at"]),
            last(m),
        )
        for m in page.json()["messages"]
    ]


async def test_import_keeps_everything_seed_b_served_and_reports_the_rest(
    seed_b: SeedB, fresh_settings: Settings, app_client: AppClient, stored_hash, dialect
) -> None:
    imported = run_import(fresh_settings, seed_b.url, "--json")
    assert imported.returncode == 0, imported.stderr
    document = json.loads(imported.stdout)
    refusals = expected_refusals(seed_b)
    assert refused_ids(document) == refusals
    assert document["source"] == {"user": 5, "message": 8, "receiver": 12}
    assert document["imported"] == {
        kind: document["source"][kind] - len(refusals[kind]) for kind in refusals
    }
    assert document["checked"] is True
    assert document["kept_message_ids"] is True
    progress = [json.loads(line) for line in imported.stderr.splitlines()]
    assert progress[-1] == {"progress": "import seed-b", "done": 13, "total": 13}
    async with app_client() as client:
        await check_mailboxes(client, seed_b, stored_hash)


async def test_seed_b_clients_sign_in_with_their_old_password_under_the_profile(
    seed_b: SeedB, fresh_settings: Settings, app_client: AppClient, dialect
) -> None:
    assert run_import(fresh_settings, seed_b.url).returncode == 0
    async with app_client(compat="seed-b", password_min_length=6) as client:
        token = await client.post("/users/bobby/token", json={"password": "123456"})
        assert token.status_code == 200
        listed = await client.get(
            "/users/bobby/messages?unread=true",
            headers={"Authorization": f"Bearer {token.json()['result']}"},
        )
    [(message_id, (sender, subject, _, created, _))] = [
        (message_id, entry)
        for message_id, entry in seed_b.messages.items()
        if entry[4].get("bobby") is False
        and entry[0] != REFUSED_NAME
        and entry[1] != "from a refused user"
    ][-1:]
    newest = listed.json()["result"][0]
    assert (newest["id"], newest["sender"], newest["subject"]) == (message_id, sender, subject)
    assert newest["creation_date"] == created.strftime("%a, %d %b %Y %H:%M:%S GMT")


class DroppedSource(SeedBSource):
    """Seed B's database, lost after the first batch of messages was copied."""

    async def messages(self, batch: int) -> AsyncIterator[list[seed_b_import.SourceMessage]]:
        async for messages in super().messages(batch):
            yield messages
            raise SourceUnavailable("connection lost")


async def test_an_interrupted_import_resumes_and_a_rerun_copies_nothing(
    seed_b: SeedB, fresh_settings: Settings, app_client: AppClient, stored_hash, dialect
) -> None:
    engine = make_engine(fresh_settings)
    sessions = make_session_factory(engine)
    dropped, source = DroppedSource(seed_b.url), SeedBSource(seed_b.url)
    try:
        with pytest.raises(SourceUnavailable):
            await import_seed_b(sessions, dropped, batch=3)
        resumed = await import_seed_b(sessions, source, batch=3)
        rerun = await import_seed_b(sessions, source, batch=3)
    finally:
        dropped.close()
        source.close()
        await engine.dispose()
    # The first run copied the users and the first batch of three messages (ids 1, 2
    # and 3): the resumed run copies the rest that it can.
    assert (resumed.copied["user"], resumed.copied["message"]) == (0, 3)
    assert resumed.checked
    assert resumed.kept_message_ids
    assert rerun.copied == {"user": 0, "message": 0}
    assert rerun.imported == resumed.imported == {"user": 4, "message": 6, "receiver": 8}
    assert {replace(row) for row in rerun.refused} == set(resumed.refused)
    assert rerun.checked
    async with app_client() as client:
        await check_mailboxes(client, seed_b, stored_hash)


async def test_into_a_database_with_messages_the_ids_are_new(
    seed_b: SeedB, fresh_settings: Settings, app_client: AppClient, dialect
) -> None:
    async with app_client() as client:
        for name in ("already1", "already2"):
            body = {"username": name, "email": f"{name}@example.com", "password": "a-password"}
            assert (await client.post("/users", json=body)).status_code == 201
        token = await client.post("/users/already1/token", json={"password": "a-password"})
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for _ in range(20):
            sent = await client.post(
                "/users/already1/messages",
                json={"receiver": "already2", "subject": "s", "message": "m"},
                headers=auth,
            )
            assert sent.status_code == 201
    imported = run_import(fresh_settings, seed_b.url, "--json")
    assert imported.returncode == 0, imported.stderr
    document = json.loads(imported.stdout)
    assert document["kept_message_ids"] is False
    assert document["checked"] is True
    async with app_client() as client:
        token = await client.post("/users/bobby/token", json={"password": "123456"})
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        inbox = (await client.get("/users/bobby/messages", headers=auth)).json()["messages"]
        assert [m["subject"] for m in inbox] == [
            box[2] for box in expected_boxes(seed_b)["bobby"]["inbox"]
        ]
        assert min(m["id"] for m in inbox) > 20
        # A send after the import takes an id of its own.
        sent = await client.post(
            "/users/bobby/message",
            json={"receiver": "alice", "subject": "after", "message": "m"},
            headers=auth,
        )
        assert sent.status_code == 201
        assert sent.json()["id"] > max(m["id"] for m in inbox)


async def test_an_unreachable_source_is_refused_with_its_exit_code(
    fresh_settings: Settings, dialect
) -> None:
    refused = run_import(fresh_settings, "mysql://root@127.0.0.1:3306/no_such_seed_b_db")
    assert refused.returncode == 6
    assert "mailslot import seed-b: seed B's database:" in refused.stderr
    wrong = run_import(fresh_settings, "postgresql://somewhere/db")
    assert wrong.returncode == 2
