"""Who a bearer token belongs to, remembered so that most requests skip the token query.

Sign-out must still take effect at once on every instance, so an entry is trusted only
while the broker is coherent (every process hears its notes: over Redis, while this
process holds its lease), everything is forgotten whenever notes may have been missed
(the broker says so with a None note, when its lease lapses or its connection changes),
and forgetting a user is a note that every process acts on, or has stopped trusting its
entries by, before the sign-out (or password or email change) is answered: see
bus/broker.py. Entries also lapse after `ttl` seconds, which bounds what no note can
reach: an operator deleting a user in the database, a partition cutting off the
announcing instance alone.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.accounts import service
from mailslot.accounts.security import token_digest
from mailslot.accounts.service import Account
from mailslot.bus.notes import Note, Notes
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
        self._notes = notes
        # A connection of its own, returned at once: a request holding it while it waits
        # for a connection to write with could exhaust the pool.
        self._reads = reads
        self._ttl = ttl
        self._size = size
        # token digest -> (account, token expiry, entry lapses at (monotonic))
        self._entries: OrderedDict[bytes, tuple[Account, datetime, float]] = OrderedDict()
        # Bumped by every forget: a lookup that raced one does not store what it read.
        self._generation = 0
        notes.on_note(self._on_note)

    @property
    def enabled(self) -> bool:
        return self._ttl > 0 and self._notes.coherent

    async def user_for(self, token: str) -> Account | None:
        """The owner of a live token, or None for an unknown, expired or revoked one."""
        digest = token_digest(token)
        entry = self._entries.get(digest)
        if entry is not None and self.enabled:
            account, expires_at, lapses_at = entry
            if time.monotonic() < lapses_at and utcnow() < expires_at:
                return account
            del self._entries[digest]
        generation = self._generation
        async with self._reads.connect() as db:
            found = await service.find_token_owner(db, digest)
        if found is None:
            return None
        account, expires_at = found
        if generation == self._generation and self.enabled:
            self._remember(digest, account, expires_at)
        return account

    async def forget_user(self, user_id: int) -> None:
        """Every process forgets the user's tokens; call after the change commits."""
        await self._notes.announce({"forget_user": user_id})

    def clear(self) -> None:
        self._entries.clear()
        self._generation += 1

    def _remember(self, digest: bytes, account: Account, expires_at: datetime) -> None:
        self._entries[digest] = (account, expires_at, time.monotonic() + self._ttl)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)  # the oldest entry

    def _on_note(self, note: Note | None) -> None:
        user_id = None if note is None else note.get("forget_user")
        if not isinstance(user_id, int):
            # Notes may have been missed (or one we do not know): forget everything.
            self.clear()
            return
        self._generation += 1
        for digest in [d for d, (account, *_) in self._entries.items() if account.id == user_id]:
            del self._entries[digest]
