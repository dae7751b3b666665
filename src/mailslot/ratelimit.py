"""Request budgets: token buckets (GCRA) kept in process, or in Redis when instances share.

A budget is written `"<burst>, <count>/<period>"`: `burst` at once, then `count` more per
period (`s`, `min`, `h`). In any window of length W at most `burst + W / interval` events
pass, which is how the failed sign-in ceiling stays at or below 100 an hour.

    Limiter (protocol)
    ├── MemoryLimiter   one process; what every instance falls back to
    └── RedisLimiter    shared by every instance; falls back to memory while Redis is down
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mailslot.budgets import Budget
from mailslot.errors import TooManyRequests, Unprocessable
from mailslot.redis import ERRORS, Fallback

log = logging.getLogger("mailslot.ratelimit")


Bucket = tuple[str, Budget]


class Limiter(Protocol):
    async def take(self, buckets: Sequence[Bucket]) -> float:
        """Spend one token from every bucket, or from none: 0 when spent, else the seconds
        until all of them could pay."""
        ...

    async def give(self, buckets: Sequence[Bucket]) -> None:
        """Return one token to each bucket (an attempt that turned out not to count)."""
        ...

    async def clear(self, keys: Sequence[str]) -> None:
        """Forget these buckets: full again."""
        ...

    async def close(self) -> None: ...


class MemoryLimiter:
    """Buckets in this process. Each bucket keeps its theoretical arrival time (GCRA)."""

    MAX_KEYS = 100_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}

    async def take(self, buckets: Sequence[Bucket]) -> float:
        # No await inside: the check and the spend are one step for this event loop.
        now = self._clock()
        wait = 0.0
        spent = []
        for key, budget in buckets:
            arrival = max(self._tat.get(key, now), now) + budget.interval
            wait = max(wait, arrival - now - budget.burst * budget.interval)
            spent.append((key, arrival))
        if wait > 0:
            return wait
        if len(self._tat) > self.MAX_KEYS:
            self._sweep(now)
        self._tat.update(spent)
        return 0.0

    async def give(self, buckets: Sequence[Bucket]) -> None:
        now = self._clock()
        for key, budget in buckets:
            if key in self._tat:
                arrival = self._tat[key] - budget.interval
                if arrival <= now:
                    del self._tat[key]
                else:
                    self._tat[key] = arrival

    async def clear(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._tat.pop(key, None)

    async def close(self) -> None:
        self._tat.clear()

    def _sweep(self, now: float) -> None:
        self._tat = {key: tat for key, tat in self._tat.items() if tat > now}


# One round trip per decision; the server's clock, so every instance agrees.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local arrivals = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local arrival = tat + interval
  local over = arrival - now - burst * interval
  if over > wait then wait = over end
  arrivals[i] = arrival
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, arrivals[i], 'PX', arrivals[i] - now)
end
return 0
"""

_GIVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key))
  if tat then
    local arrival = tat - tonumber(ARGV[i])
    if arrival <= now then redis.call('DEL', key)
    else redis.call('SET', key, arrival, 'PX', arrival - now) end
  end
end
return 0
"""


class RedisLimiter:
    """Buckets in Redis, shared by every instance. While Redis cannot be reached, each
    instance falls back to its own memory buckets: budgets tighten per instance, they
    never disappear."""

    def __init__(self, url: str, *, prefix: str, timeout: float = 0.5) -> None:
        from redis import asyncio as aioredis

        self._redis: Any = aioredis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._prefix = prefix
        self._take = self._redis.register_script(_TAKE)
        self._give = self._redis.register_script(_GIVE)
        self._fallback = MemoryLimiter()
        self._redis_down = Fallback(
            log, "redis unavailable for rate limits, using local budgets: %s"
        )

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return [self._prefix + key for key in keys]

    async def take(self, buckets: Sequence[Bucket]) -> float:
        if self._redis_down.usable:
            args: list[float] = []
            for _, budget in buckets:
                args += [round(budget.interval * 1000), budget.burst]
            try:
                wait_ms = await self._take(keys=self._keys([k for k, _ in buckets]), args=args)
                return float(wait_ms) / 1000
            except ERRORS as exc:
                self._redis_down.failed(exc)
        return await self._fallback.take(buckets)

    async def give(self, buckets: Sequence[Bucket]) -> None:
        if self._redis_down.usable:
            args = [round(budget.interval * 1000) for _, budget in buckets]
            try:
                await self._give(keys=self._keys([k for k, _ in buckets]), args=args)
                return
            except ERRORS as exc:
                self._redis_down.failed(exc)
        await self._fallback.give(buckets)

    async def clear(self, keys: Sequence[str]) -> None:
        await self._fallback.clear(keys)
        if self._redis_down.usable:
            try:
                await self._redis.delete(*self._keys(keys))
            except ERRORS as exc:
                self._redis_down.failed(exc)

    async def close(self) -> None:
        await self._redis.aclose()


def make_limiter(redis_url: str | None, *, prefix: str) -> Limiter:
    if redis_url:
        return RedisLimiter(redis_url, prefix=prefix)
    return MemoryLimiter()


def retry_after(seconds: float) -> str:
    """An RFC 9110 `Retry-After` value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))


