"""Broker contract: MemoryBroker always, RedisBroker against a real Redis (a prefix of
its own per test); the queue policy; what a broker does with payloads that are not ours."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
from redis.asyncio import Redis

from mailslot.bus.broker import Broker
from mailslot.bus.events import Event
from mailslot.bus.memory import MemoryBroker
from mailslot.bus.redis import RedisBroker
from mailslot.bus.subscription import RESYNC, Subscription
from tests.support.servers import RedisServer

pytestmark = pytest.mark.anyio


def created(user_id: int, seq: int) -> Event:
    return Event(user_id, "message.created", seq, {"id": seq, "subject": f"s{seq}"})


async def next_item(subscription: Subscription) -> Event | None:
    with anyio.fail_after(2):
        return await subscription.get()


async def next_event(subscription: Subscription) -> Event:
    """The next event, past any RESYNC marker (a fresh Redis connection sends one)."""
    while True:
        item = await next_item(subscription)
        if item is not RESYNC:
            return item


@pytest.fixture(params=["memory", "redis"])
async def make_broker(request, redis_prefix) -> AsyncIterator[Callable[[], Broker]]:
    """A factory of brokers; with Redis each is another instance on one Redis."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    made: list[Broker] = []

    def factory() -> Broker:
        broker: Broker = (
            MemoryBroker(queue_size=8)
            if url is None
            else RedisBroker(url, prefix=redis_prefix, queue_size=8)
        )
        made.append(broker)
        return broker

    yield factory
    for broker in made:
        await broker.aclose()


async def test_a_subscriber_gets_its_users_events_only(make_broker) -> None:
    broker = make_broker()
    await broker.start()
    async with broker.subscribe(1) as mine, broker.subscribe(2) as other:
        broker.publish([created(1, 1), created(2, 1), created(1, 2)])
        assert [(await next_event(mine)).id for _ in range(2)] == [1, 2]
        assert (await next_event(other)).user_id == 2


async def test_every_subscriber_of_a_user_gets_each_event(make_broker) -> None:
    broker = make_broker()
    await broker.start()
    async with broker.subscribe(7) as first, broker.subscribe(7) as second:
        broker.publish([created(7, 1)])
        assert (await next_event(first)).id == (await next_event(second)).id == 1


async def test_redis_carries_events_between_instances_once(redis_url, redis_prefix) -> None:
    one = RedisBroker(redis_url, prefix=redis_prefix)
    two = RedisBroker(redis_url, prefix=redis_prefix)
    await one.start()
    await two.start()
    try:
        async with one.subscribe(5) as here, two.subscribe(5) as there:
            one.publish([created(5, 1), created(5, 2)])
            assert [(await next_event(there)).id for _ in range(2)] == [1, 2]
            assert [(await next_event(here)).id for _ in range(2)] == [1, 2]
            # Its own events come back through Redis too: dropped, not delivered twice.
            two.publish([created(5, 3)])
            assert (await next_event(here)).id == 3
            assert (await next_event(there)).id == 3
            with anyio.move_on_after(0.3) as quiet:
                await next_event(there)
            assert quiet.cancelled_caught
    finally:
        await one.aclose()
        await two.aclose()


async def test_redis_payloads_are_validated_before_any_stream_sees_them(
    redis_url, redis_prefix
) -> None:
    broker = RedisBroker(redis_url, prefix=redis_prefix)
    await broker.start()
    raw = Redis.from_url(redis_url)
    try:
        async with broker.subscribe(9) as nine, broker.subscribe(10) as ten:
            channel = broker.channel(9)
            good = {
                "deployment": redis_prefix,
                "origin": "elsewhere",
                "user": 9,
                "type": "message.created",
                "id": 4,
                "data": {"id": 4},
            }
            bad = [
                b"not json",
                b"[1, 2]",
                b"x" * (2 << 20),  # oversized
                json.dumps({**good, "user": 10}).encode(),  # addressed to someone else
                json.dumps({**good, "deployment": "mailslot:other:"}).encode(),
                json.dumps({**good, "type": "exec.pickle"}).encode(),
                json.dumps({**good, "id": -1}).encode(),
                json.dumps({**good, "data": "payload"}).encode(),
            ]
            for payload in bad:
                await raw.publish(channel, payload)
            await raw.publish(channel, json.dumps(good).encode())
            event = await next_event(nine)
            assert (event.user_id, event.id, event.data) == (9, 4, {"id": 4})
            assert broker.invalid_payloads == len(bad)
            with anyio.move_on_after(0.2) as quiet:
                await next_event(ten)
            assert quiet.cancelled_caught
    finally:
        await raw.aclose()
        await broker.aclose()


