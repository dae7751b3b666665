"""Self-service exports: the archive holds exactly what the API shows the user, its
checksums verify, its mbox files parse; the download link needs no bearer and expires;
nobody else reads it; one export per interval; a build resumes on another instance."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import func, select, update

import mailslot
from mailslot.db.base import utcnow
from mailslot.exports import builder, mbox, service
from mailslot.exports.models import Export, ExportChunk
from mailslot.jobs.models import Job
from mailslot.messages.purge import purge_expired
from mailslot.state import app_state
from tests.exports.archives import (
    BOXES,
    body,
    download,
    export_of,
    header,
    verify_checksums,
    wait_for_export,
    whole_box,
)
from tests.support.factories import TestUser, make_user, post_message, send

pytestmark = pytest.mark.anyio


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two messages per step: every box spans several steps."""
    monkeypatch.setattr(builder, "PAGE", 2)


async def fill_mailbox(client: httpx.AsyncClient, alice: TestUser) -> None:
    """Mail of every kind in alice's mailbox: read and unread, from a sender with a
    display name, non-ASCII, a body line mboxrd must quote, a line too long for mail,
    a context, a thread, mail she sent, mail in her trash, and mail she is not part of."""
    bob, carol = await make_user(client), await make_user(client)
    named = await client.patch(
        f"/users/{bob.username}", json={"display_name": "Bób Builder"}, headers=bob.headers
    )
    assert named.status_code == 200, named.text
    first = await send(
        client, bob, alice, subject="Grüße aus Köln", message="From here on\n>From quoted\nend"
    )
    answer = await post_message(
        client,
        bob,
        {
            "receivers": [alice.username, carol.username],
            "subject": "About your order",
            "message": "It has shipped.",
            "context": {"ref": "order:A-1", "data": {"items": 2}},
        },
    )
    assert answer.status_code == 201, answer.text
    await send(client, bob, alice, subject="long", message="word " * 400)
    answer = await post_message(
        client, alice, {"reply_to": first["id"], "subject": "Re: Grüße", "message": "Danke!"}
    )
    assert answer.status_code == 201, answer.text
    await send(client, alice, bob, carol, subject="To you both", message="Hi")
    trashed = await send(client, bob, alice, subject="Junk", message="Delete me")
    deleted = await client.delete(
        f"/users/{alice.username}/messages/{trashed['id']}", headers=alice.headers
    )
    assert deleted.status_code == 204, deleted.text
    read = await client.patch(
        f"/users/{alice.username}/messages/{first['id']}",
        json={"read": True},
        headers=alice.headers,
    )
    assert read.status_code == 200, read.text
    await send(client, bob, carol, subject="Not for alice", message="Private")


@pytest.mark.usefixtures("small_pages")
async def test_the_archive_holds_exactly_what_the_api_shows(
    client: httpx.AsyncClient, tmp_path: Any
) -> None:
    alice = await make_user(client)
    await fill_mailbox(client, alice)
    export = await export_of(client, alice)
    archive = await download(client, export["download_url"])
    verify_checksums(archive)
    manifest = archive.manifest
    assert manifest["format_version"] == builder.FORMAT_VERSION
    assert manifest["mailslot_version"] == mailslot.__version__
    assert manifest["user"]["username"] == alice.username
    total = 0
    for box, name in BOXES.items():
        shown = await whole_box(client, alice, box)
        assert shown, box
        assert archive.lines(name) == shown, box
        assert manifest["counts"][name] == len(shown)
        entries = archive.mbox(name, tmp_path)
        assert [int(entry["X-Mailslot-Id"]) for entry in entries] == [m["id"] for m in shown]
        for entry, message in zip(entries, shown, strict=True):
            assert header(entry, "Subject") == message["subject"]
            assert body(entry) == message["message"]
            assert f"{message['sender']}@mailslot.invalid" in header(entry, "From")
            for receiver in message["receivers"]:
                assert f"{receiver}@mailslot.invalid" in header(entry, "To")
            assert entry["Status"] == ("RO" if message["read"] else "O")
            assert int(entry["X-Mailslot-Thread"]) == message["thread_id"]
            sent_at = datetime.fromisoformat(message["created_at"])
            assert parsedate_to_datetime(entry["Date"]) == sent_at.replace(microsecond=0)
            if message["reply_to"] is not None:
                assert entry["In-Reply-To"] == f"<{message['reply_to']}@mailslot.invalid>"
            if message["context"] is not None:
                assert json.loads(header(entry, "X-Mailslot-Context")) == message["context"]
        total += len(shown)
    assert export["progress"] == {"done": total, "total": total}
    profile = await client.get(f"/users/{alice.username}", headers=alice.headers)
    assert json.loads(archive.files["profile.json"]) == profile.json()


