"""Host-minted tokens across instances: two `mailslot serve` over PostgreSQL and Redis, a
server key made with `mailslot keys create`. A token revoked, or a user deactivated,
through the server API of one instance is refused by the other at once, and the streams
it opened there end."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import text

from mailslot.bus import outside
from mailslot.db.engine import make_engine
from tests.process.test_live import Cluster, cluster, sse
from tests.support.databases import make_settings
from tests.support.factories import unique_name
from tests.support.people import external_id

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(180)]

__all__ = ["cluster"]  # the fixture: two servers and their Redis
SCOPES = ("users:write", "tokens:mint")


def make_key(cluster: Cluster) -> dict[str, str]:
    """`mailslot keys create` against the cluster's database, as an operator runs it."""
    return {"Authorization": f"Bearer {cluster.one.create_key(*SCOPES)}"}


async def provision(one: httpx.AsyncClient, key: dict[str, str]) -> tuple[str, str]:
    host_id = external_id()
    put = await one.put(f"/server/users/{host_id}", json={"display_name": "Ann"}, headers=key)
    assert put.status_code == 201, put.text
    return host_id, put.json()["username"]


async def mint(one: httpx.AsyncClient, key: dict[str, str], host_id: str) -> dict[str, Any]:
    minted = await one.post(f"/server/users/{host_id}/tokens", json={}, headers=key)
    assert minted.status_code == 201, minted.text
    token: dict[str, Any] = minted.json()
    return {**token, "headers": {"Authorization": f"Bearer {token['access_token']}"}}


async def test_a_token_revoked_on_one_instance_is_refused_on_the_other_at_once(cluster) -> None:
    key = make_key(cluster)
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        for _ in range(5):
            host_id, username = await provision(one, key)
            gone, kept = await mint(one, key, host_id), await mint(one, key, host_id)
            for token in (gone, kept, gone, kept):  # known to two's cache
                assert (await two.get(f"/users/{username}", headers=token["headers"])).is_success
            events_url = f"{cluster.two.url}/users/{username}/events"
            async with sse(events_url, gone["headers"]) as events:
                revoked = await one.delete(
                    f"/server/users/{host_id}/tokens/{gone['token_id']}", headers=key
                )
                assert revoked.status_code == 204, revoked.text
                refused = await two.get(f"/users/{username}", headers=gone["headers"])
                assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
                with anyio.fail_after(2):  # its stream on the other instance ends
                    rest = await events.rest()
            assert rest[-1].comments == ["end signed_out"]
            assert (await two.get(f"/users/{username}", headers=kept["headers"])).is_success


async def test_a_user_deactivated_on_one_instance_is_refused_on_the_other_at_once(
    cluster,
) -> None:
    key = make_key(cluster)
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        host_id, username = await provision(one, key)
        token = await mint(one, key, host_id)
        for _ in range(2):
            assert (await two.get(f"/users/{username}", headers=token["headers"])).is_success
        async with sse(f"{cluster.two.url}/users/{username}/events", token["headers"]) as events:
            off = await one.post(f"/server/users/{host_id}/deactivate", headers=key)
            assert off.status_code == 200, off.text
            refused = await two.get(f"/users/{username}", headers=token["headers"])
            assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
            with anyio.fail_after(2):
                rest = await events.rest()
        assert rest[-1].comments == ["end signed_out"]
        minting = await two.post(f"/server/users/{host_id}/tokens", json={}, headers=key)
        assert (minting.status_code, minting.json()["code"]) == (403, "account_deactivated")


