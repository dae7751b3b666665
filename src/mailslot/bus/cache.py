"""A per-process memory of database answers that a note can take back at once on every
instance: the token cache's, the server keys', the host's user ids'.

An entry is trusted only while the notes are coherent (every process hears them: over
Redis, while this process holds its lease), everything is forgotten whenever notes may
have been missed (a None note), and a note naming an entry's owner drops it before its
announcer is answered (bus/broker.py). Entries also lapse after `ttl` seconds, which
bounds what no note can reach (a row changed directly in the database).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from mailslot.bus.notes import NOTE_FIELDS, Note, Notes

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class NotedCache(Generic[K, V]):
    """Values by key, each owned by one id that notes `{field: id}` name."""

    def __init__(
        self,
        notes: Notes,
        *,
        field: str,
        owner: Callable[[V], int],
        ttl: float,
        size: int = 10_000,
    ) -> None:
        if field not in NOTE_FIELDS:
            raise ValueError(f"notes never say {field!r}")
        self._notes = notes
        self._field = field
        self._owner = owner
        self._ttl = ttl
        self._size = size
        self._entries: OrderedDict[K, tuple[V, float]] = OrderedDict()  # value, lapses at
        # Bumped by every forget: a look-up that raced one does not store what it read.
        self._generation = 0
        notes.on_note(self._on_note)

    @property
    def enabled(self) -> bool:
        return self._ttl > 0 and self._notes.coherent

    @property
    def generation(self) -> int:
        """Read before the database, passed to `put` after: see __init__."""
        return self._generation

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, lapses_at = entry
        if self.enabled and time.monotonic() < lapses_at:
            return value
        del self._entries[key]
        return None

    def put(self, key: K, value: V, generation: int) -> None:
        """Remember what the database said, unless a note came since `generation`."""
        if generation != self._generation or not self.enabled:
            return
        self._entries[key] = (value, time.monotonic() + self._ttl)
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)  # the oldest entry

    async def get_or_load(self, key: K, load: Callable[[], Awaitable[V | None]]) -> V | None:
        """What is remembered for `key`, else what `load` reads (remembered if no note came
        meanwhile); None if `load` finds nothing."""
        value = self.get(key)
        if value is None:
            generation = self._generation
            value = await load()
            if value is not None:
                self.put(key, value, generation)
        return value

    def drop(self, key: K) -> None:
        self._generation += 1
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
        self._generation += 1

    async def forget(self, owner: int) -> None:
        """Every process forgets `owner`'s entries; call after the change commits."""
        await self._notes.announce({self._field: owner})

    def _on_note(self, note: Note | None) -> None:
        if note is None:  # notes may have been missed: forget everything
            self.clear()
            return
        owner = note.get(self._field)
        if isinstance(owner, int):
            self._generation += 1
            for key in [
                k for k, (value, _) in self._entries.items() if self._owner(value) == owner
            ]:
                del self._entries[key]
        elif not NOTE_FIELDS.intersection(note):
            self.clear()  # a note this version does not know: assume the worst
