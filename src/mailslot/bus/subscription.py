"""One stream's bounded queue of events (Subscription), and a process's subscriptions by
user (Hub): what every broker fans out into."""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable, Iterable
from typing import Final

from mailslot.bus.events import Event

RESYNC: Final = None  # queued instead of events: "you may have missed some; read the log"


class Subscription:
    """One stream's view of the broker: a bounded queue of its user's events. Thousands
    sit idle at once, so an idle one holds no buffer and no lock: the queue exists while
    it has items, and a waiting stream holds one future (an asyncio.Queue and an
    anyio.Event were 4 KiB a connection)."""

    def __init__(self, user_id: int, queue_size: int) -> None:
        self.user_id = user_id
        self._size = queue_size
        self._items: deque[Event | None] | None = None
        self._waiter: asyncio.Future[None] | None = None
        # True while the stream waits for its client to take a write: a queue that fills
        # then belongs to a client that does not read.
        self.sending = False
        self.too_slow = False
        self.on_too_slow: Callable[[], None] | None = None

    def push(self, item: Event | None) -> None:
        if self.too_slow:
            return
        if self._items is None:
            self._items = deque()
        if len(self._items) < self._size:
            self._items.append(item)
        elif self.sending:
            self.too_slow = True
            if self.on_too_slow is not None:
                self.on_too_slow()
            return
        else:
            # Busy, not stuck (a burst, a long catch-up): drop the queue, re-read the log.
            self._items.clear()
            self._items.append(RESYNC)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def wait(self, idle: float = math.inf) -> bool:
        """Whether an item is ready before `idle` seconds pass."""
        if not self._items:
            loop = asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()
            # A timer, not a cancel scope: a scope per idle stream is another KiB.
            timer = None if math.isinf(idle) else loop.call_later(idle, _wake, waiter)
            try:
                await waiter
            finally:
                self._waiter = None
                if timer is not None:
                    timer.cancel()
        return bool(self._items)

    def get_nowait(self) -> Event | None:
        items = self._items
        if not items:
            raise IndexError("no item is ready")
        item = items.popleft()
        if not items:
            self._items = None
        return item

    async def get(self) -> Event | None:
        await self.wait()
        return self.get_nowait()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Hub:
    """The subscriptions of one process, by user."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._by_user: dict[int, set[Subscription]] = {}

    def add(self, user_id: int) -> tuple[Subscription, bool]:
        """A new subscription, and whether it is the user's first here."""
        subscription = Subscription(user_id, self.queue_size)
        subscriptions = self._by_user.setdefault(user_id, set())
        subscriptions.add(subscription)
        return subscription, len(subscriptions) == 1

    def remove(self, subscription: Subscription) -> bool:
        """Whether it was the user's last subscription here."""
        subscriptions = self._by_user.get(subscription.user_id, set())
        subscriptions.discard(subscription)
        if subscriptions:
            return False
        self._by_user.pop(subscription.user_id, None)
        return True

    @property
    def users(self) -> set[int]:
        return set(self._by_user)

    def dispatch(self, events: Iterable[Event]) -> None:
        for event in events:
            for subscription in self._by_user.get(event.user_id, ()):
                subscription.push(event)

    def resync(self, user_ids: Iterable[int] | None = None) -> None:
        for user_id in self._by_user if user_ids is None else user_ids:
            for subscription in self._by_user.get(user_id, ()):
                subscription.push(RESYNC)
