"""Tasks that run as long as the app (the purger, the change-log pruner, the brokers' and
stream slots' loops), and the one safe way to stop them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

from mailslot import metrics

log = logging.getLogger("mailslot")


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
        metrics.TASK_CRASHES.labels(name)  # served as 0 from now on, not absent
        task = asyncio.create_task(run(), name=name)
        task.add_done_callback(_crashed)
        self._tasks.append(task)

    async def aclose(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            await cancel(task)


def _crashed(task: asyncio.Task[Any]) -> None:
    """A forever-task that ended on its own, with an error: said, and counted."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        metrics.TASK_CRASHES.labels(task.get_name()).inc()
        log.error("background task %s ended with an error", task.get_name(), exc_info=exc)
