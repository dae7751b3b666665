"""A handler that only reads holds its pooled connection only while it reads: never while
its answer is being built or sent (a slow client must not hold one)."""

from __future__ import annotations

from typing import cast

import httpx
import pytest
from sqlalchemy.pool import QueuePool
from starlette.types import Message, Receive, Scope, Send

from mailslot.state import app_state
from tests.support.factories import make_user, send

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "path",
    [
        "/users/{me}/messages",
        "/users/{me}/messages?box=sent",
        "/users/{me}/unread",
        "/users/{me}/threads/{thread}",
        "/users/{other}",
    ],
)
async def test_a_read_gives_its_connection_back_before_it_answers(app, client, path) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    await send(client, bob, alice)
    pool = cast(QueuePool, app_state(app).engine.pool)  # the read-only engine shares it
    held: list[int] = []

    async def observed(scope: Scope, receive: Receive, respond: Send) -> None:
        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                held.append(pool.checkedout())
            await respond(message)

        await app(scope, receive, watched)

    transport = httpx.ASGITransport(app=observed)
    async with httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as reader:
        target = path.format(me=alice.username, other=bob.username, thread=sent["thread_id"])
        answer = await reader.get(target, headers=alice.headers)
    assert answer.status_code == 200, answer.text
    assert held == [0]
