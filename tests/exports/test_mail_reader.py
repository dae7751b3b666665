"""An export's mbox in a real mail reader: s-nail (Debian's `s-nail`), whose header
summary (`-H`) runs without a terminal. Skipped where it is not installed."""

from __future__ import annotations

import os
import shutil

import anyio
import httpx
import pytest

from tests.exports.archives import download, export_of, whole_box
from tests.exports.test_exports import fill_mailbox
from tests.support.factories import make_user

pytestmark = pytest.mark.anyio

S_NAIL = shutil.which("s-nail")


@pytest.mark.skipif(S_NAIL is None, reason="s-nail is not installed (apt-get install s-nail)")
async def test_s_nail_reads_every_message(client: httpx.AsyncClient, tmp_path) -> None:
    alice = await make_user(client)
    await fill_mailbox(client, alice)
    archive = await download(client, (await export_of(client, alice))["download_url"])
    assert S_NAIL is not None
    for box, name in (("inbox", "received"), ("sent", "sent"), ("trash", "trash")):
        path = tmp_path / f"{name}.mbox"
        path.write_bytes(archive.files[f"{name}.mbox"])
        done = await anyio.run_process(
            [S_NAIL, "-n", "-N", "-R", "-H", "-S", "headline=%m|%a|%s", "-f", str(path)],
            env={**os.environ, "LC_ALL": "C.UTF-8", "HOME": str(tmp_path)},
        )
        summary = done.stdout.decode()
        lines = [line.split("|", 2) for line in summary.splitlines()]
        shown = await whole_box(client, alice, box)
        assert [int(number) for number, _, _ in lines] == list(range(1, len(shown) + 1))
        for (_, flag, subject), message in zip(lines, shown, strict=True):
            assert subject.strip() == message["subject"]
            assert flag == ("O" if message["read"] else "U"), message
