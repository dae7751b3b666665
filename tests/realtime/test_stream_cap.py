"""MAILSLOT_MAX_STREAMS_PER_USER: one stream beyond the cap is refused (SSE 429, WebSocket
4429), every ending frees its slot, instances share the count through Redis, and the slots
of a crashed instance expire. tests/process/test_stream_cap.py: the same at SIGTERM and
SIGKILL of real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import cast

import anyio
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from redis import Redis

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.errors import TooManyStreams
from mailslot.realtime.slots import RedisStreamSlots, StreamSlots
from mailslot.state import app_state
from tests.realtime.conftest import asgi_get
from tests.realtime.test_ws import close_code
from tests.support.factories import TestUser, make_user
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app with its own lifespan, and an HTTP and WebSocket client to it."""
    app = create_app(settings)
    transport = ASGIWebSocketTransport(app=app)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as client,
    ):
        yield app, client


@pytest.fixture(scope="module")
async def capped(live_settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Two streams per user, counted in this process."""
    async with serving(live_settings.model_copy(update={"max_streams_per_user": 2})) as pair:
        yield pair


@pytest.fixture
def redis_settings(live_settings: Settings, redis_url: str, redis_prefix: str) -> Settings:
    """Two streams per user, counted in Redis under this test's own prefix."""
    return live_settings.model_copy(
        update={
            "max_streams_per_user": 2,
            "redis_url": redis_url,
            "redis_prefix": redis_prefix,
        }
    )


async def user_id(client: httpx.AsyncClient, user: TestUser) -> int:
    return int((await client.get(f"/users/{user.username}", headers=user.headers)).json()["id"])


async def refused_sse(app: FastAPI, user: TestUser) -> None:
    async with asgi_get(app, f"/users/{user.username}/events", headers=user.headers) as r:
        assert r.status == 429  # before reading: a stream's body never ends
        body = await r.body()
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["retry-after"].isdigit()
    assert b'"code": "too_many_streams"' in body


async def refused_ws(client: httpx.AsyncClient, user: TestUser) -> None:
    path = f"/users/{user.username}/ws"
    assert await close_code(client, path, headers=user.headers) == (4429, "too_many_streams")


def ws(client: httpx.AsyncClient, user: TestUser):
    return aconnect_ws(
        f"http://mailslot.test/users/{user.username}/ws", client, headers=user.headers
    )


def sse(app: FastAPI, user: TestUser):
    return asgi_get(app, f"/users/{user.username}/events", headers=user.headers)


async def until(condition: Callable[[], bool]) -> None:
    with anyio.fail_after(2):
        while not condition():  # noqa: ASYNC110 (no event to wait on: a count, or Redis)
            await anyio.sleep(0.01)


async def test_one_stream_beyond_the_cap_is_refused_until_one_closes(capped) -> None:
    app, client = capped
    slots: StreamSlots = app_state(app).stream_slots
    alice, bob = await make_user(client), await make_user(client)
    bob_id = await user_id(client, bob)
    async with sse(app, bob) as first, AsyncExitStack() as second:
        assert first.status == 200
        await second.enter_async_context(ws(client, bob))
        # SSE and WebSocket count together.
        await refused_sse(app, bob)
        await refused_ws(client, bob)
        # Another user's streams are theirs to count.
        async with sse(app, alice) as other:
            assert other.status == 200
        # Authentication comes first: no token is still 401, another's token 403.
        async with asgi_get(app, f"/users/{bob.username}/events") as anonymous:
            assert anonymous.status == 401
        async with asgi_get(app, f"/users/{bob.username}/events", headers=alice.headers) as r:
            assert r.status == 403
        # The WebSocket's client leaves: its slot is free for a new stream.
        await second.aclose()
        await until(lambda: slots.count(bob_id) == 1)
        async with ws(client, bob):
            await refused_sse(app, bob)
    await until(lambda: slots.count(bob_id) == 0)


async def test_signing_out_frees_the_slots_of_the_streams_it_ends(capped) -> None:
    app, client = capped
    slots: StreamSlots = app_state(app).stream_slots
    bob = await make_user(client)
    bob_id = await user_id(client, bob)
    async with sse(app, bob) as events, ws(client, bob):
        assert events.status == 200
        assert slots.count(bob_id) == 2
        await client.delete(f"/users/{bob.username}/token", headers=bob.headers)
        with anyio.fail_after(2):
            assert b"end signed_out" in await events.body()
        await until(lambda: slots.count(bob_id) == 0)


async def test_the_openapi_document_lists_429_for_events(capped) -> None:
    _, client = capped
    spec = (await client.get("/openapi.json")).json()
    refused = spec["paths"]["/users/{username}/events"]["get"]["responses"]["429"]
    assert "Retry-After" in refused["headers"]


async def test_instances_share_the_count_through_redis(redis_settings) -> None:
    # A lease longer than the test: a slot leaves Redis only when its stream gives it back.
    settings = redis_settings.model_copy(update={"stream_heartbeat": 60})
    async with serving(settings) as (one, one_client), serving(settings) as (two, two_client):
        bob = await make_user(one_client)
        async with sse(one, bob) as on_one, ws(two_client, bob):
            assert on_one.status == 200
            await refused_sse(one, bob)
            await refused_sse(two, bob)
            await refused_ws(one_client, bob)
            await refused_ws(two_client, bob)
        # Both ended and gave their slots back: two new streams open.
        key = cast(RedisStreamSlots, app_state(two).stream_slots).key(
            await user_id(one_client, bob)
        )
        redis = Redis.from_url(redis_settings.redis_url)
        try:
            await until(lambda: redis.zcard(key) == 0)
        finally:
            redis.close()
        async with sse(two, bob) as again, ws(one_client, bob):
            assert again.status == 200


async def test_a_slot_past_its_lease_does_not_count_and_one_within_it_does(
    redis_settings,
) -> None:
    redis = Redis.from_url(redis_settings.redis_url)
    async with serving(redis_settings) as (app, client):
        bob = await make_user(client)
        key = cast(RedisStreamSlots, app_state(app).stream_slots).key(await user_id(client, bob))
        seconds, micros = redis.time()
        now_ms = seconds * 1000 + micros // 1000
        # Left by instances that died without releasing: one expired, one not yet.
        redis.zadd(key, {"crashed-long-ago": now_ms - 1, "crashed-just-now": now_ms + 60_000})
        async with sse(app, bob) as stream:
            assert stream.status == 200
            await refused_sse(app, bob)
        assert redis.zscore(key, "crashed-long-ago") is None
    redis.close()


async def test_open_streams_renew_their_lease(redis_settings) -> None:
    redis = Redis.from_url(redis_settings.redis_url)
    async with serving(redis_settings) as (app, client):
        bob = await make_user(client)
        key = cast(RedisStreamSlots, app_state(app).stream_slots).key(await user_id(client, bob))
        async with sse(app, bob) as stream:
            assert stream.status == 200
            [(slot, first)] = cast(
                list[tuple[bytes, float]], redis.zrange(key, 0, -1, withscores=True)
            )
            await until(lambda: cast(float, redis.zscore(key, slot)) > first)
    redis.close()


async def test_an_instance_that_stops_renewing_loses_its_slots(redis_url, redis_prefix) -> None:
    crashed = RedisStreamSlots(redis_url, 1, prefix=redis_prefix, interval=0.05)
    survivor = RedisStreamSlots(redis_url, 1, prefix=redis_prefix, interval=0.05)
    await survivor.start()
    try:
        # Taken, and never renewed nor released: what a SIGKILL leaves behind.
        assert await crashed._acquire(7, "slot-of-a-killed-instance")
        with pytest.raises(TooManyStreams):
            async with survivor.hold(7):
                pass
        opened = False
        with anyio.fail_after(2):
            while not opened:
                try:
                    async with survivor.hold(7):
                        opened = True
                except TooManyStreams:
                    await anyio.sleep(0.02)
    finally:
        await survivor.aclose()
        await crashed._redis.aclose()


async def test_while_redis_is_down_each_instance_counts_its_own(redis_prefix) -> None:
    slots = RedisStreamSlots(
        f"redis://127.0.0.1:{free_port()}/0", 1, prefix=redis_prefix, interval=1
    )
    try:
        async with slots.hold(7):
            with pytest.raises(TooManyStreams):
                async with slots.hold(7):
                    pass
            async with slots.hold(8):
                pass
        async with slots.hold(7):
            pass
    finally:
        await slots.aclose()


async def test_a_cap_of_zero_is_no_cap() -> None:
    slots = StreamSlots(0, lease=45)
    async with AsyncExitStack() as stack:
        for _ in range(100):
            await stack.enter_async_context(slots.hold(7))
