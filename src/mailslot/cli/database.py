"""The configured database, for a command: an engine, or one transaction on it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from mailslot.config import get_settings
from mailslot.db.engine import make_engine, make_session_factory

T = TypeVar("T")


def with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work` with an engine on MAILSLOT_DATABASE_URL, disposed of after."""

    async def run() -> T:
        engine = make_engine(get_settings())
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def committed(engine: AsyncEngine, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` in one session on `engine`, and what it wrote committed."""
    async with make_session_factory(engine)() as db:
        result = await work(db)
        await db.commit()
        return result


def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one session on MAILSLOT_DATABASE_URL and commit what it wrote."""
    return with_engine(lambda engine: committed(engine, work))
