"""Notes from a process that serves nothing (a `mailslot` command): over Redis, as an
instance announces them, so a command's revocation holds on every instance once it
returns (bus/broker.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.bus.notes import Note
from mailslot.bus.redis import RedisBroker
from mailslot.config import Settings
from mailslot.db.deployment import deployment_key, redis_prefix


async def announce(settings: Settings, engine: AsyncEngine, note: Note) -> bool:
    """Have every instance act on `note`; False without MAILSLOT_REDIS_URL (no instance
    can be told: what they remember lapses on its own, and what must not wait for that
    is remembered only with Redis)."""
    if not settings.redis_url:
        return False
    prefix = redis_prefix(settings.redis_prefix, await deployment_key(engine))
    broker = RedisBroker(settings.redis_url, prefix=prefix)
    await broker.start()
    try:
        await broker.announce(note)
    finally:
        await broker.aclose()
    return True