def command(cluster: Cluster, *args: str) -> str:
    """`mailslot ARGS` on the cluster's database and Redis, as an operator runs it."""
    outside_env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")}
    done = subprocess.run(
        [sys.executable, "-m", "mailslot", *args],
        env=outside_env | cluster.one.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


async def test_a_key_revoked_with_the_command_is_refused_everywhere_at_once(cluster) -> None:
    """Both instances remember the key (over Redis they may); `mailslot keys revoke`
    returns once neither does, and the other keys keep working."""
    name = unique_name("shop")
    old = {
        "Authorization": f"Bearer {command(cluster, 'keys', 'create', '--name', name, '--scope', 'users:write')}"
    }
    new = make_key(cluster)
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        for client in (one, two, one, two):
            assert (await client.get("/server/key", headers=old)).status_code == 200
        assert command(cluster, "keys", "revoke", name) == f"revoked {name}"
        for client in (one, two):
            refused = await client.get("/server/key", headers=old)
            assert (refused.status_code, refused.json()["code"]) == (401, "invalid_server_key")
            assert (await client.get("/server/key", headers=new)).status_code == 200


async def test_an_instance_remembers_a_key_until_a_note_takes_it_back(cluster, tmp_path) -> None:
    """What the instances remember is what a note takes back: a key revoked in the
    database behind mailslot's back is still accepted where it is remembered, until a
    `forget_key` note (what `mailslot keys revoke` announces) reaches every instance."""
    name = unique_name("shop")
    key = {
        "Authorization": f"Bearer {command(cluster, 'keys', 'create', '--name', name, '--scope', 'users:write')}"
    }
    settings = make_settings(
        tmp_path,
        cluster.one.env["MAILSLOT_DATABASE_URL"],
        redis_url=cluster.one.env["MAILSLOT_REDIS_URL"],
    )
    engine = make_engine(settings)
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        try:
            for client in (one, two, one, two):
                assert (await client.get("/server/key", headers=key)).status_code == 200
            async with engine.begin() as connection:
                key_id = await connection.scalar(
                    text("UPDATE server_key SET revoked_at = now() WHERE name = :name "
                         "RETURNING id"),
                    {"name": name},
                )  # fmt: skip
            for client in (one, two):
                assert (await client.get("/server/key", headers=key)).status_code == 200
            assert await outside.announce(settings, engine, {"forget_key": key_id})
            for client in (one, two):
                refused = await client.get("/server/key", headers=key)
                assert (refused.status_code, refused.json()["code"]) == (401, "invalid_server_key")
        finally:
            await engine.dispose()


async def test_sends_as_the_platform_see_a_recipients_change_at_once(cluster, tmp_path) -> None:
    """Instances may remember who a host's ids are; a deactivation or a reactivation
    through either instance is seen by the other's next send, and a deactivation behind
    mailslot's back (no note) is caught by the send itself: reported, nothing delivered."""
    key = {"Authorization": f"Bearer {cluster.one.create_key('users:write', 'messages:send_as')}"}
    notice = {"from": "system", "subject": "Your order", "message": "has shipped"}

    async def outcome(client: httpx.AsyncClient, host_id: str) -> str:
        sent = await client.post(
            "/server/messages", json={**notice, "to": [host_id, kept]}, headers=key
        )
        assert sent.status_code == 201, sent.text
        status: str = sent.json()["deliveries"][0]["status"]
        return status

    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        host_id, _ = await provision(one, key)
        kept, _ = await provision(one, key)
        for client in (one, two, one, two):
            assert await outcome(client, host_id) == "delivered"
        assert (await one.post(f"/server/users/{host_id}/deactivate", headers=key)).is_success
        assert await outcome(two, host_id) == "deactivated"
        assert (await two.post(f"/server/users/{host_id}/reactivate", headers=key)).is_success
        assert await outcome(one, host_id) == "delivered"
        assert await outcome(two, host_id) == "delivered"

        engine = make_engine(make_settings(tmp_path, cluster.one.env["MAILSLOT_DATABASE_URL"]))
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE user_account SET deactivated_at = now() WHERE external_id = :id"),
                    {"id": host_id},
                )
        finally:
            await engine.dispose()
        for client in (one, two):
            assert await outcome(client, host_id) == "deactivated"
