"""Fan-out within one machine: MemoryBroker (one process) and PollingBroker (worker
processes that share a database and no Redis)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio

from mailslot.background import Background
from mailslot.bus.events import ChangeLog, Event
from mailslot.bus.notes import Note, NoteHandler, NoteHandlers
from mailslot.bus.subscription import Hub, Subscription
from mailslot.errors import ResyncRequired

log = logging.getLogger("mailslot.realtime")


class MemoryBroker:
    """One process: events go straight from the committing request to the streams."""

    def __init__(self, *, queue_size: int = 256, coherent: bool = True) -> None:
        self._hub = Hub(queue_size)
        self._coherent = coherent
        self._notes = NoteHandlers()

    def publish(self, events: Sequence[Event]) -> None:
        self._hub.dispatch(events)

    @property
    def coherent(self) -> bool:
        return self._coherent

    def on_note(self, handler: NoteHandler) -> None:
        self._notes.add(handler)

    async def announce(self, note: Note) -> None:
        self._notes.tell(note)

    @asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[Subscription]:
        subscription, _ = self._hub.add(user_id)
        try:
            yield subscription
        finally:
            self._hub.remove(subscription)

    async def start(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


POLL_PAGE = 500


class PollingBroker(MemoryBroker):
    """Several worker processes on one machine without Redis (`mailslot serve --workers N`
    on SQLite): this process's events go straight to its streams; the other processes'
    are found by polling the change-log heads of the users subscribed here, one query per
    interval whatever the number of streams, and read from the log."""

    def __init__(self, change_log: ChangeLog, *, queue_size: int, interval: float) -> None:
        # The other workers never hear this one's notes.
        super().__init__(queue_size=queue_size, coherent=False)
        self._log = change_log
        self._interval = interval
        self._known: dict[int, int] = {}  # user id -> newest sequence number delivered
        self._starting: dict[int, anyio.Event] = {}
        self._background = Background()

    @asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[Subscription]:
        async with super().subscribe(user_id) as subscription:
            await self._track(user_id)
            yield subscription

    async def _track(self, user_id: int) -> None:
        # The head is read before the stream reads the log, so whatever commits after the
        # stream's catch-up is above it and the poller delivers it.
        while user_id not in self._known:
            starting = self._starting.get(user_id)
            if starting is not None:
                await starting.wait()
                continue
            starting = self._starting[user_id] = anyio.Event()
            try:
                heads = await self._log.heads([user_id])
                self._known[user_id] = heads.get(user_id, 0)
            finally:
                del self._starting[user_id]
                starting.set()

    async def start(self) -> None:
        self._background.start("mailslot-poller", self._poll_forever)

    async def aclose(self) -> None:
        await self._background.aclose()

    async def _poll_forever(self) -> None:
        failing = False
        while True:
            await anyio.sleep(self._interval)
            try:
                await self.poll()
            except Exception as exc:  # the database is down: streams carry on, retry later
                if not failing:
                    log.warning("change-log poll failed: %s", exc)
                failing = True
            else:
                failing = False

    async def poll(self) -> None:
        for user_id in self._known.keys() - self._hub.users:
            del self._known[user_id]
        if not self._known:
            return
        heads = await self._log.heads(list(self._known))
        for user_id, head in heads.items():
            since = self._known.get(user_id)
            if since is None or head <= since:
                continue
            try:
                page = await self._log.read(user_id, since=since, limit=POLL_PAGE)
            except ResyncRequired:
                self._hub.resync([user_id])
                self._known[user_id] = head
                continue
            self._hub.dispatch(page.events)
            self._known[user_id] = page.events[-1].id if page.events else head
