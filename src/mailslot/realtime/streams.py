"""The one subscription loop: catch up from the change log, then live, with no gap and no
duplicate; SSE and WebSocket endpoints only format what it yields.

Order is what makes it exact: subscribe first, then read the log, then skip live events
the log already gave. Sequence numbers have no holes, so a live event that skips ahead
means one was lost in transit (a dropped queue, a Redis outage) and the log fills the gap.

Revocation fails closed the same way: a resync may have dropped a `session.ended` signal,
so the stream re-checks its token before re-reading the log; and while the broker cannot
vouch that every revocation reaches this process (not coherent), every event is checked
before it goes out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Literal

import anyio
from sqlalchemy.exc import SQLAlchemyError

from mailslot.bus.broker import Broker
from mailslot.bus.events import SESSION_ENDED, ChangeLog, Event
from mailslot.bus.subscription import RESYNC, Subscription
from mailslot.errors import ResyncRequired
from mailslot.shutdown import Shutdown

log = logging.getLogger("mailslot.realtime")

CATCH_UP_PAGE = 500

Ending = Literal[
    "closed",  # the client went away
    "too_slow",  # the client does not read: its queue filled, or a write timed out
    "signed_out",  # the token was revoked
    "expired",  # the token expired
    "resync_required",  # history the client needs is no longer kept
    "unavailable",  # the database could not be read
    "restart",  # the server is shutting down
]


class EventStream:
    """A user's events in sequence order: the log after `since`, then live events."""

    def __init__(self, subscription: Subscription, change_log: ChangeLog, broker: Broker) -> None:
        self._subscription = subscription
        self._log = change_log
        self._broker = broker
        self.last = 0  # the newest sequence number handed out
        self._backlog: list[Event] = []  # newest first, to pop (a deque is 0.7 KiB idle)
        self._behind = False

    @property
    def user_id(self) -> int:
        return self._subscription.user_id

    def must_check(self, event: Event) -> bool:
        """Whether the token must be checked before going on past `event`: a
        `session.ended` signal, or any event while the broker cannot vouch that every
        revocation reaches this process (fail closed)."""
        if event.is_signal:
            return event.type == SESSION_ENDED
        return not self._broker.coherent

    @property
    def too_slow(self) -> bool:
        return self._subscription.too_slow

    async def _start(self, since: int | None) -> None:
        if since is None:
            page = await self._log.read(self.user_id, since=None, limit=0)
            self.last = page.latest
        else:
            self.last = since
            await self._catch_up()

    async def _catch_up(self) -> None:
        page = await self._log.read(
            self._subscription.user_id, since=self.last, limit=CATCH_UP_PAGE
        )
        self._backlog = page.events[::-1]  # called only once the backlog is empty
        self._behind = len(page.events) == CATCH_UP_PAGE

    async def next(self, *, idle: float) -> Event | None:
        """The next event or signal; None once nothing came for `idle` seconds. Raises
        ResyncRequired when the log no longer holds what comes after `last`."""
        while True:
            if self._backlog:
                event = self._backlog.pop()
                self.last = event.id
                return event
            if self._behind:
                await self._catch_up()
                continue
            if not await self._subscription.wait(idle):
                return None
            item = self._subscription.get_nowait()
            if item is RESYNC:
                # Signals may be lost too: the token first, then the log.
                self._behind = True
                return Event(self.user_id, SESSION_ENDED, 0)
            if item.is_signal:
                return item
            if item.id <= self.last:
                continue  # the log gave it already
            if item.id > self.last + 1:
                await self._catch_up()  # some were lost in transit: the log has them
                continue
            self.last = item.id
            return item

    @contextmanager
    def calling_when_too_slow(self, callback: Callable[[], None]) -> Iterator[None]:
        self._subscription.on_too_slow = callback
        if self.too_slow:
            callback()
        try:
            yield
        finally:
            self._subscription.on_too_slow = None

    @contextmanager
    def sending(self) -> Iterator[None]:
        """Mark a write to the client in progress (see Subscription.push)."""
        self._subscription.sending = True
        try:
            yield
        finally:
            self._subscription.sending = False


@asynccontextmanager
async def open_stream(
    broker: Broker, change_log: ChangeLog, user_id: int, *, since: int | None
) -> AsyncIterator[EventStream]:
    """Subscribe, then read the first page of the log: a `since` that is too old raises
    ResyncRequired here, before an endpoint has sent anything."""
    async with broker.subscribe(user_id) as subscription:
        stream = EventStream(subscription, change_log, broker)
        await stream._start(since)
        yield stream


class ClientGone(Exception):
    """Raised by an endpoint's `send` when the client has disconnected."""


async def pump(
    stream: EventStream,
    *,
    send: Callable[[Event | None], Awaitable[None]],
    wait_closed: Callable[[], Awaitable[None]],
    still_signed_in: Callable[[], Awaitable[bool]],
    heartbeat: float,
    send_timeout: float,
    expires_in: float,
    stop: Shutdown,
    opening: Callable[[], Awaitable[None]] | None = None,
) -> Ending:
    """Write the stream to a client until one side ends it; says why. `opening` is the
    endpoint's first write, `send(None)` a heartbeat. A write that takes longer than
    `send_timeout`, or a queue that fills while a write waits, means the client does
    not read. `still_signed_in` may raise SQLAlchemyError or OSError (cannot tell). The
    endpoint's task writes; one more task notices the client leave."""
    ending: Ending = "closed"
    scope = anyio.CancelScope()
    expires_at = anyio.current_time() + expires_in

    def finish(why: Ending) -> None:
        nonlocal ending
        if not scope.cancel_called:
            ending = why
            scope.cancel()

    def left(task: asyncio.Future[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("waiting for a stream's client to leave failed", exc_info=exc)
        finish("closed")

    async def write() -> None:
        if opening is not None:
            try:
                with stream.sending(), anyio.fail_after(send_timeout):
                    await opening()
            except TimeoutError:
                finish("too_slow")
                return
        while True:
            left = expires_at - anyio.current_time()
            if left <= 0:
                finish("expired")
                return
            try:
                event = await stream.next(idle=min(heartbeat, left))
                if event is not None and stream.must_check(event) and not await still_signed_in():
                    finish("signed_out")
                    return
            except ResyncRequired:
                finish("resync_required")
                return
            except (SQLAlchemyError, OSError) as exc:
                # Cannot tell (a pool exhausted by a reconnection's re-checks, say): end
                # the stream as unavailable, not signed out; the client comes back.
                log.warning("stream stopped: the database is unreadable (%s)", exc)
                finish("unavailable")
                return
            if event is None and anyio.current_time() >= expires_at:
                continue  # expired, not idle: no heartbeat
            if event is not None and event.is_signal:
                continue
            try:
                with stream.sending(), anyio.fail_after(send_timeout):
                    await send(event)
            except TimeoutError:
                finish("too_slow")
                return
            except (ClientGone, OSError):
                finish("closed")
                return

    # A bare task, not a task group: an anyio group and its task handles cost some
    # 6 KiB per idle connection.
    watcher = asyncio.ensure_future(wait_closed())
    watcher.add_done_callback(left)
    try:
        with (
            scope,
            stream.calling_when_too_slow(lambda: finish("too_slow")),
            stop.calling(lambda: finish("restart")),
        ):
            await write()
    finally:
        watcher.remove_done_callback(left)
        watcher.cancel()
    if ending == "too_slow":
        log.info("closed a stream whose client does not read (user %s)", stream.user_id)
    return ending
