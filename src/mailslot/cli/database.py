"""A command's work on the configured database, with its refusals as exit codes.

The `mailslot` command imports a domain (and SQLAlchemy) only once a command needs it:
`mailslot healthcheck`, a container's HEALTHCHECK run every few seconds, then costs 1.0 s
of CPU instead of 3.5 s (on a loaded 2-core machine; `/usr/bin/time mailslot
healthcheck`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

from mailslot.cli.output import ExitCode, fail
from mailslot.config import get_settings
from mailslot.errors import AppError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

T = TypeVar("T")

# What a refusal of the domains means to a script (docs/cli.md, exit codes).
_EXIT_BY_STATUS = {
    400: ExitCode.USAGE,
    422: ExitCode.USAGE,
    404: ExitCode.NOT_FOUND,
    403: ExitCode.CONFLICT,
    409: ExitCode.CONFLICT,
}


def refuse(command: str, error: AppError) -> NoReturn:
    fail(command, error.detail, _EXIT_BY_STATUS.get(error.status, ExitCode.FAILED))


def on_database(command: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work` with an engine on MAILSLOT_DATABASE_URL, for `command` ("user show",
    as its errors name it). A refusal of the domains exits
    with its code (not found 3, conflict 4, invalid 2); a database that cannot be reached
    (or used: not migrated) exits 6."""

    from sqlalchemy.exc import InterfaceError, OperationalError

    from mailslot.db.engine import make_engine

    async def run() -> T:
        engine = make_engine(get_settings())
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except AppError as error:
        refuse(command, error)
    except (OSError, OperationalError, InterfaceError) as error:
        reason = getattr(error, "orig", None) or error  # not the statement, only why
        fail(command, f"the database cannot be used: {reason!r}", ExitCode.UNAVAILABLE)


def in_transaction(command: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one session on MAILSLOT_DATABASE_URL and commit what it wrote."""

    from mailslot.db.engine import make_session_factory

    async def run(engine: AsyncEngine) -> T:
        async with make_session_factory(engine)() as db:
            result = await work(db)
            await db.commit()
            return result

    return on_database(command, run)