@dataclass(frozen=True, slots=True)
class AbuseBudgets:
    """The budgets a user's send spends against abuse (docs/safety.md, "Rate limits"):
    per receiver (`pair`), per account younger than `new_account_age` seconds
    (`new_account`), and per conversation started (`first_contact`, one per receiver)."""

    pair: Budget
    new_account: Budget
    new_account_age: float
    first_contact: Budget


class RateLimits:
    """An app's request budgets, by what they count. Every door that registers or sends
    spends the same bucket (the native API and seed A alike): 429 with `Retry-After` once
    it is spent; with `enabled=False` (MAILSLOT_RATE_LIMITS=off) everything passes."""

    __slots__ = ("_register", "_send", "_server", "abuse", "enabled", "limiter")

    def __init__(
        self,
        limiter: Limiter,
        *,
        enabled: bool = True,
        register: Budget,
        send: Budget,
        server: Budget,
        abuse: AbuseBudgets | None = None,
    ) -> None:
        self.limiter = limiter
        self.enabled = enabled
        self._register, self._send, self._server = register, send, server
        self.abuse = abuse

    def is_new(self, created_at: datetime, now: datetime) -> bool:
        """Whether an account created then is new to the abuse budgets."""
        return self.abuse is not None and (now - created_at).total_seconds() < (
            self.abuse.new_account_age
        )

    async def spend_send(
        self, sender: int, *, receivers: Sequence[str], new_account: bool, first_contacts: int
    ) -> None:
        """One message from the user whose id is `sender` to each of `receivers` (their
        username keys), from a new account or not, starting a conversation with
        `first_contacts` of them: every bucket at once, or none (429 with Retry-After).
        More first contacts than the budget's burst can never pass: Unprocessable (422)."""
        abuse = self.abuse
        if not self.enabled or abuse is None:
            return
        buckets: list[Bucket] = [(f"pair:{sender}:{key}", abuse.pair) for key in receivers]
        if new_account:
            buckets.append((f"new:{sender}", abuse.new_account))
        if first_contacts:
            if first_contacts > abuse.first_contact.burst:
                raise Unprocessable(
                    f"A message may start conversations with at most "
                    f"{int(abuse.first_contact.burst)} users at once (MAILSLOT_LIMIT_FIRST_CONTACT);"
                    f" this one starts {first_contacts}: send it in parts.",
                    errors=[{"pointer": "/body/receivers", "detail": "too many first contacts"}],
                )
            buckets.append((f"first:{sender}", abuse.first_contact.times(first_contacts)))
        wait = await self.limiter.take(buckets)
        if wait > 0:
            raise TooManyRequests(
                "Too many messages to these receivers, from a new account, or starting "
                f"conversations; retry in {retry_after(wait)} seconds.",
                headers={"Retry-After": retry_after(wait)},
            )

    async def register(self, client: str | None) -> None:
        """One registration from the client address `client` (before its password is
        hashed: refused sign-ups cost no argon2). Clients of unknown address share one."""
        await self._spend(
            "register", client or "-", self._register, "registrations from this address"
        )

    async def send(self, sender: int) -> None:
        """One message sent by the user whose id is `sender`."""
        await self._spend("send", str(sender), self._send, "messages sent")

    async def server(self, key_id: int) -> None:
        """One request under /server with the server key whose id is `key_id`."""
        await self._spend("server", str(key_id), self._server, "server API requests")

    async def _spend(self, name: str, key: str, budget: Budget, what: str) -> None:
        if not self.enabled:
            return
        wait = await self.limiter.take([(f"{name}:{key}", budget)])
        if wait > 0:
            raise TooManyRequests(
                f"Too many {what}; retry in {retry_after(wait)} seconds.",
                headers={"Retry-After": retry_after(wait)},
            )
