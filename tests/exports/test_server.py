"""The server API's export of a user's mailbox: audited, the same archive, and out of the
user's own list and limit."""

from __future__ import annotations

import httpx
import pytest

from tests.exports.archives import download, export_of, verify_checksums, wait_for_export, whole_box
from tests.support.factories import make_server_key, make_user, send
from tests.support.people import give_external_id

pytestmark = pytest.mark.anyio


async def test_a_host_exports_a_mailbox_audited(app, client: httpx.AsyncClient) -> None:
    alice, bob = await make_user(client), await make_user(client)
    await send(client, bob, alice, subject="to alice")
    await send(client, alice, bob, subject="from alice")
    host_id = await give_external_id(app, alice.username)
    key = await make_server_key(app, "mailbox:read", "audit:read")
    headers = {"Authorization": f"Bearer {key.key}"}
    started = await client.post(f"/server/users/{host_id}/exports", headers=headers)
    assert started.status_code == 202, started.text
    export = await wait_for_export(
        client, f"/server/users/{host_id}/exports/{started.json()['id']}", headers
    )
    assert export["state"] == "done", export
    archive = await download(client, export["download_url"])
    verify_checksums(archive)
    assert archive.lines("received") == await whole_box(client, alice, "inbox")
    assert archive.lines("sent") == await whole_box(client, alice, "sent")
    # The same archive as the user's own, file for file (but the manifest's time).
    own = await download(client, (await export_of(client, alice))["download_url"])
    assert {n: d for n, d in own.files.items() if n != "manifest.json"} == {
        n: d for n, d in archive.files.items() if n != "manifest.json"
    }
    # Audited as a read of the mailbox; neither listed to the user nor counted.
    trail = await client.get("/server/audit", params={"user": host_id}, headers=headers)
    assert trail.status_code == 200, trail.text
    operations = [record["operation"] for record in trail.json()["records"]]
    assert operations == ["post_server_user_export"]
    listed = await client.get(f"/users/{alice.username}/exports", headers=alice.headers)
    assert started.json()["id"] not in [e["id"] for e in listed.json()["exports"]]


async def test_a_host_names_a_user_and_an_export_that_exist(app, client: httpx.AsyncClient) -> None:
    alice, bob = await make_user(client), await make_user(client)
    alice_id = await give_external_id(app, alice.username)
    bob_id = await give_external_id(app, bob.username)
    key = await make_server_key(app, "mailbox:read")
    headers = {"Authorization": f"Bearer {key.key}"}
    unknown = await client.post("/server/users/cus_nobody/exports", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "user_not_found"
    started = await client.post(f"/server/users/{alice_id}/exports", headers=headers)
    assert started.status_code == 202, started.text
    export_id = started.json()["id"]
    # Under another user's id, and the user's own export's route: not found.
    other = await client.get(f"/server/users/{bob_id}/exports/{export_id}", headers=headers)
    assert other.status_code == 404
    assert other.json()["code"] == "export_not_found"
    own = await client.get(f"/users/{alice.username}/exports/{export_id}", headers=alice.headers)
    assert own.status_code == 404
