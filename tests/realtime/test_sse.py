"""GET /users/{username}/events: framing, resuming, refusals before the stream starts,
tickets, heartbeats, sign-out, slow clients."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from sqlalchemy import update

from mailslot.accounts.models import StreamTicket
from mailslot.db.base import utcnow
from mailslot.state import app_state
from tests.realtime.conftest import ROUTING, asgi_get, layers_above
from tests.support.factories import make_user, send
from tests.support.sse import envelopes, frames

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]


async def ticket_for(client, user) -> str:
    response = await client.post(f"/users/{user.username}/stream-tickets", headers=user.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["expires_in"] == 30
    return str(body["ticket"])


async def test_events_arrive_framed_with_id_type_and_envelope(live_client, live_app) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    async with asgi_get(live_app, f"/users/{bob.username}/events", headers=bob.headers) as r:
        assert r.status == 200
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert r.headers["cache-control"] == "no-cache"
        stream = frames(r.lines())
        with anyio.fail_after(2):
            first = await anext(stream)
        # The opening sets Last-Event-ID to "now" without an event.
        assert (first.retry, first.id, first.data) == (2000, "0", [])
        sent = await send(live_client, alice, bob, subject="Hi")
        with anyio.fail_after(2):
            frame = await anext(stream)
            while not frame.data:  # heartbeats may come first
                frame = await anext(stream)
        assert frame.id == "1"
        assert frame.event == "message.created"
        assert frame.envelope == {
            "type": "message.created",
            "id": 1,
            "data": {**sent, "read": False, "box": "inbox"},
        }


async def test_last_event_id_replays_what_followed_then_goes_live(live_client, live_app) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    for i in range(3):
        await send(live_client, alice, bob, subject=f"s{i}")
    headers = {**bob.headers, "Last-Event-ID": "1"}
    path = f"/users/{bob.username}/events?since=0"  # the header wins: it is newer
    async with asgi_get(live_app, path, headers=headers) as r:
        events = envelopes(r.lines())
        seen = []
        with anyio.fail_after(3):
            seen += [await anext(events), await anext(events)]
            await send(live_client, alice, bob, subject="live")
            seen.append(await anext(events))
    assert [(e["id"], e["data"]["subject"]) for e in seen] == [(2, "s1"), (3, "s2"), (4, "live")]


async def test_refusals_are_problems_before_the_stream_starts(live_client, live_app) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    cases = [
        (f"/users/{bob.username}/events", {}, 401, "not_authenticated"),
        (f"/users/{bob.username}/events", {"Authorization": "Bearer nope"}, 401, "invalid_token"),
        (f"/users/{bob.username}/events?ticket=nope", {}, 401, "invalid_ticket"),
        (f"/users/{alice.username}/events", bob.headers, 403, "not_your_mailbox"),
        (f"/users/{bob.username}/events?since=5", bob.headers, 410, "resync_required"),
        (f"/users/{bob.username}/events?since=-1", bob.headers, 422, "validation_failed"),
        (
            f"/users/{bob.username}/events",
            {**bob.headers, "Last-Event-ID": "x1"},
            400,
            "invalid_parameter",
        ),
    ]
    for path, headers, status, code in cases:
        async with asgi_get(live_app, path, headers=headers) as r:
            body = (await r.body()).decode()
        assert (r.status, r.headers["content-type"]) == (status, "application/problem+json"), path
        assert f'"code": "{code}"' in body, (path, body)


async def test_a_ticket_opens_one_stream_only(live_client, live_app) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    ticket = await ticket_for(live_client, bob)
    path = f"/users/{bob.username}/events?ticket={ticket}&since=0"
    await send(live_client, alice, bob)
    async with asgi_get(live_app, path) as r:
        assert r.status == 200
        with anyio.fail_after(2):
            assert (await anext(envelopes(r.lines())))["id"] == 1
    async with asgi_get(live_app, path) as again:
        assert again.status == 401
        assert b"invalid_ticket" in await again.body()


async def test_tickets_expire_and_die_with_their_token(live_client, live_app) -> None:
    bob = await make_user(live_client)
    expired = await ticket_for(live_client, bob)
    async with app_state(live_app).sessions() as db:
        await db.execute(update(StreamTicket).values(expires_at=utcnow() - timedelta(seconds=1)))
        await db.commit()
    async with asgi_get(live_app, f"/users/{bob.username}/events?ticket={expired}") as r:
        assert r.status == 401

    unused = await ticket_for(live_client, bob)
    await live_client.delete(f"/users/{bob.username}/token", headers=bob.headers)
    async with asgi_get(live_app, f"/users/{bob.username}/events?ticket={unused}") as r:
        assert r.status == 401
    refused = await live_client.post(f"/users/{bob.username}/stream-tickets", headers=bob.headers)
    assert refused.status_code == 401


async def test_another_users_ticket_opens_nothing_of_yours(live_client, live_app) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    ticket = await ticket_for(live_client, bob)
    async with asgi_get(live_app, f"/users/{alice.username}/events?ticket={ticket}") as r:
        assert r.status == 403
    mismatched = await live_client.post(
        f"/users/{alice.username}/stream-tickets", headers=bob.headers
    )
    assert mismatched.status_code == 403


async def test_an_idle_stream_sends_heartbeats(live_client, live_app) -> None:
    bob = await make_user(live_client)
    async with asgi_get(live_app, f"/users/{bob.username}/events", headers=bob.headers) as r:
        stream = frames(r.lines())
        with anyio.fail_after(2):
            await anext(stream)
            assert (await anext(stream)).comments == ["ping"]


async def test_signing_out_ends_the_stream(live_client, live_app) -> None:
    bob = await make_user(live_client)
    async with asgi_get(live_app, f"/users/{bob.username}/events", headers=bob.headers) as r:
        await live_client.delete(f"/users/{bob.username}/token", headers=bob.headers)
        with anyio.fail_after(2):
            received = [frame async for frame in frames(r.lines())]
    assert received[-1].comments == ["end signed_out"]


async def test_a_client_that_does_not_read_is_disconnected_and_others_are_not(
    live_client, live_app, caplog
) -> None:
    alice, bob = await make_user(live_client), await make_user(live_client)
    path = f"/users/{bob.username}/events"
    async with (
        asgi_get(live_app, path, headers=bob.headers, buffer=0) as stuck,
        asgi_get(live_app, path, headers=bob.headers) as healthy,
    ):
        events = envelopes(healthy.lines())
        # The queue holds 8 (live settings); a dozen sends overflow the stuck one's.
        for i in range(12):
            await send(live_client, alice, bob, subject=f"s{i}")
            with anyio.fail_after(2):
                assert (await anext(events))["id"] == i + 1
        with anyio.fail_after(3):
            async for _ in stuck.chunks:  # what was in flight, then the end
                pass


async def test_an_open_stream_holds_no_routing_layer(live_client, live_app) -> None:
    """The edge runs the stream once FastAPI has returned: an idle stream keeps none of
    the router's or the endpoint's frames (some 10 KiB a connection)."""
    bob = await make_user(live_client)
    async with asgi_get(live_app, f"/users/{bob.username}/events", headers=bob.headers) as r:
        assert r.status == 200
        with anyio.fail_after(2):
            await anext(frames(r.lines()))
        above = layers_above("_stream")
    assert any(path.endswith("mailslot/realtime/deferred.py") for path in above), above
    assert not [path for path in above if path.endswith(ROUTING)], above
