"""Fan-out between instances over Redis pub/sub (RedisBroker), and the notes that carry
revocations between them: see bus/broker.py for why revocation fails closed."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import anyio
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from mailslot import metrics
from mailslot.background import Background, cancel
from mailslot.bus.events import Event, InvalidPayload, decode, encode
from mailslot.bus.notes import Note, NoteHandler, NoteHandlers
from mailslot.bus.subscription import Hub, Subscription

log = logging.getLogger("mailslot.realtime")

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
        self._background = Background()
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
        self._notes = NoteHandlers()
        self._replies: set[asyncio.Task[Any]] = set()
        # Counters, for operators and tests.
        self.invalid_payloads = 0
        self.dropped_events = 0
        self.reconnects = 0

    def channel(self, user_id: int) -> bytes:
        return f"{self._prefix}user:{user_id}".encode()

    async def start(self) -> None:
        metrics.REDIS_SUBSCRIBED.set(0)
        client = self._client = Redis.from_url(
            self._url,
            socket_connect_timeout=2,
            socket_timeout=5,
            retry=Retry(NoBackoff(), 0),  # this class retries, with backoff, on its own
        )
        self._background.start("mailslot-redis-sub", partial(self._subscriber_forever, client))
        self._background.start("mailslot-redis-pub", partial(self._publisher_forever, client))
        # Serve once subscribed; without Redis, serve anyway (streams catch up later).
        with anyio.move_on_after(SUBSCRIBE_WAIT):
            await self._subscribed.wait()
        if not self._subscribed.is_set():
            log.warning("Redis is not answering at start; live delivery between instances waits")

    async def aclose(self) -> None:
        await self._background.aclose()
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
        self._notes.add(handler)

    async def announce(self, note: Note) -> None:
        self._notes.tell(note)  # at once here, whatever Redis does
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
            metrics.REDIS_INVALID.inc()
            log.warning("dropped an invalid note from Redis: %s", exc)
            return
        self._notes.tell(note)
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
            metrics.REDIS_DROPPED.inc(overflow)
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
                metrics.REDIS_PUBLISH_FAILURES.inc()
                if delay == BACKOFF_START:
                    log.warning("Redis publish failed (%s); retrying with backoff", exc)
                self._outbox.extendleft(reversed(batch))
                self._trim_outbox()
                self._outbox_ready.set()
                await anyio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
            else:
                metrics.REDIS_PUBLISHED.inc(len(batch))
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
                metrics.REDIS_SUBSCRIBED.set(0)
                if was_ready:
                    self._notes.tell(None)  # notes published from now on are not heard here
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
                        metrics.REDIS_RECONNECTS.inc()
                        log.info("Redis subscriber reconnected; streams catch up from the log")
                    self._started = self._ready = True
                    metrics.REDIS_SUBSCRIBED.set(1)
                    self._lapsed = False
                    self._subscribed.set()
                    self._hub.resync()
                    self._notes.tell(None)  # notes published while away were missed
                self._tick(time.monotonic())
        finally:
            await cancel(writer)

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
            self._notes.tell(None)  # what notes kept is cleared, not merely distrusted

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
            metrics.REDIS_INVALID.inc()
            if math.log2(self.invalid_payloads).is_integer():  # 1, 2, 4, 8...: no log flood
                log.warning(
                    "dropped %d invalid payload(s) from Redis; latest on %r: %s",
                    self.invalid_payloads,
                    channel.decode(errors="replace"),
                    exc,
                )
            return
        if origin != self._origin:
            if event.committed_at:
                metrics.REDIS_RECEIVE_LAG.observe(max(time.time() - event.committed_at, 0.0))
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
