"""Notes from a process that serves nothing: a `mailslot` command that revoked a user's
tokens has every serving instance forget them and re-check its streams of that user.

Over Redis (MAILSLOT_REDIS_URL) the command joins the deployment's control channel as an
instance does (RedisBroker, under the same deployment prefix) and announces: each
instance drops the user's cached tokens and resyncs the user's streams there, which
re-check their token and end; the announcement returns once every instance confirmed,
or after the bounded wait that covers one that did not (bus/broker.py). Redis is joined
before the command changes anything, so a command that cannot reach it changes nothing.

Without Redis nothing reaches a serving process from outside. There the bounds are the
server's own: a token it has cached stays good for up to MAILSLOT_TOKEN_CACHE_SECONDS
(only where the cache is on: one process on SQLite), and an open stream lasts until its
token would have expired (MAILSLOT_TOKEN_TTL) or the process restarts (docs/cli.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.bus.notes import Notes
from mailslot.bus.redis import RedisBroker
from mailslot.config import Settings
from mailslot.db.deployment import deployment_key, redis_prefix


class NotesUnavailable(Exception):
    """MAILSLOT_REDIS_URL is set and Redis does not answer."""


@asynccontextmanager
async def command_notes(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Notes | None]:
    """The deployment's notes while the block runs; None without MAILSLOT_REDIS_URL.
    Raises NotesUnavailable, before the block, when Redis does not answer."""
    if not settings.redis_url:
        yield None
        return
    prefix = redis_prefix(settings.redis_prefix, await deployment_key(engine))
    broker = RedisBroker(settings.redis_url, prefix=prefix)
    await broker.start()
    try:
        if not broker.coherent:
            raise NotesUnavailable(f"Redis at {_safe(settings.redis_url)} does not answer")
        yield broker
    finally:
        await broker.aclose()


def _safe(url: str) -> str:
    """The URL without its password."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"
