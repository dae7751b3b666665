"""Fan-out of committed events to the streams that wait for them (style.md §6).

    Broker (protocol): publish(events) never blocks; subscribe(user_id) yields a Subscription;
    │                  announce(note) returns once every process has acted on the note
    ├── MemoryBroker   one process: events go straight to its streams
    ├── PollingBroker  several worker processes, no Redis: the others' events are read from
    │                  the heads of the subscribed users' change logs, a few times a second
    └── RedisBroker    several instances: Redis pub/sub, one channel per user

The protocol and make_broker are here; Subscription and Hub in bus/subscription.py,
MemoryBroker and PollingBroker in bus/memory.py, RedisBroker in bus/redis.py, and the notes
part of the protocol (coherent, on_note, announce) in bus/notes.py.

Every subscription has a bounded queue. A broker never waits for a stream: when a queue is
full, a stream that is stuck writing to its client is marked too slow (and disconnected by
its endpoint); one that is merely busy loses the queued events and re-reads them from the
change log. The change log is the truth; the broker only makes it arrive early.

Revocation over Redis fails closed. Each instance's subscriber connection sends a PING
every PING_INTERVAL; what notes keep (the token cache) is trusted only while the last
answered ping was *sent* less than LEASE ago, and is cleared when that lapses. Redis
answers one connection in order, so a note published before a ping is processed reaches
the subscriber before that ping's pong. An announcer that gets every confirmation answers
at once. One that does not answers only LEASE + NOTE_MARGIN after its attempt ended (at
most NOTE_WAIT after sending): an instance that missed the note can have renewed its
lease since then only from a ping that Redis answered before the note (the lease then
ran out in time), or on a connection subscribed after it (which cleared everything when
it subscribed), or because Redis served it while not reading the announcer's PUBLISH for
longer than NOTE_WAIT + NOTE_MARGIN: a partition cutting off the announcer alone, the one
case the lease does not cover (there the cache's own ttl is the bound). Streams re-check
their token on every resync (each reconnection and lease recovery, and a note about
their user), and before each event they deliver while the lease is not held.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from mailslot.bus.events import ChangeLog, Event
from mailslot.bus.memory import MemoryBroker, PollingBroker
from mailslot.bus.notes import Notes
from mailslot.bus.redis import RedisBroker
from mailslot.bus.subscription import Subscription
from mailslot.config import Settings


class Broker(Notes, Protocol):
    def publish(self, events: Sequence[Event]) -> None:
        """Hand committed events to the fan-out; never blocks."""

    def subscribe(self, user_id: int) -> AbstractAsyncContextManager[Subscription]:
        """Receive the user's events from now on: once entered, every event committed
        later reaches the subscription, or a RESYNC marker does."""

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


def make_broker(settings: Settings, change_log: ChangeLog, *, prefix: str) -> Broker:
    """Redis with MAILSLOT_REDIS_URL, under the deployment's `prefix`; else polling
    between worker processes when there are several; else in-process."""
    if settings.redis_url:
        return RedisBroker(settings.redis_url, prefix=prefix, queue_size=settings.stream_queue_size)
    if settings.workers > 1:
        return PollingBroker(
            change_log,
            queue_size=settings.stream_queue_size,
            interval=settings.stream_poll_interval,
        )
    # One process; on a shared database other instances might exist unheard of.
    return MemoryBroker(queue_size=settings.stream_queue_size, coherent=settings.is_sqlite)