async def test_an_empty_mailbox_exports_empty_files(client: httpx.AsyncClient, tmp_path) -> None:
    alice = await make_user(client)
    export = await export_of(client, alice)
    assert export["progress"] == {"done": 0, "total": 0}
    archive = await download(client, export["download_url"])
    verify_checksums(archive)
    assert archive.manifest["counts"] == {"received": 0, "sent": 0, "trash": 0}
    for name in BOXES.values():
        assert archive.files[f"{name}.jsonl"] == b""
        assert archive.mbox(name, tmp_path) == []


async def test_an_export_is_listed_and_followed(client: httpx.AsyncClient) -> None:
    alice = await make_user(client)
    started = await client.post(f"/users/{alice.username}/exports", headers=alice.headers)
    assert started.status_code == 202, started.text
    first = started.json()
    assert first["id"].startswith("exp_")
    assert first["state"] in ("queued", "running", "done")
    if first["state"] != "done":
        assert first["download_url"] is None
        assert first["expires_at"] is None
    done = await wait_for_export(
        client, f"/users/{alice.username}/exports/{first['id']}", alice.headers
    )
    assert done["download_url"].startswith(f"/exports/{first['id']}/archive?")
    expires = datetime.fromisoformat(done["expires_at"])
    assert timedelta(hours=23) < expires - utcnow() <= timedelta(hours=24)
    listed = await client.get(f"/users/{alice.username}/exports", headers=alice.headers)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"exports": [done]}


def altered_first(signature: str) -> str:
    """The signature with its first character changed (one in 64 began with "A")."""
    return ("B" if signature[0] == "A" else "A") + signature[1:]


