"""What a store is: the writes of messages whose statements are written by hand, one
implementation per engine (postgres.py, sqlite.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Entry:
    """A change-log entry to append: `stored` is what the log keeps. Every
    events.NewChange is one (it adds what live streams get)."""

    user_id: int
    type: str
    message_id: int
    stored: dict[str, Any]

    @property
    def hook(self) -> str | None:
        """The webhook event the entry is (webhooks/outbox.py), or None: `message.created`
        for a receiver's inbox entry of a new message only (not the sender's sent box, nor
        a message restored from the trash), `message.read` / `message.unread` for a read
        state, `message.deleted` for a deletion."""
        return hook_of(self.type, self.stored)


def hook_of(entry_type: str, stored: dict[str, Any]) -> str | None:
    """Entry.hook of an entry of this type that keeps `stored`."""
    if entry_type == "message.created":
        new = stored.get("box") == "inbox" and not stored.get("restored")
        return "message.created" if new else None
    if entry_type == "message.updated":
        return "message.read" if stored.get("read") else "message.unread"
    if entry_type == "message.deleted":
        return "message.deleted"
    return None


@dataclass(frozen=True, slots=True)
class Stored:
    """A sent message: its ids, its receivers' ids, usernames and display names in
    request order, the new newest sequence number of each user whose log grew
    (`heads`), the ids of the receivers it reached (`reached`: not those who block the
    sender, and only the sender while the sender is shadow-banned), and whether the
    sender is shadow-banned."""

    message_id: int
    thread_id: int
    receiver_ids: list[int]
    names: list[str]
    heads: dict[int, int]
    display_names: list[str | None]
    reached: list[int] = field(kw_only=True)
    shadow_banned: bool = field(kw_only=True)


class Store(Protocol):
    """Every method runs in the session's transaction, beginning it if need be: what it
    writes commits or rolls back with the caller's other work (the caller commits).

    `alone=True` (send, set_read) is the entry point saying its transaction writes
    nothing else: PostgreSQL may then run the one statement without BEGIN and COMMIT,
    committing itself (two round trips fewer; the caller's commit still publishes the
    events, after the write is durable). SQLite ignores it.

    Every method that appends entries also writes, in the same statements, the webhook
    events they are (Entry.hook) for the endpoints subscribed (webhooks/outbox.py), and
    nothing for them while no endpoint is enabled."""

    # The engine's INSERT construct, with ON CONFLICT DO NOTHING.
    insert: Any

    async def send(
        self,
        db: Any,
        message: Mapping[str, Any],
        receivers: list[str],
        *,
        alone: bool = False,
        log_sender: bool = True,
    ) -> Stored:
        """Store a message (`message`: the columns send_message binds), one delivery per
        receiver and the change-log entries events.message_created keeps for each
        receiver's inbox, then (`log_sender`) the sender's sent box. Raises UnknownReceiver, naming
        every receiver who is not registered, or else ReceiverDeactivated, naming every
        deactivated one, having stored nothing; AccountSuspended, before either, for a
        suspended sender. A receiver who blocks the sender (or any but the sender, while
        the sender is shadow-banned) gets no delivery and no entry (Stored.reached)."""
        ...

    async def set_read(
        self,
        db: Any,
        *,
        message_id: int,
        viewer_id: int,
        read_at: datetime | None,
        entry: Entry,
        now: datetime,
        alone: bool = False,
    ) -> dict[int, int] | None:
        """Set a receiver's read state of a message still in their inbox and append
        `entry`: the users' new heads, or None when the message is not in the inbox."""
        ...

    async def append(self, db: Any, entries: Sequence[Entry], now: datetime) -> dict[int, int]:
        """Append entries to their users' logs, taking the users' counters in id order
        (the last step of the lock order, messages.service): each user's new newest
        sequence number."""
        ...

    async def bound_lock_wait(self, db: Any, milliseconds: int) -> None:
        """Make the transaction's next statements give up waiting for a row lock after
        `milliseconds` (SQLSTATE 55P03), where the engine has row locks."""
        ...

    async def unbound_lock_wait(self, db: Any) -> None:
        """Undo bound_lock_wait."""
        ...
