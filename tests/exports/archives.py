"""Reading an export's archive back as a client would: the zip, its manifest, the JSON
lines and the mbox files (Python's `mailbox`)."""

from __future__ import annotations

import hashlib
import io
import json
import mailbox
import re
import zipfile
from dataclasses import dataclass
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import anyio
import httpx

from tests.support.factories import TestUser

BOXES = {"inbox": "received", "sent": "sent", "trash": "trash"}
_UNQUOTE = re.compile(rb"^>(>*From )", re.MULTILINE)


@dataclass
class Archive:
    files: dict[str, bytes]

    @property
    def manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads(self.files["manifest.json"])
        return manifest

    def lines(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.files[f"{name}.jsonl"].splitlines()]

    def mbox(self, name: str, tmp_path: Path) -> list[mailbox.mboxMessage]:
        path = tmp_path / f"{name}.mbox"
        path.write_bytes(self.files[f"{name}.mbox"])
        box = mailbox.mbox(path, create=False)
        try:
            return list(box)
        finally:
            box.close()


def read_archive(data: bytes) -> Archive:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return Archive({name: archive.read(name) for name in archive.namelist()})


def verify_checksums(archive: Archive) -> None:
    files = archive.manifest["files"]
    assert set(files) == set(archive.files) - {"manifest.json"}
    for name, entry in files.items():
        assert hashlib.sha256(archive.files[name]).hexdigest() == entry["sha256"], name
        assert len(archive.files[name]) == entry["size"], name


async def wait_for_export(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> dict[str, Any]:
    """The export once done or failed (the app's own job runner builds it)."""
    with anyio.fail_after(30):
        while True:
            answer = await client.get(path, headers=headers)
            assert answer.status_code == 200, answer.text
            export: dict[str, Any] = answer.json()
            if export["state"] in ("done", "failed"):
                return export
            await anyio.sleep(0.02)


async def export_of(client: httpx.AsyncClient, user: TestUser) -> dict[str, Any]:
    started = await client.post(f"/users/{user.username}/exports", headers=user.headers)
    assert started.status_code == 202, started.text
    path = f"/users/{user.username}/exports/{started.json()['id']}"
    export = await wait_for_export(client, path, user.headers)
    assert export["state"] == "done", export
    return export


async def download(client: httpx.AsyncClient, url: str) -> Archive:
    """The archive, fetched as a browser would: no Authorization header."""
    answer = await client.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert answer.headers["content-disposition"].startswith("attachment;")
    return read_archive(answer.content)


async def whole_box(client: httpx.AsyncClient, user: TestUser, box: str) -> list[dict[str, Any]]:
    """Every message of the box as the list endpoint gives it, page after page."""
    messages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"box": box, "per_page": 3}
    while True:
        answer = await client.get(
            f"/users/{user.username}/messages", params=params, headers=user.headers
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        messages += page["messages"]
        if page["next_cursor"] is None:
            return messages
        params["cursor"] = page["next_cursor"]


def header(message: mailbox.mboxMessage, name: str) -> str:
    return str(make_header(decode_header(message[name])))


def body(message: mailbox.mboxMessage) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    if message["Content-Transfer-Encoding"] != "base64":  # mboxrd quoted its "From " lines
        payload = _UNQUOTE.sub(rb"\1", payload)
    text = payload.decode("utf-8")
    return text.removesuffix("\n")
