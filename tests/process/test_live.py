"""Live delivery as an operator runs it: two `mailslot serve` instances over PostgreSQL and
a Redis of the test's own (so that the test can stop it), real SSE and WebSocket clients;
and `--workers 2` without Redis."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import websockets
from asgi_lifespan import LifespanManager
from redis import asyncio as aioredis

from mailslot.app import create_app
from mailslot.db.migrate import upgrade
from tests.support.databases import (
    dialect_database,
    make_settings,
    pooler_environment,
)
from tests.support.factories import PASSWORD, TestUser, make_user, send
from tests.support.people import deactivate, give_external_id
from tests.support.servers import MailslotServer, RedisServer
from tests.support.sse import Frame, frames

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(180)]

BIG = "x" * 60_000  # near the 64 KiB body limit: fills socket buffers in a few events


@dataclass
class Cluster:
    one: MailslotServer
    two: MailslotServer
    redis: RedisServer


@pytest.fixture(scope="module", params=["postgres"])
async def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    """Two instances over PostgreSQL and Redis; with the parameter `pgbouncer`, over
    PostgreSQL through PgBouncer in transaction mode (tests/support/pgbouncer.py)."""
    root = tmp_path_factory.mktemp("cluster")
    async with dialect_database(request.param, root / "database") as database:
        redis = RedisServer(root / "redis")
        servers: list[MailslotServer] = []
        try:
            settings = database.make_settings(root)
            await upgrade(settings)  # `mailslot db upgrade`, once
            redis.start()
            env = {
                "MAILSLOT_DATABASE_URL": database.url,
                "MAILSLOT_REDIS_URL": redis.url,
                **pooler_environment(settings),
            }
            servers = [
                MailslotServer(root / "one", env=env),
                # A small queue, so that a client that does not read fills it soon.
                MailslotServer(root / "two", env={**env, "MAILSLOT_STREAM_QUEUE_SIZE": "16"}),
            ]
            async with anyio.create_task_group() as group:
                for server in servers:
                    group.start_soon(_start, server)
            yield Cluster(servers[0], servers[1], redis)
        finally:
            for server in servers:
                server.stop()
            redis.stop()


# The two tests of delivery across instances also run through PgBouncer.
THROUGH_PGBOUNCER = pytest.mark.parametrize("cluster", ["postgres", "pgbouncer"], indirect=True)


async def _start(server: MailslotServer) -> None:
    await anyio.to_thread.run_sync(server.start)


@dataclass
class SseClient:
    opening: Frame
    _frames: AsyncIterator[Frame]
    client_port: int

    async def next(self) -> dict[str, Any]:
        async for frame in self._frames:
            if frame.data:
                return frame.envelope
        raise AssertionError("the stream ended")

    async def rest(self) -> list[Frame]:
        return [frame async for frame in self._frames]


@asynccontextmanager
async def sse(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[SseClient]:
    """An SSE connection, once the server has subscribed it (its opening frame is in)."""
    timeout = httpx.Timeout(5, read=None)
    async with (
        httpx.AsyncClient(timeout=timeout) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        stream = frames(response.aiter_lines())
        with anyio.fail_after(5):
            opening = await anext(stream)
        _, port = response.extensions["network_stream"].get_extra_info("client_addr")
        yield SseClient(opening, stream, port)


def ws_url(server: MailslotServer, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


async def ticket_for(client: httpx.AsyncClient, user: TestUser) -> str:
    response = await client.post(f"/users/{user.username}/stream-tickets", headers=user.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["ticket"])


@THROUGH_PGBOUNCER
async def test_a_send_on_one_instance_reaches_sse_and_ws_clients_of_the_other(cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.one.url) as one:
        alice, bob = await make_user(one), await make_user(one)
        ticket = await ticket_for(one, bob)  # issued by one, redeemed by two
        events_url = f"{cluster.two.url}/users/{bob.username}/events?ticket={ticket}"
        async with (
            sse(events_url) as events,
            websockets.connect(
                ws_url(cluster.two, f"/users/{bob.username}/ws"), additional_headers=bob.headers
            ) as ws,
        ):
            sent = await send(one, alice, bob, subject="across")
            with anyio.fail_after(1):  # from the sender's 201
                over_sse = await events.next()
                over_ws = json.loads(await ws.recv())
    expected = {"type": "message.created", "id": 1, "data": {**sent, "read": False, "box": "inbox"}}
    assert over_sse == over_ws == expected
    assert ticket not in cluster.two.log()


async def test_sign_out_on_one_instance_holds_on_the_other_at_once(cluster) -> None:
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        bob = await make_user(one)
        assert (await two.get(f"/users/{bob.username}", headers=bob.headers)).status_code == 200
        async with sse(f"{cluster.two.url}/users/{bob.username}/events", bob.headers) as events:
            signed_out = await one.delete(f"/users/{bob.username}/token", headers=bob.headers)
            assert signed_out.status_code == 204
            refused = await two.get(f"/users/{bob.username}", headers=bob.headers)
            assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
            with anyio.fail_after(2):  # its open stream on the other instance ends too
                rest = await events.rest()
        assert rest[-1].comments == ["end signed_out"]


async def test_token_changes_hold_on_the_other_instance_at_once_every_time(cluster) -> None:
    """Each instance answers for the tokens it has seen without asking the database; a
    sign-out, a password change or an email change on one instance is answered only once
    the other has forgotten what it knew."""
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        for _ in range(10):
            bob = await make_user(one)
            for _ in range(2):  # known to two
                assert (await two.get(f"/users/{bob.username}", headers=bob.headers)).is_success
            assert (
                await one.delete(f"/users/{bob.username}/token", headers=bob.headers)
            ).status_code == 204
            assert (await two.get(f"/users/{bob.username}", headers=bob.headers)).status_code == 401

        carol = await make_user(one)
        second = await one.post(f"/users/{carol.username}/token", json={"password": PASSWORD})
        other = {"Authorization": f"Bearer {second.json()['access_token']}"}
        assert (await two.get(f"/users/{carol.username}", headers=other)).is_success
        email = f"new-{carol.username}@example.com"
        changed = await one.patch(
            f"/users/{carol.username}",
            json={"current_password": PASSWORD, "email": email},
            headers=carol.headers,
        )
        assert changed.status_code == 200
        assert (await two.get(f"/users/{carol.username}", headers=other)).json()["email"] == email
        changed = await one.patch(
            f"/users/{carol.username}",
            json={"current_password": PASSWORD, "password": "a new password 3"},
            headers=carol.headers,
        )
        assert changed.status_code == 200
        assert (await two.get(f"/users/{carol.username}", headers=other)).status_code == 401
        assert (await two.get(f"/users/{carol.username}", headers=carol.headers)).is_success


async def test_deactivation_on_one_instance_holds_on_the_others_at_once(
    cluster, tmp_path: Path
) -> None:
    """Deactivated by a third instance (in this process: the server API's route is not
    built yet, so the test calls what it will), Bob's token is refused at once on both
    servers, his stream on two ends, his sign-in is refused and sends to him too."""
    env = cluster.one.env
    settings = make_settings(
        tmp_path,
        env["MAILSLOT_DATABASE_URL"],
        redis_url=env["MAILSLOT_REDIS_URL"],
        secret_key=env["MAILSLOT_SECRET_KEY"],
    )
    third = create_app(settings)
    async with (
        LifespanManager(third),
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        alice, bob = await make_user(one), await make_user(one)
        for client in (one, two, one, two):  # known to both caches
            assert (await client.get(f"/users/{bob.username}", headers=bob.headers)).is_success
        host_id = await give_external_id(third, bob.username)
        async with sse(f"{cluster.two.url}/users/{bob.username}/events", bob.headers) as events:
            await deactivate(third, host_id)
            for client in (one, two):
                refused = await client.get(f"/users/{bob.username}", headers=bob.headers)
                assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
            with anyio.fail_after(2):
                rest = await events.rest()
        assert rest[-1].comments == ["end signed_out"]
        signed_in = await two.post(f"/users/{bob.username}/token", json={"password": PASSWORD})
        assert (signed_in.status_code, signed_in.json()["code"]) == (403, "account_deactivated")
        to_bob = await two.post(
            f"/users/{alice.username}/messages",
            json={"receiver": bob.username, "subject": "s", "message": "m"},
            headers=alice.headers,
        )
        assert (to_bob.status_code, to_bob.json()["code"]) == (422, "receiver_deactivated")


async def test_sign_out_holds_on_the_other_instance_while_redis_is_down(cluster) -> None:
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        bob = await make_user(one)
        assert (await two.get(f"/users/{bob.username}", headers=bob.headers)).is_success
        cluster.redis.stop()
        try:
            # Two cannot hear notes now: it forgets what it knew and remembers nothing new.
            assert (await two.get(f"/users/{bob.username}", headers=bob.headers)).is_success
            signed_out = await one.delete(f"/users/{bob.username}/token", headers=bob.headers)
            assert signed_out.status_code == 204
            refused = await two.get(f"/users/{bob.username}", headers=bob.headers)
            assert refused.status_code == 401
        finally:
            cluster.redis.start()


async def _first_event_or_end(events: SseClient) -> Frame:
    """The stream's next event, or its last frame if it ends first."""
    last = Frame()
    async for frame in events._frames:
        if frame.data:
            return frame
        last = frame
    return last


