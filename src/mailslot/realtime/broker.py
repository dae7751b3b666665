"""Fan-out of committed events to the streams that wait for them (style.md §6).

    Broker (protocol): publish(events) never blocks; subscribe(user_id) yields a Subscription;
    │                  announce(note) returns once every process has acted on the note
    ├── MemoryBroker   one process: events go straight to its streams
    ├── PollingBroker  several worker processes, no Redis: the others' events are read from
    │                  the heads of the subscribed users' change logs, a few times a second
    └── RedisBroker    several instances: Redis pub/sub, one channel per user

Every subscription has a bounded queue. A broker never waits for a stream: when a queue is
full, a stream that is stuck writing to its client is marked too slow (and disconnected by
its endpoint); one that is merely busy loses the queued events and re-reads them from the
change log. The change log is the truth; the broker only makes it arrive early.

Revocation over Redis fails closed. Each instance's subscriber connection sends a PING
every PING_INTERVAL; what notes keep (the token cache) is trusted only while the last
answered ping was *sent* less than LEASE ago, and is cleared when that lapses. Redis
answers one connection in order, so a note published before a ping is processed reaches
the subscriber before that ping's pong. An announcer that gets every confirmation answers
at once. One that does not answers only LEASE + NOTE_MARGIN after its attempt ended (at
most NOTE_WAIT after sending): an instance that missed the note can have renewed its
lease since then only from a ping that Redis answered before the note (the lease then
ran out in time), or on a connection subscribed after it (which cleared everything when
it subscribed), or because Redis served it while not reading the announcer's PUBLISH for
longer than NOTE_WAIT + NOTE_MARGIN: a partition cutting off the announcer alone, the one
case the lease does not cover (there the cache's own ttl is the bound). Streams re-check
their token on every resync (each reconnection and lease recovery, and a note about
their user), and before each event they deliver while the lease is not held.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any, Final, Protocol

import anyio
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from mailslot.config import Settings
from mailslot.errors import ResyncRequired
from mailslot.realtime.events import ChangeLog, Event, InvalidPayload, decode, encode

log = logging.getLogger("mailslot.realtime")

RESYNC: Final = None  # queued instead of events: "you may have missed some; read the log"


class Subscription:
    """One stream's view of the broker: a bounded queue of its user's events. Thousands
    sit idle at once, so an idle one holds no buffer and no lock: the queue exists while
    it has items, and a waiting stream holds one future (an asyncio.Queue and an
    anyio.Event were 4 KiB a connection)."""

    def __init__(self, user_id: int, queue_size: int) -> None:
        self.user_id = user_id
        self._size = queue_size
        self._items: deque[Event | None] | None = None
        self._waiter: asyncio.Future[None] | None = None
        # True while the stream waits for its client to take a write: a queue that fills
        # then belongs to a client that does not read.
        self.sending = False
        self.too_slow = False
        self.on_too_slow: Callable[[], None] | None = None

    def push(self, item: Event | None) -> None:
        if self.too_slow:
            return
        if self._items is None:
            self._items = deque()
        if len(self._items) < self._size:
            self._items.append(item)
        elif self.sending:
            self.too_slow = True
            if self.on_too_slow is not None:
                self.on_too_slow()
            return
        else:
            # Busy, not stuck (a burst, a long catch-up): drop the queue, re-read the log.
            self._items.clear()
            self._items.append(RESYNC)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def wait(self, idle: float = math.inf) -> bool:
        """Whether an item is ready before `idle` seconds pass."""
        if not self._items:
            loop = asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()
            # A timer, not a cancel scope: a scope per idle stream is another KiB.
            timer = None if math.isinf(idle) else loop.call_later(idle, _wake, waiter)
            try:
                await waiter
            finally:
                self._waiter = None
                if timer is not None:
                    timer.cancel()
        return bool(self._items)

    def get_nowait(self) -> Event | None:
        items = self._items
        if not items:
            raise IndexError("no item is ready")
        item = items.popleft()
        if not items:
            self._items = None
        return item

    async def get(self) -> Event | None:
        await self.wait()
        return self.get_nowait()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Hub:
    """The subscriptions of one process, by user."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._by_user: dict[int, set[Subscription]] = {}

    def add(self, user_id: int) -> tuple[Subscription, bool]:
        """A new subscription, and whether it is the user's first here."""
        subscription = Subscription(user_id, self.queue_size)
        subscriptions = self._by_user.setdefault(user_id, set())
        subscriptions.add(subscription)
        return subscription, len(subscriptions) == 1

    def remove(self, subscription: Subscription) -> bool:
        """Whether it was the user's last subscription here."""
        subscriptions = self._by_user.get(subscription.user_id, set())
        subscriptions.discard(subscription)
        if subscriptions:
            return False
        self._by_user.pop(subscription.user_id, None)
        return True

    @property
    def users(self) -> set[int]:
        return set(self._by_user)

    def dispatch(self, events: Iterable[Event]) -> None:
        for event in events:
            for subscription in self._by_user.get(event.user_id, ()):
                subscription.push(event)

    def resync(self, user_ids: Iterable[int] | None = None) -> None:
        for user_id in self._by_user if user_ids is None else user_ids:
            for subscription in self._by_user.get(user_id, ()):
                subscription.push(RESYNC)


