"""Who a bearer token belongs to, remembered so that most requests skip the token query.

Sign-out must still take effect at once on every instance: the memory is a NotedCache
(bus/cache.py), trusted only while every process hears notes, and forgetting a user is a
note that every process acts on, or has stopped trusting its entries by, before the
sign-out (or password or email change) is answered: see bus/broker.py. Entries also lapse
after `ttl` seconds and when the token expires.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.accounts import service
from mailslot.accounts.security import token_digest
from mailslot.accounts.service import Account
from mailslot.bus.cache import NotedCache
from mailslot.bus.notes import Notes
from mailslot.db.base import utcnow


class TokenCache:
    def __init__(
        self,
        notes: Notes,
        reads: AsyncEngine,
        *,
        ttl: float,
        size: int = 10_000,
    ) -> None:
        # A connection of its own, returned at once: a request holding it while it waits
        # for a connection to write with could exhaust the pool.
        self._reads = reads
        # token digest -> (account, token expiry)
        self._memory: NotedCache[bytes, tuple[Account, datetime]] = NotedCache(
            notes, field="forget_user", owner=lambda entry: entry[0].id, ttl=ttl, size=size
        )

    @property
    def enabled(self) -> bool:
        return self._memory.enabled

    async def user_for(self, token: str) -> Account | None:
        """The owner of a live token, or None for an unknown, expired or revoked one."""
        digest = token_digest(token)
        remembered = self._memory.get(digest)
        if remembered is not None and utcnow() >= remembered[1]:  # the token has expired
            self._memory.drop(digest)
        entry = await self._memory.get_or_load(digest, lambda: self._find(digest))
        return None if entry is None else entry[0]

    async def _find(self, digest: bytes) -> tuple[Account, datetime] | None:
        async with self._reads.connect() as db:
            return await service.find_token_owner(db, digest)

    async def forget_user(self, user_id: int) -> None:
        """Every process forgets the user's tokens; call after the change commits."""
        await self._memory.forget(user_id)

    def clear(self) -> None:
        self._memory.clear()