async def test_sign_out_fails_closed_while_redis_is_hung(cluster) -> None:
    """Redis hung (SIGSTOP): once the sign-out on one has answered, two refuses the token
    at once and ends its open stream before delivering another event, here one sent on
    two itself (which needs no Redis)."""
    redis = cluster.redis
    assert redis.process is not None
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        alice, bob = await make_user(one), await make_user(one)
        for _ in range(2):  # known to two's cache
            assert (await two.get(f"/users/{bob.username}", headers=bob.headers)).is_success
        async with sse(f"{cluster.two.url}/users/{bob.username}/events", bob.headers) as events:
            await send(one, alice, bob, subject="before")
            with anyio.fail_after(2):
                assert (await events.next())["data"]["subject"] == "before"
            os.kill(redis.process.pid, signal.SIGSTOP)
            try:
                signed_out = await one.delete(f"/users/{bob.username}/token", headers=bob.headers)
                assert signed_out.status_code == 204
                refused = await two.get(f"/users/{bob.username}", headers=bob.headers)
                assert refused.status_code == 401
                await send(two, alice, bob, subject="while hung")
                with anyio.fail_after(10):
                    ending = await _first_event_or_end(events)
            finally:
                os.kill(redis.process.pid, signal.SIGCONT)
    assert (ending.data, ending.comments) == ([], ["end signed_out"])


