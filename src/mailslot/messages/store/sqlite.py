"""The SQLite store: every hand-written statement of messages on SQLite, each run on the
driver (one hop to aiosqlite's thread) in the session's transaction (BEGIN IMMEDIATE)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    String,
    Text,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.db.base import UTCDateTime
from mailslot.db.direct import DirectQuery
from mailslot.messages.models import Delivery, Message
from mailslot.messages.store.base import Entry, Stored

# SQLite has no data-modifying CTEs, and its statements cost no network round trip, but
# each one SQLAlchemy runs on aiosqlite is several hops to the connection's thread and
# back, and building it costs more than running it. So a send is three statements on the
# driver, each one hop, in the session's transaction (BEGIN IMMEDIATE), then the change
# log's two (`append`). The receivers, in request order (NULL for a name nobody
# has), whether each blocks the sender, and on each row the sender's sanctions:
_FIND_RECEIVERS = DirectQuery(
    text(
        """
        SELECT user_account.id, user_account.username, user_account.display_name,
               user_account.deactivated_at IS NOT NULL AS inactive,
               EXISTS (
                   SELECT 1 FROM user_block
                   WHERE user_block.blocker_id = user_account.id
                     AND user_block.blocked_id = :sender_id
               ) AS blocking,
               sender.suspended_at IS NOT NULL AS suspended,
               sender.shadow_banned_at IS NOT NULL AS shadow_banned
        FROM json_each(:receiver_keys) AS wanted
        LEFT JOIN user_account ON user_account.username_key = wanted.value
        LEFT JOIN user_account AS sender ON sender.id = :sender_id
        ORDER BY wanted.key
        """
    ).columns(
        id=BigInteger,
        username=String,
        display_name=String,
        inactive=Boolean,
        blocking=Boolean,
        suspended=Boolean,
        shadow_banned=Boolean,
    )
)
# The message: the id SQLite would choose itself (one past the largest rowid), so that
# its thread id, its own unless it joins a thread, is written in the same statement.
_NEW_ID = select((func.coalesce(func.max(Message.id), 0) + 1).label("id")).subquery("new")
_STORE = DirectQuery(
    insert(Message)
    .from_select(
        [
            Message.id,
            Message.thread_id,
            Message.sender_id,
            Message.subject,
            Message.body,
            Message.receiver_names,
            Message.created_at,
            Message.client_timestamp,
            Message.reply_to_id,
            Message.context_ref,
            Message.context_data,
            Message.context_signed,
        ],
        select(
            _NEW_ID.c.id,
            func.coalesce(bindparam("thread_id", type_=BigInteger), _NEW_ID.c.id),
            bindparam("sender_id", type_=BigInteger),
            bindparam("subject", type_=String),
            bindparam("body", type_=Text),
            bindparam("receiver_names", type_=JSON),
            bindparam("created_at", type_=UTCDateTime()),
            bindparam("client_timestamp", type_=String),
            bindparam("reply_to_id", type_=BigInteger),
            bindparam("context_ref", type_=String),
            bindparam("context_data", type_=JSON(none_as_null=True)),
            bindparam("context_signed", type_=Boolean),
        ),
    )
    .returning(Message.id, Message.thread_id)
)
_RECEIVER_IDS = func.json_each(bindparam("receiver_ids", type_=String)).table_valued("value")
_DELIVER = DirectQuery(
    insert(Delivery).from_select(
        [Delivery.receiver_id, Delivery.message_id, Delivery.thread_id, Delivery.context_ref],
        select(
            _RECEIVER_IDS.c.value,
            bindparam("message_id", type_=BigInteger),
            bindparam("thread_id", type_=BigInteger),
            bindparam("context_ref", type_=String),
        ),
    )
)


# The read state on the driver, one hop (then `append`, two more).
_SET_READ = DirectQuery(
    update(Delivery)
    .where(
        Delivery.message_id == bindparam("message_id"),
        Delivery.receiver_id == bindparam("viewer_id"),
        Delivery.deleted_at.is_(None),
    )
    .values(read_at=bindparam("read_at"))
    .returning(Delivery.message_id)
)


# The change log: the users' sequence numbers, then the entries, on the driver, one hop
# each to aiosqlite's thread. Its one writer at a time (BEGIN IMMEDIATE) is the lock: numbers are handed out,
# and become visible, in commit order. `counts` is a JSON list of [user id, count].
# `hooked`: whether any webhook endpoint is enabled, so that with none the outbox costs
# no statement (the writer lock keeps the answer true until the commit).
_TAKE = DirectQuery(
    text(
        """
        UPDATE user_account
        SET last_change_seq = last_change_seq + json_extract(taken.value, '$[1]')
        FROM json_each(:counts) AS taken
        WHERE user_account.id = json_extract(taken.value, '$[0]')
        RETURNING user_account.id, user_account.last_change_seq AS head,
                  EXISTS (SELECT 1 FROM webhook_endpoint WHERE enabled) AS hooked
        """
    ).columns(id=BigInteger, head=BigInteger, hooked=Boolean)
)
# `entries`: a JSON list of [user id, seq, type, message id, data as JSON text].
_LOG = DirectQuery(
    text(
        """
        INSERT INTO change (user_id, seq, type, message_id, data, created_at)
        SELECT json_extract(entry.value, '$[0]'), json_extract(entry.value, '$[1]'),
               json_extract(entry.value, '$[2]'), json_extract(entry.value, '$[3]'),
               json_extract(entry.value, '$[4]'), :created_at
        FROM json_each(:entries) AS entry
        """
    )
    .bindparams(bindparam("created_at", type_=UTCDateTime()))
    .columns()
)
# The outbox (webhooks/outbox.py; as the PostgreSQL store's `hooked`): an entry whose
# webhook event type (Entry.hook) an enabled endpoint subscribes to, or "*", becomes a
# webhook_event pointing at it, then one pending delivery per such endpoint. `events`: a
# JSON list of [user id, seq, hook, message id].
_HOOK_EVENTS = DirectQuery(
    text(
        """
        INSERT INTO webhook_event (id, type, user_id, seq, message_id, created_at)
        SELECT 'msg_' || printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
               || lower(hex(randomblob(10))), json_extract(event.value, '$[2]'),
               json_extract(event.value, '$[0]'), json_extract(event.value, '$[1]'),
               json_extract(event.value, '$[3]'), :created_at
        FROM json_each(:events) AS event
        WHERE EXISTS (
            SELECT 1 FROM webhook_subscription
            JOIN webhook_endpoint ON webhook_endpoint.id = webhook_subscription.endpoint_id
            WHERE webhook_endpoint.enabled
              AND webhook_subscription.event_type IN (json_extract(event.value, '$[2]'), '*')
        )
        RETURNING id, type
        """
    )
    .bindparams(bindparam("created_at", type_=UTCDateTime()))
    .columns(id=String, type=String)
)
# `events`: a JSON list of [event id, type].
_HOOK_DELIVERIES = DirectQuery(
    text(
        """
        INSERT INTO webhook_delivery (endpoint_id, event_id, status, attempts,
                                      next_attempt_at, created_at)
        SELECT DISTINCT webhook_subscription.endpoint_id, json_extract(event.value, '$[0]'),
               'pending', 0, :created_at, :created_at
        FROM json_each(:events) AS event
        JOIN webhook_subscription ON webhook_subscription.event_type
             IN (json_extract(event.value, '$[1]'), '*')
        JOIN webhook_endpoint ON webhook_endpoint.id = webhook_subscription.endpoint_id
        WHERE webhook_endpoint.enabled
        """
    )
    .bindparams(bindparam("created_at", type_=UTCDateTime()))
    .columns()
)


class SqliteStore:
    """One writer at a time: a statement never waits for a row lock."""

    insert = staticmethod(sqlite.insert)

    async def send(
        self,
        db: AsyncSession,
        message: Mapping[str, Any],
        receivers: list[str],
        *,
        alone: bool = False,  # a transaction of its own costs no round trip here
        log_sender: bool = True,
    ) -> Stored:
        keys = accounts.lookup_keys(receivers)
        sender_id = message["sender_id"]
        found = await _FIND_RECEIVERS.all(
            db, {"receiver_keys": json.dumps(keys), "sender_id": sender_id}
        )
        if found[0].suspended:
            raise accounts.sender_suspended()
        unknown = [name for name, row in zip(receivers, found, strict=True) if row.id is None]
        if unknown:
            raise accounts.unknown_receiver(unknown)
        inactive = [row.username for row in found if row.inactive]
        if inactive:
            raise accounts.receiver_deactivated(inactive)
        receiver_ids, names = [row.id for row in found], [row.username for row in found]
        shadow_banned = found[0].shadow_banned
        # As the PostgreSQL send's `reached`: not a receiver who blocks the sender, nobody
        # but the sender while the sender is shadow-banned.
        reached = [
            row.id for row in found if row.id == sender_id or not (row.blocking or shadow_banned)
        ]
        (stored,) = await _STORE.all(db, {**message, "receiver_names": names})
        if reached:
            await _DELIVER.all(
                db,
                {
                    "message_id": stored.id,
                    "thread_id": stored.thread_id,
                    "context_ref": message["context_ref"],
                    "receiver_ids": json.dumps(reached),
                },
            )
        # What events.message_created(...).stored is for a new message, as the
        # PostgreSQL send writes it: each receiver's entry, then the sender's.
        entries = [
            Entry(user_id, "message.created", stored.id, {"box": "inbox"}) for user_id in reached
        ]
        if log_sender:
            entries.append(Entry(sender_id, "message.created", stored.id, {"box": "sent"}))
        heads = await self.append(db, entries, message["created_at"]) if entries else {}
        shown = [row.display_name for row in found]
        return Stored(
            stored.id,
            stored.thread_id,
            receiver_ids,
            names,
            heads,
            shown,
            reached=reached,
            shadow_banned=shadow_banned,
        )

    async def set_read(
        self,
        db: AsyncSession,
        *,
        message_id: int,
        viewer_id: int,
        read_at: datetime | None,
        entry: Entry,
        now: datetime,
        alone: bool = False,
    ) -> dict[int, int] | None:
        marked = await _SET_READ.all(
            db, {"read_at": read_at, "message_id": message_id, "viewer_id": viewer_id}
        )
        return await self.append(db, [entry], now) if marked else None

    async def append(
        self, db: AsyncSession, entries: Sequence[Entry], now: datetime
    ) -> dict[int, int]:
        counts = Counter(entry.user_id for entry in entries)
        taken = await _TAKE.all(db, {"counts": json.dumps(list(counts.items()))})
        heads = {row.id: row.head for row in taken}
        seq = {user_id: heads[user_id] - count for user_id, count in counts.items()}
        rows, hooks = [], []
        for entry in entries:
            seq[entry.user_id] += 1
            rows.append(
                [
                    entry.user_id,
                    seq[entry.user_id],
                    entry.type,
                    entry.message_id,
                    json.dumps(entry.stored),
                ]
            )
            if entry.hook is not None:
                hooks.append([entry.user_id, seq[entry.user_id], entry.hook, entry.message_id])
        await _LOG.all(db, {"entries": json.dumps(rows), "created_at": now})
        if hooks and any(row.hooked for row in taken):
            await _hook(db, hooks, now)
        return heads

    async def bound_lock_wait(self, db: AsyncSession, milliseconds: int) -> None:
        """Nothing to bound: a writer waits for the one before it (busy_timeout)."""

    async def unbound_lock_wait(self, db: AsyncSession) -> None:
        """Nothing to undo."""


async def _hook(db: AsyncSession, hooks: list[list[Any]], now: datetime) -> None:
    """The outbox's events of entries (`hooks`: [user id, seq, hook, message id]) and
    their deliveries: one statement when no endpoint subscribes, two when one does."""
    events = await _HOOK_EVENTS.all(db, {"events": json.dumps(hooks), "created_at": now})
    if events:
        written = json.dumps([[event.id, event.type] for event in events])
        await _HOOK_DELIVERIES.all(db, {"events": written, "created_at": now})