Note = dict[str, Any]  # a small JSON object for every process: {"forget_user": 42}
NoteHandler = Callable[[Note | None], None]  # None: "you may have missed notes"


class Broker(Protocol):
    def publish(self, events: Sequence[Event]) -> None:
        """Hand committed events to the fan-out; never blocks."""

    @property
    def coherent(self) -> bool:
        """Whether every process serving this database hears this broker's notes now."""

    def on_note(self, handler: NoteHandler) -> None:
        """Call `handler` in this process for every note announced by any process."""

    async def announce(self, note: Note) -> None:
        """Have every process act on `note`; returns once they have (or after a bounded
        wait, when one does not answer)."""

    def subscribe(self, user_id: int) -> AbstractAsyncContextManager[Subscription]:
        """Receive the user's events from now on: once entered, every event committed
        later reaches the subscription, or a RESYNC marker does."""

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


class MemoryBroker:
    """One process: events go straight from the committing request to the streams."""

    def __init__(self, *, queue_size: int = 256, coherent: bool = True) -> None:
        self._hub = Hub(queue_size)
        self._coherent = coherent
        self._note_handlers: list[NoteHandler] = []

    def publish(self, events: Sequence[Event]) -> None:
        self._hub.dispatch(events)

    @property
    def coherent(self) -> bool:
        return self._coherent

    def on_note(self, handler: NoteHandler) -> None:
        self._note_handlers.append(handler)

    async def announce(self, note: Note) -> None:
        for handler in self._note_handlers:
            handler(note)

    @asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[Subscription]:
        subscription, _ = self._hub.add(user_id)
        try:
            yield subscription
        finally:
            self._hub.remove(subscription)

    async def start(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


POLL_PAGE = 500


class PollingBroker(MemoryBroker):
    """Several worker processes on one machine without Redis (`mailslot serve --workers N`
    on SQLite): this process's events go straight to its streams; the other processes'
    are found by polling the change-log heads of the users subscribed here, one query per
    interval whatever the number of streams, and read from the log."""

    def __init__(self, change_log: ChangeLog, *, queue_size: int, interval: float) -> None:
        # The other workers never hear this one's notes.
        super().__init__(queue_size=queue_size, coherent=False)
        self._log = change_log
        self._interval = interval
        self._known: dict[int, int] = {}  # user id -> newest sequence number delivered
        self._starting: dict[int, anyio.Event] = {}
        self._task: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[Subscription]:
        async with super().subscribe(user_id) as subscription:
            await self._track(user_id)
            yield subscription

    async def _track(self, user_id: int) -> None:
        # The head is read before the stream reads the log, so whatever commits after the
        # stream's catch-up is above it and the poller delivers it.
        while user_id not in self._known:
            starting = self._starting.get(user_id)
            if starting is not None:
                await starting.wait()
                continue
            starting = self._starting[user_id] = anyio.Event()
            try:
                heads = await self._log.heads([user_id])
                self._known[user_id] = heads.get(user_id, 0)
            finally:
                del self._starting[user_id]
                starting.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._poll_forever(), name="mailslot-poller")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _poll_forever(self) -> None:
        failing = False
        while True:
            await anyio.sleep(self._interval)
            try:
                await self.poll()
            except Exception as exc:  # the database is down: streams carry on, retry later
                if not failing:
                    log.warning("change-log poll failed: %s", exc)
                failing = True
            else:
                failing = False

    async def poll(self) -> None:
        for user_id in self._known.keys() - self._hub.users:
            del self._known[user_id]
        if not self._known:
            return
        heads = await self._log.heads(list(self._known))
        for user_id, head in heads.items():
            since = self._known.get(user_id)
            if since is None or head <= since:
                continue
            try:
                page = await self._log.read(user_id, since=since, limit=POLL_PAGE)
            except ResyncRequired:
                self._hub.resync([user_id])
                self._known[user_id] = head
                continue
            self._hub.dispatch(page.events)
            self._known[user_id] = page.events[-1].id if page.events else head