async def test_sign_out_fails_closed_while_redis_is_killed(cluster, tmp_path: Path) -> None:
    """Redis killed (SIGKILL): once the sign-out on a third instance has answered, two
    refuses the token at once; and when Redis is back two ends the token's open stream
    before delivering another event, although the announcer died meanwhile (its
    `session.ended` signal with it): two re-checks its streams on reconnecting."""
    shared = {
        k: v for k, v in cluster.one.env.items() if k.endswith(("_DATABASE_URL", "_REDIS_URL"))
    }
    three = MailslotServer(tmp_path / "three", env=shared)
    await _start(three)
    try:
        async with (
            httpx.AsyncClient(base_url=three.url) as announcer,
            httpx.AsyncClient(base_url=cluster.one.url) as one,
            httpx.AsyncClient(base_url=cluster.two.url) as two,
        ):
            alice, bob = await make_user(one), await make_user(one)
            for _ in range(2):  # known to two's cache
                assert (await two.get(f"/users/{bob.username}", headers=bob.headers)).is_success
            path = f"/users/{bob.username}/events"
            async with sse(cluster.two.url + path, bob.headers) as events:
                await send(one, alice, bob, subject="before")
                with anyio.fail_after(2):
                    assert (await events.next())["data"]["subject"] == "before"
                cluster.redis.stop()
                try:
                    signed_out = await announcer.delete(
                        f"/users/{bob.username}/token", headers=bob.headers
                    )
                    assert signed_out.status_code == 204
                    refused = await two.get(f"/users/{bob.username}", headers=bob.headers)
                    assert refused.status_code == 401
                    three.kill()
                finally:
                    cluster.redis.start()
                await send(one, alice, bob, subject="after the restart")
                with anyio.fail_after(10):
                    ending = await _first_event_or_end(events)
    finally:
        three.kill()
    assert (ending.data, ending.comments) == ([], ["end signed_out"])