async def test_redis_subscriber_reconnects_and_resyncs_after_a_drop(
    redis_url, redis_prefix
) -> None:
    """The connection is killed under the broker: it reconnects with backoff, its streams
    are told to re-read the log (RESYNC), and delivery resumes."""
    broker = RedisBroker(redis_url, prefix=redis_prefix)
    other = RedisBroker(redis_url, prefix=redis_prefix)
    await broker.start()
    await other.start()
    raw = Redis.from_url(redis_url)
    try:
        async with broker.subscribe(3) as subscription:
            other.publish([created(3, 1)])
            assert (await next_event(subscription)).id == 1
            killed = await raw.client_kill_filter(_type="pubsub", skipme=True)
            assert killed >= 1
            assert await next_item(subscription) is RESYNC
            assert broker.reconnects >= 1
            other.publish([created(3, 2)])
            assert (await next_event(subscription)).id == 2
    finally:
        await raw.aclose()
        await broker.aclose()
        await other.aclose()


def test_a_full_queue_of_a_stuck_writer_marks_it_too_slow() -> None:
    subscription = Subscription(1, queue_size=2)
    subscription.sending = True
    for seq in (1, 2, 3):
        subscription.push(created(1, seq))
    assert subscription.too_slow


async def test_a_full_queue_of_a_busy_reader_becomes_one_resync() -> None:
    """A burst (bulk marking) outruns a stream that is reading the log, not one that is
    stuck: its queue is dropped for a RESYNC, and the log has the rest."""
    subscription = Subscription(1, queue_size=2)
    for seq in (1, 2, 3, 4):
        subscription.push(created(1, seq))
    assert not subscription.too_slow
    assert await next_item(subscription) is RESYNC
    assert await next_item(subscription) == created(1, 4)


@pytest.mark.parametrize("fault", ["SIGSTOP", "SIGKILL"])
async def test_an_unconfirmed_note_answers_only_once_every_lease_has_lapsed(
    tmp_path, redis_prefix, fault
) -> None:
    """Redis hung or gone: `announce` returns only once the other instance has stopped
    trusting what notes keep (not coherent) and has forgotten it (heard None); once Redis
    answers again, its lease is renewed and its streams re-check (RESYNC). A confirmed
    note makes its user's streams re-check at once."""
    redis = RedisServer(tmp_path / "redis").start()
    one = RedisBroker(redis.url, prefix=redis_prefix)
    two = RedisBroker(redis.url, prefix=redis_prefix)
    heard: list[dict[str, Any] | None] = []
    two.on_note(heard.append)
    try:
        await one.start()
        await two.start()
        async with two.subscribe(5) as subscription:
            await one.announce({"forget_user": 5})  # confirmed by both
            assert heard[-1] == {"forget_user": 5}
            assert await next_item(subscription) is RESYNC  # user 5's streams re-check
            assert two.coherent
            assert redis.process is not None
            if fault == "SIGSTOP":
                os.kill(redis.process.pid, signal.SIGSTOP)
            else:
                redis.stop()
            try:
                heard.clear()
                await one.announce({"forget_user": 6})
                assert not two.coherent
                assert None in heard
            finally:
                if fault == "SIGSTOP":
                    os.kill(redis.process.pid, signal.SIGCONT)
                else:
                    redis.start()
            with anyio.fail_after(5):
                while (item := await subscription.get()) is not RESYNC:
                    pass
            assert item is RESYNC
            assert two.coherent
    finally:
        await one.aclose()
        await two.aclose()
        redis.stop()