BACKOFF_START = 0.05
BACKOFF_MAX = 2.0  # capped, so delivery resumes within about 2 s of Redis coming back
PING_INTERVAL = 0.25  # between the subscriber's pings, each renewing its lease
LEASE = 1.0  # seconds after an answered ping was sent that note-kept state is trusted
KEEPALIVE = 10.0  # a ping unanswered this long: the connection is dead, reconnect
SUBSCRIBE_WAIT = 2.0
NOTE_WAIT = 1.0  # for Redis to take a note and every instance to confirm it
NOTE_MARGIN = 0.25  # on top of LEASE: timer lateness and clock rates between instances
NOTE_MAX_BYTES = 1024
OUTBOX_MAX = 10_000
PUBLISH_BATCH = 256


class RedisBroker:
    """Redis pub/sub between instances, one channel per user. Local streams get local
    events at once; payloads from Redis are validated (size, JSON, shape, recipient)
    before any stream sees them. A lost connection is retried with capped exponential
    backoff; once resubscribed, every stream re-reads the change log, so nothing
    committed meanwhile is missed.

    Notes go over one control channel. Each subscribed instance acts on a note, then
    pushes to the note's reply list; the announcer waits for as many replies as PUBLISH
    counted receivers, so a sign-out answers only once every instance has forgotten the
    token (or, failing that, once every lease has run out: see the module docstring).
    An instance is coherent while subscribed and its lease holds; on every
    (re)connection, lost connection and lapsed lease its note handlers hear None: notes
    may have been missed. Every channel, key and payload carries `prefix`, which holds the
    deployment's identity."""

    def __init__(self, url: str, *, prefix: str, queue_size: int = 256) -> None:
        self._url = url
        self._prefix = prefix
        self._hub = Hub(queue_size)
        self._origin = uuid.uuid4().hex
        self._client: Redis | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # Publishing side: events wait here until Redis takes them.
        self._outbox: deque[Event] = deque()
        self._outbox_ready = asyncio.Event()
        # Subscribing side: the channels wanted, and the connection's state.
        self._control = f"{prefix}control".encode()
        self._channels: dict[bytes, int] = {}
        self._commands: asyncio.Queue[tuple[bytes, ...]] = asyncio.Queue()
        self._connection: AbstractConnection | None = None  # set once channels are sent
        self._pending: dict[bytes, int] = {}  # SUBSCRIBE commands not yet confirmed
        self._waiters: dict[bytes, list[asyncio.Future[None]]] = {}
        self._pings: deque[float] = deque()  # when each unanswered ping was sent
        self._last_ping = 0.0
        self._lease_until = 0.0
        self._lapsed = False
        self._started = False  # a connection was ready once
        self._ready = False  # the current connection is subscribed
        self._subscribed = anyio.Event()  # a connection was subscribed once
        self._note_handlers: list[NoteHandler] = []
        self._replies: set[asyncio.Task[Any]] = set()
        # Counters, for operators and tests.
        self.invalid_payloads = 0
        self.dropped_events = 0
        self.reconnects = 0

    def channel(self, user_id: int) -> bytes:
        return f"{self._prefix}user:{user_id}".encode()

    async def start(self) -> None:
        client = self._client = Redis.from_url(
            self._url,
            socket_connect_timeout=2,
            socket_timeout=5,
            retry=Retry(NoBackoff(), 0),  # this class retries, with backoff, on its own
        )
        self._tasks = [
            asyncio.create_task(self._subscriber_forever(client), name="mailslot-redis-sub"),
            asyncio.create_task(self._publisher_forever(client), name="mailslot-redis-pub"),
        ]
        # Serve once subscribed; without Redis, serve anyway (streams catch up later).
        with anyio.move_on_after(SUBSCRIBE_WAIT):
            await self._subscribed.wait()
        if not self._subscribed.is_set():
            log.warning("Redis is not answering at start; live delivery between instances waits")

    async def aclose(self) -> None:
        for task in self._tasks:
            await _cancel(task)
        if self._client is not None:
            await self._client.aclose()

    # Publishing ---------------------------------------------------------------------

    def publish(self, events: Sequence[Event]) -> None:
        self._hub.dispatch(events)
        self._outbox.extend(events)
        self._trim_outbox()
        self._outbox_ready.set()

    # Notes --------------------------------------------------------------------------

    @property
    def coherent(self) -> bool:
        return self._ready and not self._lapsed and time.monotonic() < self._lease_until

    def on_note(self, handler: NoteHandler) -> None:
        self._note_handlers.append(handler)

    async def announce(self, note: Note) -> None:
        self._tell(note)  # at once here, whatever Redis does
        if self._client is None:
            return
        reply = f"{self._prefix}note-reply:{uuid.uuid4().hex}"
        payload = json.dumps({"note": note, "reply": reply}).encode()
        listeners = confirmed = 0
        try:
            with anyio.fail_after(NOTE_WAIT):
                # Subscribers of the channel itself: PUBLISH's own count takes in pattern
                # subscribers too (an operator's `PSUBSCRIBE *`), which never confirm.
                async with self._client.pipeline(transaction=True) as pipe:
                    pipe.publish(self._control, payload)
                    pipe.pubsub_numsub(self._control)
                    [_, [(_, listeners)]] = await pipe.execute()
                while confirmed < listeners and await self._client.blpop(
                    [reply], timeout=NOTE_WAIT
                ):
                    confirmed += 1
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("a note was not confirmed by every instance: %r", exc)
        else:
            if confirmed == listeners:
                return
            log.warning(
                "a note was not confirmed by every instance: %d of %d", confirmed, listeners
            )
        # Whoever missed it stops trusting what it kept by then (module docstring).
        await anyio.sleep(LEASE + NOTE_MARGIN)

    def _tell(self, note: Note | None) -> None:
        for handler in self._note_handlers:
            handler(note)

    def _receive_note(self, payload: bytes) -> None:
        try:
            if len(payload) > NOTE_MAX_BYTES:
                raise ValueError("too large")
            message = json.loads(payload)
            note, reply = message["note"], message["reply"]
            if not isinstance(note, dict) or not str(reply).startswith(
                f"{self._prefix}note-reply:"
            ):
                raise ValueError("not a note")
        except (ValueError, KeyError, TypeError) as exc:
            self.invalid_payloads += 1
            log.warning("dropped an invalid note from Redis: %s", exc)
            return
        self._tell(note)
        if isinstance(user_id := note.get("forget_user"), int):
            # Its streams here re-check their token before anything more goes out: the
            # `session.ended` signal travels apart and may come after the sign-out answered.
            self._hub.resync([user_id])
        if self._client is None:
            return
        task = asyncio.create_task(self._confirm_note(self._client, str(reply)))
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

    async def _confirm_note(self, client: Redis, reply: str) -> None:
        try:
            async with client.pipeline(transaction=False) as pipe:
                pipe.rpush(reply, self._origin)
                pipe.expire(reply, int(NOTE_WAIT) + 1)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("could not confirm a note: %s", exc)

    def _trim_outbox(self) -> None:
        overflow = len(self._outbox) - OUTBOX_MAX
        if overflow > 0:
            # Streams elsewhere still find these in the change log after their next resync.
            for _ in range(overflow):
                self._outbox.popleft()
            self.dropped_events += overflow
            log.warning("Redis is unreachable: %d unpublished events dropped", overflow)

    async def _publisher_forever(self, client: Redis) -> None:
        delay = BACKOFF_START
        while True:
            await self._outbox_ready.wait()
            batch = [self._outbox.popleft() for _ in range(min(PUBLISH_BATCH, len(self._outbox)))]
            if not self._outbox:
                self._outbox_ready.clear()
            try:
                async with client.pipeline(transaction=False) as pipe:
                    for event in batch:
                        pipe.publish(
                            self.channel(event.user_id),
                            encode(event, origin=self._origin, deployment=self._prefix),
                        )
                    await pipe.execute()
            except Exception as exc:  # RedisError, OSError; anything else must not stop it
                if delay == BACKOFF_START:
                    log.warning("Redis publish failed (%s); retrying with backoff", exc)
                self._outbox.extendleft(reversed(batch))
                self._trim_outbox()
                self._outbox_ready.set()
                await anyio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
            else:
                delay = BACKOFF_START

    # Subscribing --------------------------------------------------------------------

    @asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[Subscription]:
        subscription, first = self._hub.add(user_id)
        try:
            if first:
                await self._watch(user_id)
            yield subscription
        finally:
            if self._hub.remove(subscription):
                self._unwatch(user_id)

    async def _watch(self, user_id: int) -> None:
        channel = self.channel(user_id)
        self._channels[channel] = user_id
        if self._connection is None:
            return  # the next connection subscribes to it, then every stream resyncs
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(channel, []).append(waiter)
        self._pending[channel] = self._pending.get(channel, 0) + 1
        self._commands.put_nowait((b"SUBSCRIBE", channel))
        # Redis confirms in order: once confirmed, a later PUBLISH reaches this channel.
        # If it does not confirm in time, the connection is failing: its replacement
        # resubscribes and resyncs.
        with anyio.move_on_after(SUBSCRIBE_WAIT):
            await asyncio.shield(waiter)

    def _unwatch(self, user_id: int) -> None:
        channel = self.channel(user_id)
        self._channels.pop(channel, None)
        if self._connection is not None:
            self._commands.put_nowait((b"UNSUBSCRIBE", channel))

    async def _subscriber_forever(self, client: Redis) -> None:
        delay = BACKOFF_START
        while True:
            connection: AbstractConnection = client.connection_pool.make_connection()  # type: ignore[no-untyped-call]
            try:
                await connection.connect()  # type: ignore[no-untyped-call]
                await self._serve(connection)
            except (RedisError, OSError) as exc:
                if self._ready or delay == BACKOFF_START:
                    log.warning("Redis subscriber connection lost (%s); reconnecting", exc)
            except Exception:  # a bug must not end cross-instance delivery for good
                log.exception("Redis subscriber failed; reconnecting")
            finally:
                self._connection = None
                was_ready, self._ready = self._ready, False
                if was_ready:
                    self._tell(None)  # notes published from now on are not heard here
                self._release_waiters(self._waiters.keys())
                self._pending.clear()
                await connection.disconnect(nowait=True)
            delay = BACKOFF_START if was_ready else min(delay * 2, BACKOFF_MAX)
            await anyio.sleep(delay)

    async def _serve(self, connection: AbstractConnection) -> None:
        """Subscribe, then read until the connection fails (raises)."""
        while not self._commands.empty():  # superseded by the full list below
            self._commands.get_nowait()
        self._pending = dict.fromkeys(self._channels, 1)
        self._release_waiters([c for c in self._waiters if c not in self._pending])
        self._pings = deque([time.monotonic()])  # before sending: a lease starts early
        self._last_ping = self._pings[0]
        await connection.send_command(b"SUBSCRIBE", self._control, *self._channels)
        await connection.send_command(b"PING", b"ready")
        self._connection = connection
        writer = asyncio.create_task(self._write(connection))
        try:
            while True:
                response = await connection.read_response(timeout=PING_INTERVAL, push_request=True)
                if writer.done():
                    raise OSError(f"writing to Redis failed: {writer.exception()!r}")
                if response is not None and self._handle(response):
                    # Subscribed again: whatever was published meanwhile is in the log.
                    if self._started:
                        self.reconnects += 1
                        log.info("Redis subscriber reconnected; streams catch up from the log")
                    self._started = self._ready = True
                    self._lapsed = False
                    self._subscribed.set()
                    self._hub.resync()
                    self._tell(None)  # notes published while away were missed
                self._tick(time.monotonic())
        finally:
            await _cancel(writer)

    def _tick(self, now: float) -> None:
        """Notice a lapsed lease; send the next ping (one at a time), or give up on a
        connection that leaves one unanswered for KEEPALIVE."""
        self._check_lease(now)
        if self._pings:
            if now - self._pings[0] > KEEPALIVE:
                raise OSError("Redis did not answer a ping")
        elif now - self._last_ping >= PING_INTERVAL:
            self._pings.append(now)
            self._last_ping = now
            self._commands.put_nowait((b"PING", b"lease"))

    def _check_lease(self, now: float) -> None:
        if self._ready and not self._lapsed and now >= self._lease_until:
            self._lapsed = True
            log.warning("Redis did not answer within %.1f s: tokens are checked again", LEASE)
            self._tell(None)  # what notes kept is cleared, not merely distrusted

    def _pong(self) -> None:
        if not self._pings:
            return  # not a ping of ours
        sent = self._pings.popleft()
        now = time.monotonic()
        self._check_lease(now)  # a lapse not noticed yet counts before the renewal
        self._lease_until = max(self._lease_until, sent + LEASE)
        if self._lapsed and now < self._lease_until:  # not a ping sent before the lapse
            self._lapsed = False
            log.info("Redis answers again")
            self._hub.resync()  # a revocation's signal may have been lost meanwhile

    async def _write(self, connection: AbstractConnection) -> None:
        while True:
            command = await self._commands.get()
            await connection.send_command(*command)

    def _handle(self, response: Any) -> bool:
        """Act on one reply; True for the pong that follows the initial subscriptions."""
        if response in (b"ready", b"lease"):  # PING's answer: a bare string or ["pong", ...]
            self._pong()
            return bool(response == b"ready")
        if not isinstance(response, list) or not response:
            return False
        kind = response[0]
        if kind == b"message" and len(response) == 3:
            self._receive(response[1], response[2])
        elif kind == b"subscribe":
            self._confirm(response[1])
        elif kind == b"pong" and len(response) > 1:
            self._pong()
            return bool(response[1] == b"ready")
        return False

    def _receive(self, channel: bytes, payload: bytes) -> None:
        if channel == self._control:
            self._receive_note(payload)
            return
        user_id = self._channels.get(channel)
        if user_id is None:
            return  # a channel just left
        try:
            origin, event = decode(payload, user_id=user_id, deployment=self._prefix)
        except InvalidPayload as exc:
            self.invalid_payloads += 1
            if math.log2(self.invalid_payloads).is_integer():  # 1, 2, 4, 8...: no log flood
                log.warning(
                    "dropped %d invalid payload(s) from Redis; latest on %r: %s",
                    self.invalid_payloads,
                    channel.decode(errors="replace"),
                    exc,
                )
            return
        if origin != self._origin:
            self._hub.dispatch([event])

    def _confirm(self, channel: bytes) -> None:
        remaining = self._pending.get(channel, 0) - 1
        if remaining > 0:
            self._pending[channel] = remaining
            return
        self._pending.pop(channel, None)
        self._release_waiters([channel])

    def _release_waiters(self, channels: Collection[bytes]) -> None:
        for channel in list(channels):
            for waiter in self._waiters.pop(channel, []):
                if not waiter.done():
                    waiter.set_result(None)


async def _cancel(task: asyncio.Task[None]) -> None:
    """Cancel and wait. Again if need be: on Python 3.11, asyncio.wait_for (inside
    redis-py's writes) can swallow a cancellation that lands as the write completes."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=0.5)
    with suppress(asyncio.CancelledError, Exception):  # its failure was reported already
        task.result()


def make_broker(settings: Settings, change_log: ChangeLog, *, prefix: str) -> Broker:
    """Redis with MAILSLOT_REDIS_URL, under the deployment's `prefix`; else polling
    between worker processes when there are several; else in-process."""
    if settings.redis_url:
        return RedisBroker(settings.redis_url, prefix=prefix, queue_size=settings.stream_queue_size)
    if settings.workers > 1:
        return PollingBroker(
            change_log,
            queue_size=settings.stream_queue_size,
            interval=settings.stream_poll_interval,
        )
    # One process; on a shared database other instances might exist unheard of.
    return MemoryBroker(queue_size=settings.stream_queue_size, coherent=settings.is_sqlite)
