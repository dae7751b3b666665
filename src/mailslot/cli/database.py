"""One transaction on the configured database, for a command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.config import get_settings
from mailslot.db.engine import make_engine, make_session_factory

T = TypeVar("T")


def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one session on MAILSLOT_DATABASE_URL and commit what it wrote."""

    async def run() -> T:
        engine = make_engine(get_settings())
        try:
            async with make_session_factory(engine)() as db:
                result = await work(db)
                await db.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(run())
