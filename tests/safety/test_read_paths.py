"""A block hides on every read path: each GET (and WebSocket) route of the app is either
probed here, for the blocker and for another receiver of the same message, or named with
the reason it shows no mailbox. A new read route fails `test_every_read_route_is_classified`
until someone says which."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest
from fastapi import FastAPI
from httpx_ws import AsyncWebSocketSession, aconnect_ws
from sqlalchemy import select

from mailslot.app import create_app
from mailslot.state import app_state
from mailslot.webhooks.models import WebhookEvent
from tests.authz.test_matrix import route_keys
from tests.compat.seed_a import seed_a
from tests.realtime.conftest import asgi_get
from tests.support.databases import make_settings
from tests.support.factories import (
    TestUser,
    add_endpoint_row,
    forget_webhook_endpoints,
    make_server_key,
    make_user,
    send,
)
from tests.support.people import give_external_id
from tests.support.sse import envelopes

pytestmark = pytest.mark.anyio

# Routes that show no message of the user who blocks: why, for each.
NO_MAILBOX = {
    "GET /openapi.json": "the schema",
    "GET /docs": "documentation",
    "GET /redoc": "documentation",
    "MOUNT /docs/assets": "documentation",
    "GET /": "the web client's page: it reads through the probed routes",
    "MOUNT /static": "the web client's files",
    "GET /embed.js": "the embeddable inbox's script: its frame reads through the probed routes",
    "GET /embed/inbox": "the embeddable inbox's page: the same",
    "GET /users/{username}/exports": "exports' progress and links, no mail",
    "GET /users/{username}/exports/{export_id}": "the same",
    "GET /server/users/{external_id}/exports/{export_id}": "the same",
    "GET /exports/{export_id}/archive": "an archive built page by page with the inbox's own "
    "statement (probed above): a message never delivered is on no page",
    "GET /healthz": "operations",
    "GET /client-settings": "the operator's settings for the web client (context links)",
    "GET /readyz": "operations",
    "GET /metrics": "operations: counts of the whole service, never of one mailbox",
    "GET /users/{username}": "the profile",
    "GET /users/{username}/blocks": "whom the user blocks, no mail",
    "GET /users/{username}/access-log": "who read the mailbox through the server API",
    "GET /server/key": "the key itself",
    "GET /server/users/{external_id}": "the user's account",
    "GET /server/users/{external_id}/tokens": "the user's tokens",
    "GET /server/users/{external_id}/sanctions": "the user's sanctions",
    "GET /server/users/{external_id}/hold": "whether the user's mail is on legal hold",
    "GET /server/audit": "the trail of mailbox reads: operations and ids, no content",
    "GET /server/messages/{message_id}": "the message as its sender sees it (the operator's "
    "view: it has a copy for no receiver who blocks the sender)",
    "GET /server/system/messages": "the platform's own mailbox",
    "GET /server/policy/messaging": "the messaging policy's rules",
    "GET /server/reports": "reports made by receivers: a message never delivered cannot be",
    "GET /server/reports/{report_id}": "the same",
    "GET /server/jobs/{job_id}": "a job's progress",
    "GET /server/webhooks": "endpoints (each event is checked in the outbox: test_webhooks)",
    "GET /server/webhooks/{webhook_id}": "the same",
    "GET /server/webhooks/{webhook_id}/deliveries": "the outbox's log: checked in the table",
    "GET /server/webhooks/{webhook_id}/deliveries/{event_id}": "the same",
}


@dataclass
class World:
    """alice sends one message to bob, who blocks her, and to carol, who does not."""

    client: httpx.AsyncClient
    app: FastAPI
    alice: TestUser
    bob: TestUser
    carol: TestUser
    marker: str
    message_id: int
    thread_id: int
    key: dict[str, str]
    external_ids: dict[str, str]
    streamed: dict[tuple[str, str], bool]


Probe = Callable[[World, TestUser], Awaitable[bool]]


async def _get(world: World, user: TestUser, path: str, **params: Any) -> httpx.Response:
    return await world.client.get(path, params=params, headers=user.headers)


def _shows(world: World, response: httpx.Response) -> bool:
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200 and world.marker in response.text


async def _inbox(world: World, user: TestUser) -> bool:
    return _shows(world, await _get(world, user, f"/users/{user.username}/messages"))


async def _search(world: World, user: TestUser) -> bool:
    params = {"q": world.marker, "from": world.alice.username}
    return _shows(world, await _get(world, user, f"/users/{user.username}/messages", **params))


async def _message(world: World, user: TestUser) -> bool:
    path = f"/users/{user.username}/messages/{world.message_id}"
    return _shows(world, await _get(world, user, path, mark_read="false"))


async def _thread(world: World, user: TestUser) -> bool:
    path = f"/users/{user.username}/threads/{world.thread_id}"
    return _shows(world, await _get(world, user, path))


async def _threads(world: World, user: TestUser) -> bool:
    return _shows(world, await _get(world, user, f"/users/{user.username}/threads"))


async def _contacts(world: World, user: TestUser) -> bool:
    """Whether alice, whose only message to them is the one probed, is among their
    contacts."""
    response = await _get(world, user, f"/users/{user.username}/contacts", prefix="")
    assert response.status_code == 200, response.text
    return world.alice.username in response.text


async def _unread(world: World, user: TestUser) -> bool:
    response = await _get(world, user, f"/users/{user.username}/unread")
    assert response.status_code == 200, response.text
    # What they could have: alice's message and the fence (dave's, after it).
    return int(response.json()["unread"]) - 1 > 0


async def _changes(world: World, user: TestUser) -> bool:
    return _shows(world, await _get(world, user, f"/users/{user.username}/changes"))


async def _server_mailbox(world: World, user: TestUser) -> bool:
    path = f"/server/users/{world.external_ids[user.username]}/messages"
    return _shows(world, await world.client.get(path, headers=world.key))


def _seed_a(path: str, request: str) -> Probe:
    async def probe(world: World, user: TestUser) -> bool:
        query = urlencode({"username": user.username, "password": user.password})
        login = await seed_a(world.client, "POST", f"//login?{query}")
        assert login.status_code == 200, login.text
        response = await seed_a(world.client, "GET", f"{path}?{query}&request={request}")
        # `read` marks what it returns read: unread again, for the probes that follow.
        unread = await world.client.patch(
            f"/users/{user.username}/messages",
            json={"all": True, "read": False},
            headers=user.headers,
        )
        assert unread.status_code == 200, unread.text
        return _shows(world, response)

    return probe


def _streamed(kind: str) -> Probe:
    async def probe(world: World, user: TestUser) -> bool:
        return world.streamed[(kind, user.username)]

    return probe


PROBES: dict[str, list[Probe]] = {
    "GET /users/{username}/messages": [_inbox, _search],
    "GET /users/{username}/messages/{message_id}": [_message],
    "GET /users/{username}/threads/{thread_id}": [_thread],
    "GET /users/{username}/threads": [_threads],
    "GET /users/{username}/contacts": [_contacts],
    "GET /users/{username}/unread": [_unread],
    "GET /users/{username}/changes": [_changes],
    "GET /users/{username}/events": [_streamed("sse")],
    "WS /users/{username}/ws": [_streamed("ws")],
    "GET /server/users/{external_id}/messages": [_server_mailbox],
    "GET //message": [_seed_a("//message", "read")],  # the oldest unread
    "GET //messages": [_seed_a("//messages", "get_all")],
    "GET /message": [_seed_a("/message", "read")],  # seed A's single-slash aliases
    "GET /messages": [_seed_a("/messages", "get_all")],
}


def read_routes(app: FastAPI) -> set[str]:
    return {key for key in route_keys(app.routes) if key.split(" ", 1)[0] in ("GET", "WS", "MOUNT")}


def test_every_read_route_is_classified(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/unused.db"))
    served = read_routes(app)
    unclassified = sorted(served - PROBES.keys() - NO_MAILBOX.keys())
    gone = sorted((PROBES.keys() | NO_MAILBOX.keys()) - served)
    assert not unclassified, f"probe these read routes for blocks, or say why not: {unclassified}"
    assert not gone, f"these classified routes are no longer served: {gone}"
    assert not PROBES.keys() & NO_MAILBOX.keys()


async def _until_fence(events: AsyncIterator[Any], fence: str, marker: str) -> bool:
    """Whether the marker streams before the fence (a later message to the same user)."""
    seen = False
    with anyio.fail_after(5):
        async for event in events:
            text = json.dumps(event)
            seen = seen or marker in text
            if fence in text:
                return seen
    raise AssertionError("the stream ended before the fence")


async def _ws_events(ws: AsyncWebSocketSession) -> AsyncIterator[Any]:
    while True:
        yield json.loads(await ws.receive_text())


async def test_a_block_hides_on_every_read_route(live_app, live_client, dialect) -> None:
    client = live_client
    alice, bob, carol, dave = [await make_user(client) for _ in range(4)]
    blocked = await client.put(
        f"/users/{bob.username}/blocks/{alice.username}", headers=bob.headers
    )
    assert blocked.status_code == 200, blocked.text
    external_ids = {u.username: await give_external_id(live_app, u.username) for u in (bob, carol)}
    key = (await make_server_key(live_app, "mailbox:read")).headers
    await add_endpoint_row(
        app_state(live_app).sessions, "https://93.184.215.14/hook", "message.created"
    )
    marker, fence = f"m{uuid.uuid4().hex}", f"f{uuid.uuid4().hex}"
    streamed: dict[tuple[str, str], bool] = {}
    try:
        async with AsyncExitStack() as stack:
            streams: dict[tuple[str, str], AsyncIterator[Any]] = {}
            for user in (bob, carol):
                sse = await stack.enter_async_context(
                    asgi_get(live_app, f"/users/{user.username}/events", headers=user.headers)
                )
                assert sse.status == 200
                streams[("sse", user.username)] = envelopes(sse.lines())
                url = f"http://mailslot.test/users/{user.username}/ws"
                ws: AsyncWebSocketSession = await stack.enter_async_context(
                    aconnect_ws(url, client, headers=user.headers)
                )
                streams[("ws", user.username)] = _ws_events(ws)
            sent = await send(client, alice, bob, carol, subject=marker, message=marker)
            await send(client, dave, bob, carol, subject=fence)
            for (kind, name), events in streams.items():
                streamed[(kind, name)] = await _until_fence(events, fence, marker)
        async with app_state(live_app).sessions() as db:
            hooked = set(
                (
                    await db.scalars(
                        select(WebhookEvent.user_id).where(WebhookEvent.message_id == sent["id"])
                    )
                ).all()
            )
    finally:
        await forget_webhook_endpoints(live_app)
    # The sender sees it as sent to both.
    assert sent["receivers"] == [bob.username, carol.username]
    outbox = await client.get(
        f"/users/{alice.username}/messages", params={"box": "sent"}, headers=alice.headers
    )
    assert marker in outbox.text
    # Webhooks: an event for carol's copy, none for bob's.
    ids = await _user_ids(live_app, bob, carol)
    assert hooked == {ids[carol.username]}
    world = World(
        client,
        live_app,
        alice,
        bob,
        carol,
        marker,
        sent["id"],
        sent["thread_id"],
        key,
        external_ids,
        streamed,
    )
    for route, probes in PROBES.items():
        for probe in probes:
            assert await probe(world, carol), f"{route} ({probe.__name__}) hides it from carol"
            assert not await probe(world, bob), f"{route} ({probe.__name__}) shows it to bob"


async def _user_ids(app: FastAPI, *users: TestUser) -> dict[str, int]:
    from mailslot.accounts.models import User

    async with app_state(app).sessions() as db:
        rows = await db.execute(
            select(User.username, User.id).where(User.username.in_([u.username for u in users]))
        )
        return {row.username: row.id for row in rows}
