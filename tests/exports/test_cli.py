"""`mailslot user export` as an operator runs it, on the test database: the same archive
as the user's own, progress on standard error, nothing left behind."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.exports.archives import read_archive, verify_checksums, whole_box
from tests.exports.test_exports import fill_mailbox
from tests.support.commands import mailslot_command
from tests.support.factories import make_user

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


async def test_an_operator_exports_a_mailbox_to_a_file(
    client: httpx.AsyncClient, environment, tmp_path
) -> None:
    alice = await make_user(client)
    await fill_mailbox(client, alice)
    run = mailslot_command(environment)
    target = tmp_path / "alice.zip"
    run("user", "export", alice.username, "-o", str(target))
    archive = read_archive(target.read_bytes())
    verify_checksums(archive)
    for box, name in (("inbox", "received"), ("sent", "sent"), ("trash", "trash")):
        assert archive.lines(name) == await whole_box(client, alice, box)
    assert not (tmp_path / "alice.zip.part").exists()
    # Not a terminal: JSON progress lines, the last one complete.
    lines = [json.loads(line) for line in run.last_stderr.splitlines() if line.startswith("{")]
    progress = [line for line in lines if "progress" in line]
    assert progress[-1]["progress"] == "user export"
    assert progress[-1]["done"] == progress[-1]["total"] > 0
    # The archive lived only while it was written out: the user sees no export.
    listed = await client.get(f"/users/{alice.username}/exports", headers=alice.headers)
    assert listed.json() == {"exports": []}


async def test_an_unknown_user_or_no_file_is_refused(environment, tmp_path) -> None:
    run = mailslot_command(environment)
    missing = run("user", "export", "nobody-at-all", "-o", str(tmp_path / "x.zip"), code=3)
    assert "nobody-at-all" in missing
    assert not (tmp_path / "x.zip").exists()
    assert not (tmp_path / "x.zip.part").exists()
    assert "-o FILE" in run("user", "export", "someone", code=2)