async def test_the_link_needs_no_bearer_and_expires(app, client: httpx.AsyncClient) -> None:
    alice = await make_user(client)
    await send(client, await make_user(client), alice)
    export = await export_of(client, alice)
    url = export["download_url"]
    await download(client, url)  # no Authorization header
    path, query = url.split("?")
    params = dict(part.split("=", 1) for part in query.split("&"))
    for altered in (
        {**params, "signature": altered_first(params["signature"])},
        {**params, "expires": str(int(params["expires"]) + 1)},
    ):
        refused = await client.get(path, params=altered)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "invalid_download_link"
    # The archive expires: the link dies with it, and the purge removes it.
    async with app_state(app).sessions() as db:
        await db.execute(
            update(Export)
            .where(Export.public_id == export["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
    gone = await client.get(url)
    assert gone.status_code == 410, gone.text
    assert gone.json()["code"] == "export_expired"
    shown = await client.get(
        f"/users/{alice.username}/exports/{export['id']}", headers=alice.headers
    )
    assert shown.json()["download_url"] is None
    purged = await purge_expired(app_state(app).sessions, trash_retention=timedelta(days=30))
    assert purged.exports >= 1
    missing = await client.get(
        f"/users/{alice.username}/exports/{export['id']}", headers=alice.headers
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "export_not_found"
    async with app_state(app).sessions() as db:
        pieces = await db.scalar(
            select(func.count())
            .select_from(ExportChunk)
            .join(Export, Export.id == ExportChunk.export_id)
            .where(Export.public_id == export["id"])
        )
    assert pieces == 0


async def test_a_link_past_its_expiry_is_refused(app, client: httpx.AsyncClient) -> None:
    alice = await make_user(client)
    export = await export_of(client, alice)
    key = service.link_key(app_state(app).settings.resolved_secret_key())
    async with app_state(app).sessions() as db:
        row = await db.scalar(select(Export).where(Export.public_id == export["id"]))
        assert row is not None
        row.expires_at = utcnow() - timedelta(minutes=1)
        stale = service.download_url(key, row, now=utcnow() - timedelta(hours=1))
    assert stale is not None
    refused = await client.get(stale)
    assert refused.status_code == 410, refused.text


async def test_another_user_cannot_read_or_download(client: httpx.AsyncClient) -> None:
    alice, bob = await make_user(client), await make_user(client)
    await send(client, bob, alice, subject="secret")
    export = await export_of(client, alice)
    path = f"/users/{alice.username}/exports/{export['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 403
    assert (await client.get(path)).status_code == 401
    assert (
        await client.get(f"/users/{alice.username}/exports", headers=bob.headers)
    ).status_code == 403
    theirs = await client.get(f"/users/{bob.username}/exports/{export['id']}", headers=bob.headers)
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "export_not_found"
    listed = await client.get(f"/users/{bob.username}/exports", headers=bob.headers)
    assert listed.json() == {"exports": []}
    # Bob's own link does not open alice's archive.
    own = await export_of(client, bob)
    query = own["download_url"].split("?")[1]
    refused = await client.get(f"/exports/{export['id']}/archive?{query}")
    assert refused.status_code == 403
    assert refused.json()["code"] == "invalid_download_link"


async def test_a_second_export_within_the_interval_is_refused(
    app, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client)
    first = await client.post(f"/users/{alice.username}/exports", headers=alice.headers)
    assert first.status_code == 202, first.text
    again = await client.post(f"/users/{alice.username}/exports", headers=alice.headers)
    assert again.status_code == 429, again.text
    assert again.json()["code"] == "rate_limited"
    assert 3500 < int(again.headers["Retry-After"]) <= 3600
    # One that failed does not count.
    await wait_for_export(
        client, f"/users/{alice.username}/exports/{first.json()['id']}", alice.headers
    )
    async with app_state(app).sessions() as db:
        export = await db.scalar(select(Export).where(Export.public_id == first.json()["id"]))
        assert export is not None
        await db.execute(update(Job).where(Job.id == export.job_id).values(status="failed"))
        await db.commit()
    retried = await client.post(f"/users/{alice.username}/exports", headers=alice.headers)
    assert retried.status_code == 202, retried.text


@pytest.mark.usefixtures("small_pages")
async def test_a_build_resumes_on_another_instance(app, client: httpx.AsyncClient) -> None:
    """A build whose instance died after some steps is finished by another, from its
    last committed step: nothing written twice, nothing missed."""
    alice, bob = await make_user(client), await make_user(client)
    for number in range(5):
        await send(client, bob, alice, subject=f"n{number}")
    await send(client, alice, bob, subject="sent")
    sessions = app_state(app).sessions
    user_id = (await client.get(f"/users/{alice.username}", headers=alice.headers)).json()["id"]
    held = utcnow() + timedelta(hours=1)  # this "instance" holds it: no runner claims it
    async with sessions() as db:
        export, job = await service.start_export(db, user_id=user_id, origin="user", held=held)
        await db.commit()
    step = builder.export_step(timedelta(hours=1))
    for _ in range(2):
        async with sessions() as db:
            current = await db.get(Job, job.id)
            assert current is not None
            assert not await step(db, current)
            await db.commit()
    async with sessions() as db:  # the instance dies: its lease runs out
        await db.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
    app_state(app).jobs.wake()
    done = await wait_for_export(
        client, f"/users/{alice.username}/exports/{export.public_id}", alice.headers
    )
    assert done["state"] == "done", done
    archive = await download(client, done["download_url"])
    verify_checksums(archive)
    assert archive.lines("received") == await whole_box(client, alice, "inbox")
    assert archive.lines("sent") == await whole_box(client, alice, "sent")


async def test_a_failed_build_says_so_and_gives_no_link(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await make_user(client)
    await send(client, await make_user(client), alice)

    def broken(*_: object, **__: object) -> bytes:
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(mbox, "entry", broken)
    started = await client.post(f"/users/{alice.username}/exports", headers=alice.headers)
    assert started.status_code == 202, started.text
    failed = await wait_for_export(
        client, f"/users/{alice.username}/exports/{started.json()['id']}", alice.headers
    )
    assert failed["state"] == "failed"
    assert failed["download_url"] is None
    assert failed["expires_at"] is None


async def test_an_operator_export_left_by_its_command_is_dropped(
    app, client: httpx.AsyncClient
) -> None:
    """`mailslot user export` killed mid-build: a serving instance that takes the job
    over deletes it instead of building an archive nobody will write out."""
    alice = await make_user(client)
    user_id = (await client.get(f"/users/{alice.username}", headers=alice.headers)).json()["id"]
    sessions = app_state(app).sessions
    async with sessions() as db:
        expired_hold = utcnow() - timedelta(seconds=1)
        export, job = await service.start_export(
            db, user_id=user_id, origin="admin", held=expired_hold
        )
        await db.commit()
    app_state(app).jobs.wake()
    with anyio.fail_after(10):
        while True:
            async with sessions() as db:
                status = await db.scalar(select(Job.status).where(Job.id == job.id))
                left = await db.scalar(select(Export.id).where(Export.id == export.id))
            if status == "succeeded":
                break
            await anyio.sleep(0.02)
    assert left is None


async def test_an_erasure_deletes_the_users_exports_and_their_archives(
    app, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client)
    await send(client, await make_user(client), alice)
    export = await export_of(client, alice)
    await download(client, export["download_url"])
    erased = await client.request(
        "DELETE",
        f"/users/{alice.username}",
        json={"password": alice.password},
        headers=alice.headers,
    )
    assert erased.status_code == 204, erased.text
    gone = await client.get(export["download_url"])
    assert gone.status_code == 410, gone.text
    async with app_state(app).sessions() as db:
        left = await db.scalar(
            select(func.count())
            .select_from(ExportChunk)
            .join(Export, Export.id == ExportChunk.export_id)
            .where(Export.public_id == export["id"])
        )
        exports = await db.scalar(
            select(func.count()).select_from(Export).where(Export.public_id == export["id"])
        )
    assert (left, exports) == (0, 0)
