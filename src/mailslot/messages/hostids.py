"""The users behind a host's ids (and the platform's own account), remembered so that most
sends through the server API skip the look-up before the send statement.

A NotedCache (bus/cache.py) of user rows by external id, each dropped by the
`forget_user` note that every change to a user announces (profile, deactivation,
reactivation, tokens). A row remembered stale is caught where it matters: the send
statement refuses a receiver that is gone or deactivated, and sendas reads them again
(fresh) before it tells anyone. The sender's own state has no such check, so the memory
is used only with Redis, where a `mailslot` command's change reaches every instance too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mailslot.bus.cache import NotedCache
from mailslot.bus.notes import Notes

PLATFORM = "\0platform"  # the key of the system account's row: never an external id


class HostIds:
    def __init__(self, notes: Notes, *, ttl: float, over_redis: bool) -> None:
        self._memory: NotedCache[str, Any] = NotedCache(
            notes, field="forget_user", owner=lambda row: row.id, ttl=ttl if over_redis else 0
        )

    @property
    def generation(self) -> int:
        return self._memory.generation

    def known(self, wanted: Iterable[str]) -> dict[str, Any] | None:
        """The rows of every id in `wanted` (PLATFORM for the system account), or None
        when one of them is not remembered."""
        rows = {}
        for key in wanted:
            row = self._memory.get(key)
            if row is None:
                return None
            rows[key] = row
        return rows

    def remember(self, rows: dict[str, Any], generation: int) -> None:
        for key, row in rows.items():
            self._memory.put(key, row, generation)
