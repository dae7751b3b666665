"""D3: Redis goes away and comes back under load. HTTP keeps serving (Redis is not on the
durability path), budgets fall back to each instance and return to Redis afterwards."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from redis import Redis

from tests.fault.harness import OK, SendLoad, check, read_everything, register
from tests.support.servers import MailslotServer, RedisServer

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(90)]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def keys(redis: RedisServer, prefix: str) -> list[bytes]:
    client = Redis(port=redis.port)
    try:
        return list(client.scan_iter(f"{prefix}*"))
    finally:
        client.close()


def wrong_sign_ins(base: str, username: str, count: int) -> list[int]:
    return [
        httpx.post(f"{base}/users/{username}/token", json={"password": "wrong!"}).status_code
        for _ in range(count)
    ]


async def test_http_keeps_serving_while_redis_is_down(redis_server, tmp_path) -> None:
    prefix = f"mailslot-d3-{uuid.uuid4().hex}:"
    env = {
        "MAILSLOT_REDIS_URL": redis_server.url,
        "MAILSLOT_REDIS_KEY_PREFIX": prefix,
        "MAILSLOT_RATE_LIMITS": "on",
        "MAILSLOT_LIMIT_SEND_USER": "100000, 1000/s",  # spent in Redis, never exhausted
        # New accounts writing to one sink: the abuse budgets, never exhausted either.
        "MAILSLOT_LIMIT_SEND_PAIR": "100000, 1000/s",
        "MAILSLOT_LIMIT_SEND_NEW_ACCOUNT": "100000, 1000/s",
        "MAILSLOT_LIMIT_FIRST_CONTACT": "100000, 1000/s",
    }
    server = MailslotServer(tmp_path / "data", env=env)
    await anyio.to_thread.run_sync(server.start)
    try:
        base = server.url
        sink = await anyio.to_thread.run_sync(register, base)
        senders = [await anyio.to_thread.run_sync(register, base) for _ in range(3)]
        # Budgets live in Redis while it is up.
        assert await anyio.to_thread.run_sync(wrong_sign_ins, base, sink.username, 1) == [401]
        assert keys(redis_server, prefix)

        load = SendLoad(targets=lambda: [base], senders=senders, sink=sink, rate=30)
        stop = anyio.Event()
        async with anyio.create_task_group() as group:
            group.start_soon(load.run, stop)
            await anyio.sleep(1)
            await anyio.to_thread.run_sync(redis_server.stop)
            # While Redis is down: sign-ins, registrations, reads all answer, and failed
            # sign-ins are still throttled, by this instance alone.
            victim = await anyio.to_thread.run_sync(register, base)
            statuses = await anyio.to_thread.run_sync(wrong_sign_ins, base, victim.username, 6)
            assert statuses == [401] * 5 + [429]
            signed_in = await anyio.to_thread.run_sync(register, base)
            assert signed_in.token
            await anyio.sleep(1)
            await anyio.to_thread.run_sync(redis_server.start)
            # Back in Redis: a new bucket appears there (after the 1 s retry pause).
            before = set(keys(redis_server, prefix))
            with anyio.fail_after(10):
                while set(keys(redis_server, prefix)) == before:
                    other = await anyio.to_thread.run_sync(register, base)
                    await anyio.to_thread.run_sync(wrong_sign_ins, base, other.username, 1)
                    await anyio.sleep(0.2)
            await anyio.sleep(1)
            stop.set()
        stored = await anyio.to_thread.run_sync(read_everything, base, sink)
    finally:
        server.stop()
    verdict = check(load.history, stored)
    sys.stdout.write(f"\nD3 Redis killed and restarted: {verdict}\n")
    assert {op.outcome for op in load.history} == {OK}, [
        (op.status, op.error) for op in load.history if op.outcome != OK
    ]
    assert verdict.valid, verdict
    assert "Traceback" not in server.log()