async def test_two_deployments_sharing_one_redis_share_nothing(tmp_path: Path) -> None:
    """Two deployments, each on its own database, sharing one Redis the usual way (their
    own database numbers) with default settings: a message in one never reaches the
    user with the same id in the other, and each sign-out is confirmed by the
    deployment's own instance without waiting for the other's."""
    redis = RedisServer(tmp_path / "redis").start()
    deployments = [
        MailslotServer(
            tmp_path / name, env={"MAILSLOT_REDIS_URL": f"redis://127.0.0.1:{redis.port}/{db}"}
        )
        for name, db in (("x", 1), ("y", 2))
    ]
    watcher = aioredis.Redis(port=redis.port)
    try:
        async with anyio.create_task_group() as group:
            for server in deployments:
                group.start_soon(_start, server)
        x, y = deployments
        async with (
            httpx.AsyncClient(base_url=x.url) as in_x,
            httpx.AsyncClient(base_url=y.url) as in_y,
            watcher.pubsub() as published,
        ):
            x_alice, x_bob = await make_user(in_x), await make_user(in_x)
            y_alice, y_bob = await make_user(in_y), await make_user(in_y)
            await published.psubscribe("*")
            async with sse(f"{y.url}/users/{y_alice.username}/events", y_alice.headers) as events:
                await send(in_x, x_bob, x_alice, subject="for x only")
                with anyio.fail_after(5):  # X's event is through Redis...
                    while True:
                        message = await published.get_message(timeout=5)
                        if (
                            message
                            and message["type"] == "pmessage"
                            and b"for x only" in message["data"]
                        ):
                            break
                # ...before Y's: Y's stream would get them in that order.
                await send(in_y, y_bob, y_alice, subject="for y")
                with anyio.fail_after(5):
                    assert (await events.next())["data"]["subject"] == "for y"
            for client, user in ((in_x, x_alice), (in_y, y_alice)):
                signed_out = await client.delete(
                    f"/users/{user.username}/token", headers=user.headers
                )
                assert signed_out.status_code == 204
        for server in deployments:
            assert "not confirmed" not in server.log()
    finally:
        await watcher.aclose()
        for server in deployments:
            server.stop()
        redis.stop()


async def test_streams_recover_from_a_redis_restart_and_miss_nothing(cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.one.url) as one:
        alice, bob = await make_user(one), await make_user(one)
        path = f"/users/{bob.username}/events"
        async with (
            sse(cluster.two.url + path, bob.headers) as events,
            websockets.connect(
                ws_url(cluster.two, f"/users/{bob.username}/ws"), additional_headers=bob.headers
            ) as ws,
        ):
            await send(one, alice, bob, subject="before")
            with anyio.fail_after(2):
                assert (await events.next())["id"] == (json.loads(await ws.recv()))["id"] == 1

            cluster.redis.stop()
            for subject in ("while down 1", "while down 2"):  # REST does not need Redis
                await send(one, alice, bob, subject=subject)
            cluster.redis.start()
            await send(one, alice, bob, subject="after")

            seen_sse: list[dict[str, Any]] = []
            seen_ws: list[dict[str, Any]] = []
            with anyio.fail_after(10):
                while len(seen_sse) < 3:
                    seen_sse.append(await events.next())
                while len(seen_ws) < 3:
                    seen_ws.append(json.loads(await ws.recv()))
    for seen in (seen_sse, seen_ws):
        assert [(e["id"], e["data"]["subject"]) for e in seen] == [
            (2, "while down 1"),
            (3, "while down 2"),
            (4, "after"),
        ]


