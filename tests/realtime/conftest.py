"""Fixtures for live delivery: an app tuned for fast streams, an in-process SSE client,
and Redis (the shared server, with a key prefix of its own per run)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest
from anyio.streams.memory import MemoryObjectReceiveStream
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx_ws.transport import ASGIWebSocketTransport
from redis import Redis
from redis.exceptions import RedisError

from mailslot.app import create_app
from mailslot.config import Settings
from tests.support.databases import make_settings

REDIS_URL = os.environ.get("MAILSLOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
async def live_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The suite's database, with streams tuned so that heartbeats, timeouts and full
    queues happen within a test's time."""
    return make_settings(
        tmp_path_factory.mktemp("live"),
        settings.resolved_database_url,
        database_pooler=settings.database_pooler,
        database_direct_url=settings.database_direct_url,
        stream_heartbeat=0.2,
        stream_queue_size=8,
        stream_send_timeout=1.0,
        stream_ticket_ttl=30,
    )


@pytest.fixture(scope="session")
async def live_app(live_settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(live_settings)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def live_client(live_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP and WebSocket (httpx-ws) to the tuned app, in process."""
    transport = ASGIWebSocketTransport(app=live_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as client:
        yield client


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as exc:
        message = f"Redis is unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI=true: the Redis tests are required)")
        pytest.skip(message)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A prefix of this test's own on the shared Redis."""
    return f"mailslot-test-{uuid.uuid4().hex[:12]}:"


@dataclass
class AsgiStream:
    """An HTTP response read as it arrives, which httpx's ASGITransport cannot do."""

    status: int
    headers: dict[str, str]
    chunks: MemoryObjectReceiveStream[dict[str, Any]]

    async def lines(self) -> AsyncIterator[str]:
        pending = ""
        async for message in self.chunks:
            pending += message.get("body", b"").decode()
            *complete, pending = pending.split("\n")
            for line in complete:
                yield line
            if not message.get("more_body", False):
                return

    async def body(self) -> bytes:
        return b"".join([message.get("body", b"") async for message in self.chunks])


@asynccontextmanager
async def asgi_get(
    app: FastAPI, path: str, *, headers: dict[str, str] | None = None, buffer: float = 1000
) -> AsyncIterator[AsgiStream]:
    """GET `path` from the app; `buffer` is how many body chunks wait for the reader
    before the app's `send` blocks (0: a client that does not read)."""
    target, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": target,
        "raw_path": target.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("mailslot.test", 80),
    }
    disconnected = anyio.Event()
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    starts, started = anyio.create_memory_object_stream[dict[str, Any]](1)
    body_in, body_out = anyio.create_memory_object_stream[dict[str, Any]](buffer)

    async def send(message: MutableMapping[str, Any]) -> None:
        try:
            if message["type"] == "http.response.start":
                await starts.send(dict(message))
            else:
                await body_in.send(dict(message))
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass  # the client is gone: like a server, drop what is sent after

    async def run() -> None:
        async with body_in:
            await app(scope, receive, send)

    async with starts, started, body_out, anyio.create_task_group() as group:
        group.start_soon(run)
        start = await started.receive()
        headers_out = {k.decode(): v.decode() for k, v in start["headers"]}
        try:
            yield AsgiStream(start["status"], headers_out, body_out)
        finally:
            disconnected.set()
            body_out.close()  # what the app sends after this is dropped


def layers_above(function: str) -> list[str]:
    """The source files of the frames that the task running `function` is suspended in
    outside it, outermost first: what an open stream keeps alive above its own code."""
    for task in asyncio.all_tasks():
        files: list[str] = []
        awaited: Any = task.get_coro()
        while hasattr(awaited, "cr_code"):
            if awaited.cr_code.co_name == function:
                return files
            files.append(awaited.cr_code.co_filename)
            awaited = awaited.cr_await
    raise AssertionError(f"no task is running {function}")


# Framework layers an idle stream must not hold (realtime/deferred.py).
ROUTING = ("fastapi/routing.py", "starlette/routing.py", "fastapi/middleware/asyncexitstack.py")
