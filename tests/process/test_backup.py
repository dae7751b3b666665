"""`mailslot backup` and `mailslot restore` run as an operator runs them: a backup taken
while a server writes, restored elsewhere, shows what the original showed; a damaged
archive, a newer schema, another engine and a missing --yes are refused, untouched."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mailslot.db.backup import head_revision
from mailslot.db.migrate import upgrade
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    make_settings,
)
from tests.support.mailboxes import Person, mailslot, populate, register, send, serving, snapshot
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.timeout(600)]


def sqlite_env(data: Path) -> dict[str, str]:
    return {"MAILSLOT_DATA_DIR": str(data)}


@pytest.fixture
def postgres(dialect: str) -> Iterator[list[str]]:
    """Fresh PostgreSQL databases made on demand, dropped at the end."""
    if dialect != "postgres":
        pytest.skip("a PostgreSQL test (--db=postgres)")
    made: list[str] = []
    yield made
    for url in made:
        asyncio.run(drop_postgres_database(url))


def new_database(made: list[str], tmp_path: Path) -> str:
    """A PostgreSQL database at this mailslot's schema, as `mailslot db upgrade` leaves it."""
    url = asyncio.run(create_postgres_database())
    made.append(url)
    asyncio.run(upgrade(make_settings(tmp_path, url)))
    return url


def test_sqlite_backup_while_writing_restores_what_the_api_showed(tmp_path: Path) -> None:
    original = MailslotServer(tmp_path / "original")
    with serving(original):
        population = populate(original)
        before = snapshot(original.url, population)
        with httpx.Client(base_url=original.url) as client:
            alice, bob = register(client), register(client)  # outside the snapshot
        acknowledged: list[int] = []
        stop = threading.Event()

        def write() -> None:
            with httpx.Client(base_url=original.url, timeout=10) as client:
                while not stop.is_set():
                    acknowledged.append(send(client, bob, alice, subject="during")["id"])

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while len(acknowledged) < 5:
                stop.wait(0.01)
            at_start = len(acknowledged)
            done = mailslot("backup", "-o", str(tmp_path / "b.tar"), env=original.env)
            at_end = len(acknowledged)
        finally:
            stop.set()
            writer.join()
    assert done.returncode == 0, done.stderr
    assert at_end > at_start  # the server wrote while the backup ran

    with tarfile.open(tmp_path / "b.tar") as archive:
        source = archive.extractfile("manifest.json")
        assert source is not None
        manifest = json.load(source)
    assert manifest["engine"] == "sqlite"
    assert manifest["schema_revision"] == head_revision()
    assert [f["name"] for f in manifest["files"]] == ["mailslot.db"]

    restored = MailslotServer(tmp_path / "restored")
    done = mailslot("restore", str(tmp_path / "b.tar"), "--yes", env=restored.env)
    assert done.returncode == 0, done.stderr
    with serving(restored):
        assert snapshot(restored.url, population) == before
        # A consistent snapshot: the sends it holds are the first ones acknowledged, none
        # missing in between.
        with httpx.Client(base_url=restored.url) as client:
            during = sorted(m["id"] for m in every_message(client, alice))
        assert at_start <= len(during) <= len(acknowledged)
        assert during == acknowledged[: len(during)]


def every_message(client: httpx.Client, person: Person) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"per_page": 100} | ({"cursor": cursor} if cursor else {})
        page = client.get(
            f"/users/{person.username}/messages", params=params, headers=person.headers
        ).json()
        messages += page["messages"]
        cursor = page["next_cursor"]
        if cursor is None:
            return messages


def damaged(
    path: Path, out: Path, *, manifest: dict[str, object] | None = None, flip: bool = False
) -> None:
    """A copy of the archive at `path` with its manifest replaced or a byte of its
    database flipped."""
    with tarfile.open(path) as source, tarfile.open(out, "w") as sink:
        for member in source:
            extracted = source.extractfile(member)
            assert extracted is not None
            data = extracted.read()
            if member.name == "manifest.json" and manifest is not None:
                data = json.dumps(manifest).encode()
            elif member.name != "manifest.json" and flip:
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            member.size = len(data)
            sink.addfile(member, io.BytesIO(data))


def test_a_damaged_or_newer_backup_or_one_without_yes_is_refused(tmp_path: Path) -> None:
    source = sqlite_env(tmp_path / "source")
    assert mailslot("db", "upgrade", env=source).returncode == 0
    backup = tmp_path / "b.tar"
    assert mailslot("backup", "-o", str(backup), env=source).returncode == 0
    again = mailslot("backup", "-o", str(backup), env=source)
    assert again.returncode == 4, again.stderr  # never overwrites a file

    target = tmp_path / "target"
    # The database the refusals must leave alone.
    with serving(MailslotServer(target)) as server, httpx.Client(base_url=server.url) as client:
        register(client)
    database = target / "mailslot.db"
    content = database.read_bytes()

    tampered = tmp_path / "tampered.tar"
    damaged(backup, tampered, flip=True)
    refused = mailslot("restore", str(tampered), "--yes", env=sqlite_env(target))
    assert refused.returncode == 1, refused.stderr
    assert "does not match its manifest" in refused.stderr

    with tarfile.open(backup) as archive:
        extracted = archive.extractfile("manifest.json")
        assert extracted is not None
        manifest = json.load(extracted)
    newer = tmp_path / "newer.tar"
    damaged(backup, newer, manifest={**manifest, "schema_revision": "9999"})
    refused = mailslot("restore", str(newer), "--yes", env=sqlite_env(target))
    assert refused.returncode == 4, refused.stderr
    assert "9999" in refused.stderr
    assert head_revision() in refused.stderr

    unconfirmed = mailslot("restore", str(backup), env=sqlite_env(target))
    assert unconfirmed.returncode == 5, unconfirmed.stderr
    assert "--yes" in unconfirmed.stderr

    missing = mailslot("restore", str(tmp_path / "nothing.tar"), "--yes", env=sqlite_env(target))
    assert missing.returncode == 3, missing.stderr

    assert database.read_bytes() == content


