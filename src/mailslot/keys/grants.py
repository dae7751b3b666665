"""The key behind a `/server` request, remembered so that most requests skip its query.

A NotedCache (bus/cache.py) of active keys by hash. Keys are revoked by `mailslot keys
revoke`, a process of its own, which tells the serving instances over Redis (a
`forget_key` note, bus/outside.py) and returns once each has forgotten the key or stopped
trusting what it remembered. Without Redis no note reaches them from that process, so the
memory is used only with Redis (and while its notes are coherent): otherwise every request
reads the key from the database, and a revocation holds from its commit.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.accounts.security import token_digest
from mailslot.bus.cache import NotedCache
from mailslot.bus.notes import Notes
from mailslot.db.base import utcnow
from mailslot.keys import service
from mailslot.keys.service import ActiveKey, Grant


class Grants:
    def __init__(self, notes: Notes, reads: AsyncEngine, *, ttl: float, over_redis: bool) -> None:
        self._reads = reads  # a connection of its own, returned at once (as TokenCache's)
        self._memory: NotedCache[bytes, ActiveKey] = NotedCache(
            notes,
            field="forget_key",
            owner=lambda key: key.key_id,
            ttl=ttl if over_redis else 0,
        )

    async def find(self, key: str) -> Grant | None:
        """The grant of an active key, or None for an unknown or revoked one."""
        digest = token_digest(key)
        found = await self._memory.get_or_load(digest, lambda: self._find(digest))
        return None if found is None else found.grant()

    async def _find(self, digest: bytes) -> ActiveKey | None:
        async with self._reads.connect() as db:
            return await service.find_key(db, digest)

    def noted(self, key: str) -> None:
        """The key's use was recorded just now (service.note_use committed): so remembered,
        if it still is remembered (a note since has the last word)."""
        digest = token_digest(key)
        found = self._memory.get(digest)
        if found is not None:
            self._memory.put(digest, replace(found, last_used_at=utcnow()), self._memory.generation)