@THROUGH_PGBOUNCER
async def test_catch_up_then_live_under_concurrent_sends_has_no_gap_or_duplicate(
    cluster,
) -> None:
    total = 40
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        alice, bob = await make_user(one), await make_user(one)
        started = anyio.Event()

        async def sender(client: httpx.AsyncClient, count: int) -> None:
            for i in range(count):
                await send(client, alice, bob, subject=f"{id(client)}-{i}")
                if i == 5:
                    started.set()

        async def reader(url: str, headers: dict[str, str]) -> list[int]:
            ids: list[int] = []
            async with sse(url + "?since=0", headers) as events:
                while not ids or ids[-1] < total:
                    ids.append((await events.next())["id"])
            return ids

        results: dict[str, list[int]] = {}

        async def read_into(name: str, url: str) -> None:
            results[name] = await reader(url, bob.headers)

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                group.start_soon(sender, one, total // 2)
                group.start_soon(sender, two, total // 2)
                await started.wait()
                path = f"/users/{bob.username}/events"
                group.start_soon(read_into, "one", cluster.one.url + path)
                group.start_soon(read_into, "two", cluster.two.url + path)
    assert results == {"one": list(range(1, total + 1)), "two": list(range(1, total + 1))}


async def test_a_client_that_does_not_read_is_disconnected_and_others_carry_on(cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.one.url) as one:
        alice, bob = await make_user(one), await make_user(one)
        slow = _silent_sse_client(cluster.two.port, f"/users/{bob.username}/events", bob.token)
        try:
            async with sse(f"{cluster.two.url}/users/{bob.username}/events", bob.headers) as ok:
                for i in range(1, 121):
                    await send(one, alice, bob, subject=f"s{i}", message=BIG)
                    with anyio.fail_after(2):  # the healthy client is never held up
                        assert (await ok.next())["id"] == i
                    if "closed a stream whose client does not read" in cluster.two.log():
                        break
                else:
                    raise AssertionError("the silent client was never disconnected")
                # The others still get everything, at once.
                await send(one, alice, bob, subject="after")
                with anyio.fail_after(2):
                    assert (await ok.next())["data"]["subject"] == "after"
            # The server closed the silent one: reading now drains it to the end.
            received = await anyio.to_thread.run_sync(_read_to_end, slow)
        finally:
            slow.close()
    assert received.count(b"event: message.created") < i


def _silent_sse_client(port: int, path: str, token: str) -> socket.socket:
    """A client with a tiny receive buffer that asks for events and never reads them."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    request = f"GET {path} HTTP/1.1\r\nHost: mailslot\r\nAuthorization: Bearer {token}\r\n\r\n"
    sock.sendall(request.encode())
    return sock


def _read_to_end(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


async def test_two_workers_without_redis_deliver_to_every_stream(tmp_path: Path) -> None:
    """`mailslot serve --workers 2` on SQLite: streams on either worker get every event,
    wherever it was committed (the workers poll the change log of their streams' users).
    Streams are opened until both workers hold some, so delivery must cross over."""
    # Up to 40 streams of one user: the kernel may hand the first 20 (the default most a
    # user may hold) all to one worker.
    server = MailslotServer(
        tmp_path / "data", args=("--workers", "2"), env={"MAILSLOT_MAX_STREAMS_PER_USER": "0"}
    )
    await _start(server)
    try:
        async with httpx.AsyncClient(base_url=server.url) as client, AsyncExitStack() as stack:
            alice, bob = await make_user(client), await make_user(client)
            path = f"{server.url}/users/{bob.username}/events"
            streams: list[SseClient] = []
            workers: set[int | None] = set()
            while len(workers) < 2 and len(streams) < 40:
                stream = await stack.enter_async_context(sse(path, bob.headers))
                streams.append(stream)
                workers.add(server.worker_serving(stream.client_port))
            assert len(workers - {None}) == 2, workers
            for i in range(4):
                await send(client, alice, bob, subject=f"s{i}")
            with anyio.fail_after(5):
                for stream in streams:
                    assert [(await stream.next())["id"] for _ in range(4)] == [1, 2, 3, 4]
    finally:
        server.stop()


def test_a_shared_database_needs_a_configured_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")}
    env |= {
        "MAILSLOT_DATA_DIR": str(tmp_path),
        "MAILSLOT_DATABASE_URL": "postgresql+asyncpg://mailslot@127.0.0.1:9/mailslot",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mailslot", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MAILSLOT_SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


async def test_streams_end_at_once_when_a_server_stops(tmp_path: Path) -> None:
    """SIGTERM (a restart, a deploy): SSE streams end (clients reconnect elsewhere) and
    WebSockets close with 1012, instead of holding the shutdown for its grace period."""
    server = MailslotServer(tmp_path / "data")
    await _start(server)
    assert server.process is not None
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            bob = await make_user(client)
            async with (
                sse(f"{server.url}/users/{bob.username}/events", bob.headers) as events,
                websockets.connect(
                    ws_url(server, f"/users/{bob.username}/ws"), additional_headers=bob.headers
                ) as ws,
            ):
                server.process.send_signal(signal.SIGTERM)
                with anyio.fail_after(5):
                    rest = await events.rest()
                    with pytest.raises(websockets.ConnectionClosed) as closed:
                        await ws.recv()
                    await anyio.to_thread.run_sync(server.process.wait)
        assert rest[-1].comments == ["end restart"]
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1012
        assert "timeout graceful shutdown exceeded" not in server.log()
    finally:
        server.stop()
