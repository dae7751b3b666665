"""The stream cap across two real `mailslot serve` instances over Redis: a SIGTERM gives
the slots back, a SIGKILL leaves them to expire (tests/realtime/test_stream_cap.py has the
rest, in process)."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest
from redis import Redis

from tests.support.factories import make_user
from tests.support.servers import MailslotServer, RedisServer

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(60)]


def slots_in_redis(redis: RedisServer) -> int:
    client = Redis(port=redis.port)
    try:
        keys = client.scan_iter("mailslot:*:streams:*")  # <prefix><deployment>:streams:
        return sum(int(client.zcard(key)) for key in keys)
    finally:
        client.close()


async def _start(server: MailslotServer) -> None:
    await anyio.to_thread.run_sync(server.start)


async def test_slots_are_given_back_at_sigterm_and_expire_after_sigkill(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path / "redis").start()
    env = {
        "MAILSLOT_REDIS_URL": redis.url,
        "MAILSLOT_MAX_STREAMS_PER_USER": "1",
        "MAILSLOT_STREAM_HEARTBEAT": "0.2",  # a lease of 0.6 s
    }
    # Two instances on one SQLite database.
    one = MailslotServer(tmp_path / "data", env=env)
    two = MailslotServer(tmp_path / "data", env=env)
    try:
        async with anyio.create_task_group() as group:
            for server in (one, two):
                group.start_soon(_start, server)
        async with httpx.AsyncClient(base_url=one.url) as client:
            bob = await make_user(client)
        events = f"/users/{bob.username}/events"
        async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=None)) as client:
            async with client.stream("GET", one.url + events, headers=bob.headers) as stream:
                assert stream.status_code == 200
                refused = await client.get(two.url + events, headers=bob.headers)
                assert (refused.status_code, refused.json()["code"]) == (429, "too_many_streams")
                await anyio.to_thread.run_sync(one.stop)
            assert slots_in_redis(redis) == 0
            async with client.stream("GET", two.url + events, headers=bob.headers) as stream:
                assert stream.status_code == 200
                assert slots_in_redis(redis) == 1
                await anyio.to_thread.run_sync(two.kill)
        # The killed instance never gave its slot back: it expires with its lease.
        with anyio.fail_after(5):
            while slots_in_redis(redis):  # noqa: ASYNC110 (Redis has no event to wait on)
                await anyio.sleep(0.05)
    finally:
        one.kill()
        two.kill()
        redis.stop()
