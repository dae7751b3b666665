"""Deletes that stay deleted: once its sender deleted a message for everyone, or a receiver
deleted their copy for good, no change-log entry serves its subject or body to them, by
`GET .../changes`, by SSE replay or by WebSocket replay from an old position."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import anyio
import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from mailslot.messages.purge import purge_expired
from mailslot.state import app_state
from tests.realtime.conftest import asgi_get
from tests.support.factories import TestUser, age_trash, make_user, send
from tests.support.sse import envelopes

pytestmark = pytest.mark.anyio

RETENTION = timedelta(days=30)
SUBJECT, BODY = "the subject nobody may see again", "the body nobody may see again"


async def changes(client: httpx.AsyncClient, user: TestUser) -> dict[str, Any]:
    response = await client.get(
        f"/users/{user.username}/changes", params={"since": 0, "limit": 1000}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def replays(app, client: httpx.AsyncClient, user: TestUser) -> dict[str, list[Any]]:
    """The user's whole log three ways: the changes feed, SSE and WebSocket replay from 0."""
    page = await changes(client, user)
    sse: list[dict[str, Any]] = []
    ws: list[dict[str, Any]] = []
    socket: AsyncWebSocketSession
    with anyio.fail_after(5):
        path = f"/users/{user.username}/events"
        async with asgi_get(app, path, headers={**user.headers, "Last-Event-ID": "0"}) as r:
            assert r.status == 200
            async for envelope in envelopes(r.lines()):
                sse.append(envelope)
                if envelope["id"] == page["latest"]:
                    break
        transport = ASGIWebSocketTransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as sockets,
            aconnect_ws(
                f"http://mailslot.test/users/{user.username}/ws?since=0",
                sockets,
                headers=user.headers,
            ) as socket,
        ):
            while not ws or ws[-1]["id"] != page["latest"]:
                ws.append(json.loads(await socket.receive_text()))
    return {"changes": page["changes"], "sse": sse, "ws": ws}


def of(message_id: int, log: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The log's entries about one message: type and scope (deletions) or subject."""
    return [
        (entry["type"], entry["data"].get("scope", entry["data"].get("subject")))
        for entry in log
        if entry["data"]["id"] == message_id
    ]


def assert_no_content(logs: dict[str, list[Any]]) -> None:
    for way, log in logs.items():
        text = json.dumps(log)
        assert SUBJECT not in text, (way, log)
        assert BODY not in text, (way, log)


async def test_a_delete_for_everyone_leaves_no_content_in_anyones_log(app, client) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    sent = await send(client, alice, bob, carol, subject=SUBJECT, message=BODY)
    messages = f"/users/{bob.username}/messages/{sent['id']}"
    assert (await client.get(messages, headers=bob.headers)).status_code == 200  # read
    trashed = await client.delete(
        f"/users/{carol.username}/messages/{sent['id']}", headers=carol.headers
    )
    assert trashed.status_code == 204  # in carol's trash, still hers to read
    assert SUBJECT in json.dumps(await changes(client, carol))

    deleted = await client.delete(
        f"/users/{alice.username}/messages/{sent['id']}", headers=alice.headers
    )
    assert deleted.status_code == 204
    for user in (alice, bob, carol):
        logs = await replays(app, client, user)
        assert_no_content(logs)
        for log in logs.values():
            # Sent (now a deletion), then whatever happened since, ending with the delete.
            assert of(sent["id"], log)[0] == ("message.deleted", "everyone")
            assert of(sent["id"], log)[-1] == ("message.deleted", "everyone")


async def test_a_receivers_delete_for_good_leaves_no_content_in_their_log(app, client) -> None:
    alice, bob, carol, dave = [await make_user(client) for _ in range(4)]
    sent = await send(client, alice, bob, carol, dave, subject=SUBJECT, message=BODY)

    def path(user: TestUser) -> str:
        return f"/users/{user.username}/messages/{sent['id']}"

    # bob from the inbox, carol from the trash, dave's trash purged.
    forever = {"permanent": "true"}
    assert (await client.delete(path(bob), params=forever, headers=bob.headers)).status_code == 204
    for user in (carol, dave):
        assert (await client.delete(path(user), headers=user.headers)).status_code == 204
    assert (
        await client.delete(path(carol), params=forever, headers=carol.headers)
    ).status_code == 204
    await age_trash(app, dave, days=RETENTION.days + 1)
    assert (await purge_expired(app_state(app).sessions, trash_retention=RETENTION)).trash >= 1

    for user in (bob, carol, dave):
        logs = await replays(app, client, user)
        assert_no_content(logs)
        for log in logs.values():
            assert of(sent["id"], log)[0] == ("message.deleted", "own")
    # The sender, and anyone else who holds it, still reads it in their log.
    for log in (await replays(app, client, alice)).values():
        assert of(sent["id"], log) == [("message.created", SUBJECT)]
