"""Tasks that run as long as the app (the purger, the change-log pruner, the brokers' and
stream slots' loops), and the one safe way to stop them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any


async def cancel(task: asyncio.Task[Any]) -> None:
    """Cancel and wait. Again if need be: on Python 3.11, asyncio.wait_for (inside
    redis-py's writes) can swallow a cancellation that lands as the write completes."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=0.5)
    with suppress(asyncio.CancelledError, Exception):  # its failure was reported already
        task.result()


class Background:
    """Named forever-tasks, cancelled together (in the order they were started)."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._tasks.append(asyncio.create_task(run(), name=name))

    async def aclose(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            await cancel(task)
