"""Host-minted tokens across instances: two `mailslot serve` over PostgreSQL and Redis, a
server key made with `mailslot keys create`. A token revoked, or a user deactivated,
through the server API of one instance is refused by the other at once, and the streams
it opened there end."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from tests.process.test_live import Cluster, cluster, sse
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