def test_a_running_server_keeps_its_sqlite_database(tmp_path: Path) -> None:
    source = sqlite_env(tmp_path / "source")
    assert mailslot("db", "upgrade", env=source).returncode == 0
    assert mailslot("backup", "-o", str(tmp_path / "b.tar"), env=source).returncode == 0
    with serving(MailslotServer(tmp_path / "serving")) as server:
        refused = mailslot("restore", str(tmp_path / "b.tar"), "--yes", env=server.env)
        assert refused.returncode == 4, refused.stderr
        assert "stop every mailslot server" in refused.stderr


def test_postgres_backup_restores_into_another_database(
    postgres: list[str], tmp_path: Path
) -> None:
    first, second = new_database(postgres, tmp_path), new_database(postgres, tmp_path)
    original = MailslotServer(tmp_path / "original", env={"MAILSLOT_DATABASE_URL": first})
    with serving(original):
        population = populate(original)
        before = snapshot(original.url, population)
        done = mailslot("backup", "-o", str(tmp_path / "p.tar"), "--json", env=original.env)
    assert done.returncode == 0, done.stderr
    manifest = json.loads(done.stdout)
    assert manifest["engine"] == "postgresql"
    assert manifest["schema_revision"] == head_revision()
    assert [f["name"] for f in manifest["files"]] == ["mailslot.pgdump"]
    assert "pg_dump" in manifest["tools"]

    wrong = mailslot("restore", str(tmp_path / "p.tar"), "--yes", env=sqlite_env(tmp_path / "s"))
    assert wrong.returncode == 4, wrong.stderr
    assert "postgresql" in wrong.stderr

    # The second database has its own deployment and data, which the restore replaces.
    other = MailslotServer(tmp_path / "other", env={"MAILSLOT_DATABASE_URL": second})
    with serving(other), httpx.Client(base_url=other.url) as client:
        stranger = register(client)
        refused = mailslot("restore", str(tmp_path / "p.tar"), "--yes", env=other.env)
        assert refused.returncode == 4, refused.stderr  # an instance is connected
    done = mailslot("restore", str(tmp_path / "p.tar"), "--yes", env=other.env)
    assert done.returncode == 0, done.stderr
    with serving(other), httpx.Client(base_url=other.url) as client:
        assert snapshot(other.url, population) == before
        gone = client.get(f"/users/{stranger.username}", headers=stranger.headers)
        assert gone.status_code == 401


def older_database(url: str, tmp_path: Path) -> None:
    asyncio.run(upgrade(make_settings(tmp_path, url), revision=OLD_REVISION))


OLD_REVISION = "0006"  # the first with the deployment's identity


def test_an_older_sqlite_backup_is_migrated_after_its_restore(tmp_path: Path) -> None:
    source = tmp_path / "source"
    older_database(f"sqlite+aiosqlite:///{source / 'mailslot.db'}", tmp_path)
    (source / "secret_key").write_text("generated-secret-key-0123456789")  # as serve makes it
    backup = tmp_path / "old.tar"
    assert mailslot("backup", "-o", str(backup), env=sqlite_env(source)).returncode == 0
    done = mailslot("restore", str(backup), "--yes", env=sqlite_env(tmp_path / "target"))
    assert done.returncode == 0, done.stderr
    assert f"(schema {OLD_REVISION}), then migrated to {head_revision()}" in done.stdout
    with sqlite3.connect(tmp_path / "target" / "mailslot.db") as database:
        revision = database.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == (head_revision(),)
    key = tmp_path / "target" / "secret_key"
    assert key.read_text() == "generated-secret-key-0123456789"
    assert key.stat().st_mode & 0o077 == 0


def test_an_older_postgres_backup_replaces_a_newer_schema(
    postgres: list[str], tmp_path: Path
) -> None:
    """What a newer schema added and the backup does not hold goes too: else the
    migrations that follow the restore would find their tables there already."""
    old = asyncio.run(create_postgres_database())
    postgres.append(old)
    older_database(old, tmp_path)
    backup = tmp_path / "old.tar"
    env = {"MAILSLOT_DATABASE_URL": old, "MAILSLOT_SECRET_KEY": "backup-test-key-0123456789"}
    done = mailslot("backup", "-o", str(backup), env=env)
    assert done.returncode == 0, done.stderr
    env["MAILSLOT_DATABASE_URL"] = new_database(postgres, tmp_path)
    done = mailslot("restore", str(backup), "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert f"(schema {OLD_REVISION}), then migrated to {head_revision()}" in done.stdout
