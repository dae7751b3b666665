"""NotedCache (bus/cache.py), the memory behind the token cache, server keys and host ids:
what a note takes back, and what it leaves, on the in-process broker."""

from __future__ import annotations

import pytest

from mailslot.bus.cache import NotedCache
from mailslot.bus.memory import MemoryBroker

pytestmark = pytest.mark.anyio


def users_cache(broker: MemoryBroker, ttl: float = 60) -> NotedCache[str, int]:
    """Keys are names, values the id of the user who owns them."""
    return NotedCache(broker, field="forget_user", owner=lambda user_id: user_id, ttl=ttl)


async def test_a_note_drops_its_owners_entries_only() -> None:
    broker = MemoryBroker()
    cache = users_cache(broker)
    for key, owner in (("a", 1), ("b", 1), ("c", 2)):
        cache.put(key, owner, cache.generation)
    await broker.announce({"forget_user": 1})
    assert [cache.get(key) for key in "abc"] == [None, None, 2]


async def test_another_caches_note_is_ignored_and_an_unknown_one_clears_all() -> None:
    broker = MemoryBroker()
    cache = users_cache(broker)
    cache.put("a", 1, cache.generation)
    await broker.announce({"forget_key": 1})
    assert cache.get("a") == 1
    await broker.announce({"forget_everything_new": True})
    assert cache.get("a") is None


async def test_a_load_that_raced_a_note_is_not_remembered() -> None:
    broker = MemoryBroker()
    cache = users_cache(broker)

    async def load_during_a_note() -> int:
        await broker.announce({"forget_user": 7})
        return 7

    assert await cache.get_or_load("a", load_during_a_note) == 7
    assert cache.get("a") is None
    assert await cache.get_or_load("a", lambda: _value(7)) == 7
    assert cache.get("a") == 7


async def _value(value: int) -> int:
    return value


async def test_nothing_is_trusted_while_notes_may_be_missed() -> None:
    incoherent = users_cache(MemoryBroker(coherent=False))
    incoherent.put("a", 1, incoherent.generation)
    assert incoherent.get("a") is None
    off = users_cache(MemoryBroker(), ttl=0)
    off.put("a", 1, off.generation)
    assert off.get("a") is None


def test_a_note_field_nobody_sends_is_refused() -> None:
    with pytest.raises(ValueError, match="forget_typo"):
        NotedCache(MemoryBroker(), field="forget_typo", owner=int, ttl=1)
