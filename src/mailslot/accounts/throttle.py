"""The failed sign-in throttle: one budget for every door that checks a password.

Three buckets are spent by each failed check, all or none:

- the account, from anywhere: OWASP ASVS V2.2.1's hard ceiling (100 failures an hour);
- the address and account together: smaller than the account's, so one address cannot
  spend the account's budget and lock its owner out from elsewhere;
- the address, across accounts: credential stuffing from one place.

A token is taken before the password is checked and given back when the password was
right, so concurrent guesses cannot overshoot a budget, and the owner's sign-in costs
nothing. A success also clears its (address, account) bucket. MAILSLOT_RATE_LIMITS=off
does not lift this throttle.

Checks of one account run one at a time in each process: tokens held by the owner's own
concurrent requests (seed A clients send the password with every request) would
otherwise spend the burst and refuse the owner with 429, once taking and giving back are
Redis round trips. Across instances, at most one token per instance is in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mailslot.budgets import Budget
from mailslot.config import Settings
from mailslot.errors import InvalidCredentials, TooManyRequests
from mailslot.ratelimit import Bucket, Limiter, MemoryLimiter, retry_after


class SignInThrottle:
    def __init__(
        self,
        limiter: Limiter,
        *,
        per_account: Budget,
        per_address_account: Budget,
        per_address: Budget,
    ) -> None:
        self.limiter = limiter
        self.per_account = per_account
        self.per_address_account = per_address_account
        self.per_address = per_address
        self._checking: dict[str, tuple[asyncio.Lock, int]] = {}  # account -> lock, users

    @classmethod
    def from_settings(cls, settings: Settings, limiter: Limiter | None = None) -> SignInThrottle:
        return cls(
            limiter or MemoryLimiter(),
            per_account=settings.limit_signin_account,
            per_address_account=settings.limit_signin_address_account,
            per_address=settings.limit_signin_address,
        )

    @classmethod
    def default(cls) -> SignInThrottle:
        """In process, at the default budgets: a check is never unthrottled."""
        fields = Settings.model_fields
        return cls(
            MemoryLimiter(),
            per_account=fields["limit_signin_account"].default,
            per_address_account=fields["limit_signin_address_account"].default,
            per_address=fields["limit_signin_address"].default,
        )

    def _buckets(self, account: str, client: str | None) -> list[Bucket]:
        buckets = [(f"signin:account:{account}", self.per_account)]
        if client:
            buckets += [
                (f"signin:pair:{client}:{account}", self.per_address_account),
                (f"signin:address:{client}", self.per_address),
            ]
        return buckets

    @asynccontextmanager
    async def attempt(self, account: str, client: str | None) -> AsyncIterator[None]:
        """Guards one password check: 429 if a budget is spent; the block raising
        InvalidCredentials keeps the token spent, anything else gives it back."""
        async with self._one_at_a_time(account), self._spending(account, client):
            yield

    @asynccontextmanager
    async def _one_at_a_time(self, account: str) -> AsyncIterator[None]:
        lock, users = self._checking.get(account) or (asyncio.Lock(), 0)
        self._checking[account] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._checking[account]
            if users == 1:
                del self._checking[account]
            else:
                self._checking[account] = (lock, users - 1)

    @asynccontextmanager
    async def _spending(self, account: str, client: str | None) -> AsyncIterator[None]:
        buckets = self._buckets(account, client)
        wait = await self.limiter.take(buckets)
        if wait > 0:
            raise TooManyRequests(
                f"Too many failed sign-ins; retry in {retry_after(wait)} seconds.",
                headers={"Retry-After": retry_after(wait)},
            )
        try:
            yield
        except InvalidCredentials:
            raise
        except Exception:
            await self.limiter.give(buckets)
            raise
        await self.limiter.give(buckets)
        if client:
            await self.limiter.clear([buckets[1][0]])
