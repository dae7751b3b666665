"""A deactivated user's live streams end at once, whichever the stream (SSE, WebSocket), and
live events carry display names."""

from __future__ import annotations

import anyio
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from tests.realtime.conftest import asgi_get
from tests.support.factories import make_user, send
from tests.support.people import deactivate, give_external_id
from tests.support.sse import envelopes, frames

pytestmark = pytest.mark.anyio


async def test_deactivation_ends_the_users_streams(live_client, live_app) -> None:
    bob = await make_user(live_client)
    host_id = await give_external_id(live_app, bob.username)
    path = f"/users/{bob.username}/events"
    ws: AsyncWebSocketSession
    async with (
        asgi_get(live_app, path, headers=bob.headers) as events,
        aconnect_ws(
            f"http://mailslot.test/users/{bob.username}/ws", live_client, headers=bob.headers
        ) as ws,
    ):
        await deactivate(live_app, host_id)
        with anyio.fail_after(2):
            received = [frame async for frame in frames(events.lines())]
            with pytest.raises(WebSocketDisconnect) as closed:
                await ws.receive_text()
    assert received[-1].comments == ["end signed_out"]
    assert (closed.value.code, closed.value.reason) == (4401, "invalid_token")


async def test_live_events_carry_display_names(live_client, live_app) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    response = await live_client.patch(
        f"/users/{alice.username}", json={"display_name": "Alice A."}, headers=alice.headers
    )
    assert response.status_code == 200
    async with asgi_get(live_app, f"/users/{bob.username}/events", headers=bob.headers) as r:
        stream = envelopes(r.lines())
        sent = await send(live_client, alice, bob)
        with anyio.fail_after(2):
            event = await anext(stream)
    assert event["data"]["id"] == sent["id"]
    assert event["data"]["sender_display_name"] == "Alice A."
    assert event["data"]["receiver_display_names"] == [None]
