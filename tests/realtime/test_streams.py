"""The subscription loop: catch-up then live without gap or duplicate, gaps filled from
the log, slow clients cut off, and no database connection held while idle."""

from __future__ import annotations

from typing import Any, cast

import anyio
import httpx
import pytest
from sqlalchemy.pool import QueuePool

from mailslot.bus.events import SESSION_ENDED, Event
from mailslot.bus.memory import MemoryBroker, PollingBroker
from mailslot.bus.subscription import RESYNC
from mailslot.realtime.streams import EventStream, open_stream, pump
from mailslot.shutdown import Shutdown
from mailslot.state import app_state
from tests.support.factories import TestUser, make_user, send
from tests.support.receivers import eventually

pytestmark = pytest.mark.anyio


async def user_id(client: httpx.AsyncClient, user: TestUser) -> int:
    return int((await client.get(f"/users/{user.username}", headers=user.headers)).json()["id"])


async def collect(stream: EventStream, until: int) -> list[Event]:
    events: list[Event] = []
    with anyio.fail_after(5):
        while not events or events[-1].id < until:
            event = await stream.next(idle=5)
            assert event is not None
            events.append(event)
    return events


async def test_catch_up_then_live_under_concurrent_sends_has_no_gap_or_duplicate(
    client, app
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    bob_id = await user_id(client, bob)
    total = 30
    halfway = anyio.Event()

    async def sender() -> None:
        for i in range(total):
            await send(client, alice, bob, subject=f"s{i}")
            if i == total // 3:
                halfway.set()

    async with anyio.create_task_group() as group:
        group.start_soon(sender)
        await halfway.wait()
        async with open_stream(
            app_state(app).broker, app_state(app).change_log, bob_id, since=0
        ) as s:
            events = await collect(s, until=total)
    assert [event.id for event in events] == list(range(1, total + 1))
    assert [event.data["subject"] for event in events] == [f"s{i}" for i in range(total)]


async def test_without_since_the_stream_starts_now(client, app) -> None:
    alice, bob = await make_user(client), await make_user(client)
    bob_id = await user_id(client, bob)
    await send(client, alice, bob, subject="before")
    async with open_stream(
        app_state(app).broker, app_state(app).change_log, bob_id, since=None
    ) as s:
        assert s.last == 1
        await send(client, alice, bob, subject="after")
        [event] = await collect(s, until=2)
    assert event.data["subject"] == "after"


async def test_a_live_event_that_skips_ahead_is_preceded_by_the_log(client, app) -> None:
    """Events lost in transit (a dropped queue, Redis down) are read from the log when the
    next one shows the gap."""
    alice, bob = await make_user(client), await make_user(client)
    bob_id = await user_id(client, bob)
    broker = MemoryBroker()  # not the app's: nothing the app publishes reaches it
    async with open_stream(broker, app_state(app).change_log, bob_id, since=None) as stream:
        await send(client, alice, bob, subject="lost")
        await send(client, alice, bob, subject="arrives")
        broker.publish([Event(bob_id, "message.created", 2, {"only": "in transit"})])
        events = await collect(stream, until=2)
        assert [(e.id, e.data["subject"]) for e in events] == [(1, "lost"), (2, "arrives")]

        await send(client, alice, bob, subject="after a resync")
        broker._hub.resync([bob_id])
        # A resync may have dropped a revocation too: the token is re-checked first.
        check, event = await collect(stream, until=3)
        assert (check.type, event.data["subject"]) == (SESSION_ENDED, "after a resync")


async def test_an_idle_stream_holds_no_database_connection(client, app) -> None:
    alice, bob = await make_user(client), await make_user(client)
    bob_id = await user_id(client, bob)
    await send(client, alice, bob)
    pool = cast(QueuePool, app_state(app).engine.pool)
    before = pool.checkedout()
    async with open_stream(app_state(app).broker, app_state(app).change_log, bob_id, since=0) as s:
        await collect(s, until=1)
        assert await s.next(idle=0.05) is None  # idle, waiting on the broker
        # Another task of the app (the job runner's poll) may hold one for a moment; a
        # stream that kept one would hold it for good.
        await eventually(lambda: pool.checkedout() == before, within=5)


async def test_polling_broker_finds_what_other_processes_commit(client, app) -> None:
    """Several workers without Redis: events committed by another process (here: the app,
    whose broker the poller never hears from) arrive through the change log."""
    alice, bob = await make_user(client), await make_user(client)
    bob_id = await user_id(client, bob)
    await send(client, alice, bob, subject="old")
    poller = PollingBroker(app_state(app).change_log, queue_size=16, interval=0.02)
    await poller.start()
    try:
        async with poller.subscribe(bob_id) as subscription:
            await send(client, alice, bob, subject="new")
            with anyio.fail_after(3):
                item = await subscription.get()
            assert item is not RESYNC
            assert (item.id, item.data["subject"]) == (2, "new")
    finally:
        await poller.aclose()


async def _pump(stream: EventStream, send: Any, **overrides: Any) -> str:
    options = {
        "send": send,
        "wait_closed": anyio.sleep_forever,
        "still_signed_in": _yes,
        "heartbeat": 10.0,
        "send_timeout": 10.0,
        "expires_in": 60.0,
        "stop": Shutdown(),
    }
    options.update(overrides)
    with anyio.fail_after(5):
        return await pump(stream, **options)


async def _yes() -> bool:
    return True


async def test_a_client_that_does_not_read_is_cut_off_when_its_queue_fills(client, app) -> None:
    bob = await make_user(client)
    bob_id = await user_id(client, bob)
    broker = MemoryBroker(queue_size=4)
    written: list[int] = []
    stuck = anyio.Event()

    async def never_returns(event: Event | None) -> None:
        written.append(event.id if event else 0)
        stuck.set()
        await anyio.sleep_forever()  # the socket buffer is full

    result: list[str] = []
    async with (
        open_stream(broker, app_state(app).change_log, bob_id, since=None) as stream,
        anyio.create_task_group() as group,
    ):

        async def run() -> None:
            result.append(await _pump(stream, never_returns))

        group.start_soon(run)
        broker.publish([Event(bob_id, "message.created", 1, {})])
        await stuck.wait()
        # Meanwhile a healthy subscriber of the same user is not held up.
        async with broker.subscribe(bob_id) as healthy:
            for seq in range(2, 8):
                broker.publish([Event(bob_id, "message.created", seq, {})])
                with anyio.fail_after(1):
                    item = await healthy.get()
                assert item == Event(bob_id, "message.created", seq, {})
    assert result == ["too_slow"]
    assert written == [1]


async def test_a_write_that_never_completes_times_out(client, app) -> None:
    bob = await make_user(client)
    bob_id = await user_id(client, bob)
    broker = MemoryBroker(queue_size=64)

    async def never_returns(event: Event | None) -> None:
        await anyio.sleep_forever()

    async with open_stream(broker, app_state(app).change_log, bob_id, since=None) as stream:
        broker.publish([Event(bob_id, "message.created", 1, {})])
        assert await _pump(stream, never_returns, send_timeout=0.1) == "too_slow"


async def test_heartbeats_when_idle_and_stop_on_server_exit(client, app) -> None:
    bob = await make_user(client)
    bob_id = await user_id(client, bob)
    stop = Shutdown()
    sent: list[Event | None] = []

    async def record(event: Event | None) -> None:
        sent.append(event)
        if len(sent) == 2:
            stop.set()

    async with open_stream(MemoryBroker(), app_state(app).change_log, bob_id, since=None) as s:
        assert await _pump(s, record, heartbeat=0.02, stop=stop) == "restart"
    assert sent == [None, None]


async def test_a_stream_ends_when_its_token_expires(client, app) -> None:
    bob = await make_user(client)
    bob_id = await user_id(client, bob)
    sent: list[Event | None] = []

    async def record(event: Event | None) -> None:
        sent.append(event)

    async with open_stream(MemoryBroker(), app_state(app).change_log, bob_id, since=None) as s:
        assert await _pump(s, record, heartbeat=10, expires_in=0.05) == "expired"
    assert sent == []
