"""An erasure on live streams: the erased user's streams end, a receiver hears the
`message.deleted` of purge-sent, and what a receiver hears of a kept message afterwards
shows the tombstone."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI

from tests.realtime.conftest import asgi_get
from tests.support.factories import TestUser, make_server_key, make_user, send
from tests.support.people import give_external_id
from tests.support.sse import envelopes, frames

pytestmark = pytest.mark.anyio


async def erase(app: FastAPI, client: httpx.AsyncClient, user: TestUser, mode: str) -> str:
    host_id = await give_external_id(app, user.username)
    key = await make_server_key(app, "users:write")
    answer = await client.delete(
        f"/server/users/{host_id}", params={"mode": mode}, headers=key.headers
    )
    assert answer.status_code == 200, answer.text
    tombstone: str = answer.json()["tombstone"]
    return tombstone


async def test_the_erased_users_stream_ends(live_client, live_app) -> None:
    alice = await make_user(live_client)
    async with asgi_get(live_app, f"/users/{alice.username}/events", headers=alice.headers) as r:
        await erase(live_app, live_client, alice, "pseudonymize")
        with anyio.fail_after(2):
            received = [frame async for frame in frames(r.lines())]
    assert received[-1].comments == ["end signed_out"]


async def test_a_receiver_hears_purge_sent_delete_what_the_erased_user_sent(
    live_client, live_app
) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    message = await send(live_client, alice, bob)
    async with asgi_get(live_app, f"/users/{bob.username}/events", headers=bob.headers) as r:
        stream = envelopes(r.lines())
        await erase(live_app, live_client, alice, "purge-sent")
        with anyio.fail_after(2):
            event: dict[str, Any] = await anext(stream)
    assert (event["type"], event["data"]) == (
        "message.deleted",
        {"id": message["id"], "scope": "everyone"},
    )


async def test_a_kept_message_comes_back_live_from_the_tombstone(live_client, live_app) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    message = await send(live_client, alice, bob)
    trashed = await live_client.delete(
        f"/users/{bob.username}/messages/{message['id']}", headers=bob.headers
    )
    assert trashed.status_code == 204
    tombstone = await erase(live_app, live_client, alice, "pseudonymize")
    async with asgi_get(live_app, f"/users/{bob.username}/events", headers=bob.headers) as r:
        stream = envelopes(r.lines())
        restored = await live_client.post(
            f"/users/{bob.username}/messages/{message['id']}/restore", headers=bob.headers
        )
        assert restored.status_code == 200
        with anyio.fail_after(2):
            event: dict[str, Any] = await anext(stream)
    assert event["type"] == "message.created"
    assert (event["data"]["id"], event["data"]["sender"]) == (message["id"], tombstone)
    assert alice.username not in str(event)
