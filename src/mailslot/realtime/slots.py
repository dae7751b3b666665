"""The cap on a user's open live streams (SSE and WebSocket together), counted in this
process or, with Redis, across every instance.

    StreamSlots        one process; what every instance falls back to
    └── RedisStreamSlots   a sorted set per user in Redis: stream ids scored by the end
                           of their lease, renewed every heartbeat, so the slots of a
                           crashed instance expire instead of counting forever
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from redis.asyncio import Redis

from mailslot.background import Background
from mailslot.config import Settings
from mailslot.errors import TooManyStreams
from mailslot.ratelimit import retry_after
from mailslot.redis import ERRORS, Fallback

log = logging.getLogger("mailslot.realtime")

LEASE_HEARTBEATS = 3  # a slot outlives two missed renewals, not three


class StreamSlots:
    """Slots of this process, by user."""

    def __init__(self, cap: int, *, lease: float) -> None:
        self.cap = cap  # 0: unlimited
        self.lease = lease
        self._held: dict[int, set[str]] = {}

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        """A slot for one stream of the user while the block runs; raises TooManyStreams
        when the user has `cap` streams open already."""
        if not self.cap:
            yield
            return
        slot = uuid.uuid4().hex
        if not await self._acquire(user_id, slot):
            # By then a slot left behind by a crashed instance has expired.
            wait = retry_after(self.lease)
            raise TooManyStreams(
                f"You have {self.cap} live streams open, the most allowed: close one, "
                f"or retry in {wait} seconds.",
                headers={"Retry-After": wait},
            )
        try:
            yield
        finally:
            # Also when the stream is cancelled (server exit): the slot must not linger.
            with anyio.CancelScope(shield=True):
                await self._release(user_id, slot)

    def count(self, user_id: int) -> int:
        """The user's streams open on this process."""
        return len(self._held.get(user_id, ()))

    async def _acquire(self, user_id: int, slot: str) -> bool:
        if self.count(user_id) >= self.cap:
            return False
        self._held.setdefault(user_id, set()).add(slot)
        return True

    async def _release(self, user_id: int, slot: str) -> None:
        slots = self._held.get(user_id, set())
        slots.discard(slot)
        if not slots:
            self._held.pop(user_id, None)

    async def start(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


# One round trip, atomic across instances: drop expired slots, count, take one. The
# server's clock, so every instance agrees on what has expired.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
redis.call('PEXPIRE', KEYS[1], lease)
return 1
"""

# KEYS[i] holds slot ARGV[i + 1]. ZADD without XX: it puts back what a Redis restart or
# a long outage lost, so streams opened meanwhile count again.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[i + 1])
  redis.call('PEXPIRE', key, lease)
end
return 0
"""

RENEW_BATCH = 500  # slots per script call: no one call blocks Redis for long


class RedisStreamSlots(StreamSlots):
    """Slots in Redis, shared by every instance; each instance renews its own every
    `interval` seconds in one batch (not a task per stream). While Redis cannot be
    reached, each instance falls back to counting its own streams: the cap holds per
    instance, it never disappears."""

    def __init__(
        self,
        url: str,
        cap: int,
        *,
        prefix: str,
        interval: float,
        timeout: float = 0.5,
    ) -> None:
        super().__init__(cap, lease=interval * LEASE_HEARTBEATS)
        self._redis: Any = Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._prefix = prefix
        self._interval = interval
        self._acquire_script = self._redis.register_script(_ACQUIRE)
        self._renew_script = self._redis.register_script(_RENEW)
        self._redis_down = Fallback(
            log, "redis unavailable for stream slots, counting this instance's: %s"
        )
        self._background = Background()

    def key(self, user_id: int) -> str:
        return f"{self._prefix}streams:{user_id}"

    async def _acquire(self, user_id: int, slot: str) -> bool:
        if self._redis_down.usable:
            lease_ms = round(self.lease * 1000)
            try:
                taken = await self._acquire_script(
                    keys=[self.key(user_id)], args=[self.cap, lease_ms, slot]
                )
            except ERRORS as exc:
                self._redis_down.failed(exc)
            else:
                if taken:
                    self._held.setdefault(user_id, set()).add(slot)
                return bool(taken)
        return await super()._acquire(user_id, slot)

    async def _release(self, user_id: int, slot: str) -> None:
        await super()._release(user_id, slot)
        await self._forget([(user_id, slot)])

    async def _forget(self, slots: list[tuple[int, str]]) -> None:
        if not slots or not self._redis_down.usable:
            return  # the lease ends them
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id, slot in slots:
                    pipe.zrem(self.key(user_id), slot)
                await pipe.execute()
        except ERRORS as exc:
            self._redis_down.failed(exc)

    async def renew(self) -> None:
        """Extend the lease of every slot this instance holds."""
        held = [(user_id, slot) for user_id, slots in self._held.items() for slot in slots]
        if not held or not self._redis_down.usable:
            return
        lease_ms = round(self.lease * 1000)
        try:
            for start in range(0, len(held), RENEW_BATCH):
                batch = held[start : start + RENEW_BATCH]
                await self._renew_script(
                    keys=[self.key(user_id) for user_id, _ in batch],
                    args=[lease_ms, *(slot for _, slot in batch)],
                )
        except ERRORS as exc:
            self._redis_down.failed(exc)
            return
        # A stream that ended while the renewal was on its way was put back: remove it.
        await self._forget([(u, s) for u, s in held if s not in self._held.get(u, ())])

    async def _renew_forever(self) -> None:
        while True:
            await anyio.sleep(self._interval)
            try:
                await self.renew()
            except Exception:  # a bug must not let every slot expire
                log.exception("renewing stream slots failed")

    async def start(self) -> None:
        self._background.start("mailslot-stream-slots", self._renew_forever)

    async def aclose(self) -> None:
        await self._background.aclose()
        held = [(user_id, slot) for user_id, slots in self._held.items() for slot in slots]
        await self._forget(held)
        await self._redis.aclose()


def make_stream_slots(settings: Settings, *, prefix: str) -> StreamSlots:
    """Counted in Redis with MAILSLOT_REDIS_URL, under the deployment's `prefix`; else in
    this process."""
    if settings.redis_url and settings.max_streams_per_user:
        return RedisStreamSlots(
            settings.redis_url,
            settings.max_streams_per_user,
            prefix=prefix,
            interval=settings.stream_heartbeat,
        )
    return StreamSlots(
        settings.max_streams_per_user, lease=settings.stream_heartbeat * LEASE_HEARTBEATS
    )
