"""The hand-written statements of messages, behind one interface (base.Store) with one
implementation per engine: services ask store_for(db), never the engine's name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.db.engine import dialect_name
from mailslot.messages.store.base import Entry, Store, Stored
from mailslot.messages.store.postgres import PostgresStore
from mailslot.messages.store.sqlite import SqliteStore

__all__ = ["Entry", "Store", "Stored", "store_for"]

_STORES: dict[str, Store] = {"postgresql": PostgresStore(), "sqlite": SqliteStore()}


def store_for(db: AsyncSession) -> Store:
    """The store of the session's engine."""
    return _STORES[dialect_name(db)]
