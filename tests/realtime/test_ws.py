"""GET /users/{username}/ws: envelopes as text frames; refusals as close codes."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from tests.realtime.conftest import ROUTING, layers_above
from tests.support.factories import TestUser, make_user, send

pytestmark = pytest.mark.anyio


async def receive(ws: AsyncWebSocketSession) -> dict[str, Any]:
    with anyio.fail_after(2):
        return dict(json.loads(await ws.receive_text()))


async def close_code(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    with anyio.fail_after(2):
        ws: AsyncWebSocketSession
        async with aconnect_ws(f"http://mailslot.test{path}", client, headers=headers or {}) as ws:
            with pytest.raises(WebSocketDisconnect) as closed:
                await ws.receive_text()
    return closed.value.code, closed.value.reason


async def ticket_for(client: httpx.AsyncClient, user: TestUser) -> str:
    response = await client.post(f"/users/{user.username}/stream-tickets", headers=user.headers)
    return str(response.json()["ticket"])


async def test_envelopes_arrive_as_text_frames(live_client) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    url = f"http://mailslot.test/users/{bob.username}/ws"
    ws: AsyncWebSocketSession
    async with aconnect_ws(url, live_client, headers=bob.headers) as ws:
        sent = await send(live_client, alice, bob, subject="Hi")
        assert await receive(ws) == {
            "type": "message.created",
            "id": 1,
            "data": {**sent, "read": False, "box": "inbox"},
        }
        await live_client.get(f"/users/{bob.username}/messages/{sent['id']}", headers=bob.headers)
        update = await receive(ws)
        assert (update["type"], update["id"], update["data"]["read"]) == (
            "message.updated",
            2,
            True,
        )


async def test_a_ticket_and_since_replay_then_live(live_client) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    await send(live_client, alice, bob, subject="first")
    await send(live_client, alice, bob, subject="second")
    ticket = await ticket_for(live_client, bob)
    url = f"http://mailslot.test/users/{bob.username}/ws?since=1&ticket={ticket}"
    ws: AsyncWebSocketSession
    async with aconnect_ws(url, live_client) as ws:
        assert (await receive(ws))["data"]["subject"] == "second"
        await send(live_client, alice, bob, subject="third")
        assert (await receive(ws))["id"] == 3


async def test_refusals_close_with_4000_plus_the_status(live_client) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    used = await ticket_for(live_client, bob)
    async with aconnect_ws(
        f"http://mailslot.test/users/{bob.username}/ws?ticket={used}", live_client
    ):
        pass
    base = f"/users/{bob.username}/ws"
    assert await close_code(live_client, base) == (4401, "not_authenticated")
    assert await close_code(live_client, base, headers={"Authorization": "Bearer x"}) == (
        4401,
        "invalid_token",
    )
    assert await close_code(live_client, f"{base}?ticket={used}") == (4401, "invalid_ticket")
    assert await close_code(live_client, f"/users/{alice.username}/ws", headers=bob.headers) == (
        4403,
        "not_your_mailbox",
    )
    assert await close_code(live_client, f"{base}?since=3", headers=bob.headers) == (
        4410,
        "resync_required",
    )
    assert await close_code(live_client, f"{base}?since=-1", headers=bob.headers) == (
        4400,
        "invalid_parameter",
    )


async def test_signing_out_closes_the_socket(live_client) -> None:
    bob = await make_user(live_client)
    url = f"http://mailslot.test/users/{bob.username}/ws"
    ws: AsyncWebSocketSession
    with anyio.fail_after(3):
        async with aconnect_ws(url, live_client, headers=bob.headers) as ws:
            await live_client.delete(f"/users/{bob.username}/token", headers=bob.headers)
            with pytest.raises(WebSocketDisconnect) as closed:
                await ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (4401, "invalid_token")


async def test_signing_out_another_token_leaves_the_socket_open(live_client) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    again = await live_client.post(f"/users/{bob.username}/token", json={"password": bob.password})
    other = {"Authorization": f"Bearer {again.json()['access_token']}"}
    url = f"http://mailslot.test/users/{bob.username}/ws"
    ws: AsyncWebSocketSession
    async with aconnect_ws(url, live_client, headers=bob.headers) as ws:
        await live_client.delete(f"/users/{bob.username}/token", headers=other)
        await send(live_client, alice, bob)
        assert (await receive(ws))["id"] == 1


async def test_an_open_socket_holds_no_routing_layer(live_client) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    ws: AsyncWebSocketSession
    async with aconnect_ws(
        f"http://mailslot.test/users/{bob.username}/ws", live_client, headers=bob.headers
    ) as ws:
        await send(live_client, alice, bob)
        await receive(ws)  # the session is running
        above = layers_above("_websocket_session")
    assert any(path.endswith("mailslot/realtime/deferred.py") for path in above), above
    assert not [path for path in above if path.endswith(ROUTING)], above
