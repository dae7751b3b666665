"""The PostgreSQL store: every hand-written statement of messages on PostgreSQL, with the
change-log fragment (`_APPEND_ENTRIES`) the statements that write entries share."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, String, Text, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.db.base import UTCDateTime
from mailslot.db.direct import DirectQuery, begin
from mailslot.messages.store.base import Entry, Stored

# PostgreSQL: the same two steps (counters locked in id order, then the entries) as
# common table expressions, for a statement that first names its entries in a CTE
# `entries(user_id, after, type, message_id, data, hook)`: `after` counts the user's
# entries that follow this one. `heads` gives each user's new newest sequence number, and
# an entry's number is that head less its `after`. Statements: `_APPEND`, a send
# (SEND), which writes message, deliveries and entries at once, and `_SET_READ`.
_APPEND_ENTRIES = """
    taken AS (SELECT user_id AS id, count(*) AS count FROM entries GROUP BY user_id),
    heads AS (
        UPDATE user_account SET last_change_seq = last_change_seq + taken.count
        FROM taken
        WHERE user_account.id = taken.id AND user_account.id IN (
            SELECT id FROM user_account WHERE id IN (SELECT id FROM taken)
            ORDER BY id FOR NO KEY UPDATE
        )
        RETURNING user_account.id, user_account.last_change_seq AS head
    ),
    logged AS (
        INSERT INTO change (user_id, seq, type, message_id, data, created_at)
        SELECT entries.user_id, heads.head - entries.after, entries.type,
               entries.message_id, entries.data, :created_at
        FROM entries JOIN heads ON heads.id = entries.user_id
    )
"""

# The outbox (webhooks/outbox.py), in the same statement as the entries: an entry whose
# `hook` (the webhook event type it is, Entry.hook) an enabled endpoint subscribes to, or
# "*", becomes a webhook_event pointing at it (user, seq: its data is rendered from the
# entry at delivery, webhooks/payloads.py), with one pending delivery per such endpoint.
#
# Each statement comes in two forms. The hooked one holds these two INSERTs; the plain
# one has none, and writes nothing at all while an endpoint is enabled (`guard`): the
# store then runs the hooked one (PostgresStore._run). Two INSERT nodes cost their
# executor start-up even when they insert nothing: with them and no endpoint SEND took
# 33 to 41 us more of the backend's CPU (+17 to +27%), with the guard alone 0 to 6 us
# (bench/README.md, "The webhook outbox on the send path").
_GUARD = """
    guard AS (SELECT EXISTS (SELECT FROM webhook_endpoint WHERE enabled) AS hooked)
"""
_HOOKS = """,
    hooked AS (
        INSERT INTO webhook_event (id, type, user_id, seq, message_id, created_at)
        SELECT 'msg_' || lpad(to_hex((extract(epoch FROM :created_at) * 1000)::bigint), 12, '0')
               || substr(md5(gen_random_uuid()::text), 1, 20), entries.hook,
               entries.user_id, heads.head - entries.after, entries.message_id, :created_at
        FROM entries JOIN heads ON heads.id = entries.user_id
        WHERE entries.hook IS NOT NULL AND EXISTS (
            SELECT FROM webhook_subscription
            JOIN webhook_endpoint ON webhook_endpoint.id = webhook_subscription.endpoint_id
            WHERE webhook_endpoint.enabled
              AND webhook_subscription.event_type IN (entries.hook, '*')
        )
        RETURNING id, type
    ),
    hook_deliveries AS (
        INSERT INTO webhook_delivery (endpoint_id, event_id, status, attempts,
                                      next_attempt_at, created_at)
        SELECT DISTINCT webhook_subscription.endpoint_id, hooked.id, 'pending', 0,
               :created_at, :created_at
        FROM hooked
        JOIN webhook_subscription ON webhook_subscription.event_type IN (hooked.type, '*')
        JOIN webhook_endpoint ON webhook_endpoint.id = webhook_subscription.endpoint_id
        WHERE webhook_endpoint.enabled
    )
"""


def _variants(sql: str) -> tuple[str, str]:
    """The plain and the hooked form of a statement whose text marks where the guard's
    condition goes (`{hold}`: a WHERE condition of its first write) and where the outbox's
    CTEs go (`{hooks}`: after _APPEND_ENTRIES)."""
    return (
        sql.format(hold="AND NOT (SELECT hooked FROM guard)", hooks=""),
        sql.format(hold="", hooks=_HOOKS),
    )


# S608: every fragment is a constant of this module; every value is bound.
_APPEND_SQL = f"""
    WITH {_GUARD},
    entries AS (
        SELECT user_id, after, type, message_id, data::json, hook
        FROM unnest(:entry_users, :entry_after, :entry_types, :entry_messages, :entry_data,
                    :entry_hooks)
             AS entry(user_id, after, type, message_id, data, hook)
        WHERE true {{hold}}
    ),
    {_APPEND_ENTRIES} {{hooks}}
    SELECT heads.id, heads.head, guard.hooked FROM guard LEFT JOIN heads ON true
    """  # noqa: S608
_APPEND, _APPEND_HOOKED = (
    text(sql).bindparams(
        bindparam("entry_users", type_=ARRAY(BigInteger)),
        bindparam("entry_after", type_=ARRAY(BigInteger)),
        bindparam("entry_types", type_=ARRAY(String)),
        bindparam("entry_messages", type_=ARRAY(BigInteger)),
        bindparam("entry_data", type_=ARRAY(Text)),
        bindparam("entry_hooks", type_=ARRAY(String)),
        bindparam("created_at", type_=UTCDateTime()),
    )
    for sql in _variants(_APPEND_SQL)
)


# PostgreSQL: a whole send in one statement, so in one round trip: the receivers looked
# up by username key and, only if every one of them is registered, the message, its
# thread id (its own id unless it joins a thread), one delivery per receiver and the
# change-log entries (each receiver's, then, unless :log_sender is false, the sender's).
# A receiver who blocks the sender gets no delivery and no entry (so no live event and no
# webhook either), nor does anyone but the sender themselves while the sender is
# shadow-banned (`reached`); the message still names them all. A suspended sender stores
# nothing (safety/: blocks and sanctions).
# It runs on the driver in the session's transaction (direct.begin), so it commits or
# rolls back with whatever the caller does after it; the users' log counters stay locked until that commit. One
# row comes back: the message's id and thread id (NULL when nothing was stored), the
# receivers' ids, usernames, display names and whether each is deactivated (a send to a
# deactivated user stores nothing either), in request order (NULL for a name nobody
# has), those it reached, whether the sender is suspended or shadow-banned, the new newest sequence number of each user whose log grew, and whether a
# webhook endpoint is enabled (`hooked`: then SEND stores nothing, SEND_HOOKED does).
_SEND_SQL = f"""
        WITH {_GUARD},
        found AS (
            SELECT array_agg(user_account.id ORDER BY wanted.position) AS ids,
                   array_agg(user_account.username ORDER BY wanted.position) AS names,
                   -- receiver_names, in the very JSON text json.dumps gives a bound list
                   json_agg(user_account.username ORDER BY wanted.position) AS names_json,
                   array_agg(user_account.display_name ORDER BY wanted.position)
                       AS display_names,
                   array_agg(user_account.deactivated_at IS NOT NULL ORDER BY wanted.position)
                       AS inactive,
                   count(user_account.id) = count(*)
                       AND count(user_account.deactivated_at) = 0 AS complete,
                   -- the sender's sanctions, from their row joined to each receiver's
                   coalesce(bool_or(sender.suspended_at IS NOT NULL), false) AS suspended,
                   coalesce(bool_or(sender.shadow_banned_at IS NOT NULL), false)
                       AS shadow_banned,
                   -- whom it reaches, in request order: the sender themselves, or a
                   -- receiver while the sender is not shadow-banned and who does not
                   -- block them (a primary-key look-up each)
                   coalesce(array_agg(user_account.id ORDER BY wanted.position) FILTER (
                       WHERE user_account.id = :sender_id
                          OR sender.shadow_banned_at IS NULL AND NOT EXISTS (
                              SELECT FROM user_block
                              WHERE user_block.blocker_id = user_account.id
                                AND user_block.blocked_id = :sender_id
                          )
                   ), ARRAY[]::bigint[]) AS reached
            FROM unnest(:receiver_keys) WITH ORDINALITY AS wanted(key, position)
            LEFT JOIN user_account ON user_account.username_key = wanted.key
            LEFT JOIN user_account AS sender ON sender.id = :sender_id
        ),
        new AS (  -- no message id is spent on a refused send
            SELECT nextval(pg_get_serial_sequence('message', 'id')) AS id
            FROM found WHERE complete AND NOT suspended {{hold}}
        ),
        stored AS (
            INSERT INTO message (id, thread_id, sender_id, subject, body, receiver_names,
                                 created_at, client_timestamp, reply_to_id, context_ref,
                                 context_data, context_signed)
            SELECT new.id, coalesce(:thread_id, new.id), :sender_id, :subject, :body,
                   found.names_json, :created_at, :client_timestamp, :reply_to_id,
                   :context_ref, CAST(:context_data AS json), :context_signed
            FROM new, found
            RETURNING id, thread_id, context_ref
        ),
        delivered AS (
            INSERT INTO delivery (receiver_id, message_id, thread_id, context_ref)
            SELECT receiver.id, stored.id, stored.thread_id, stored.context_ref
            FROM stored, found, unnest(found.reached) AS receiver(id)
        ),
        entries AS (  -- what events.message_created(...).stored is for a new message
            SELECT entry.user_id,
                   row_number() OVER (PARTITION BY entry.user_id ORDER BY entry.position DESC)
                       - 1 AS after,
                   'message.created' AS type, stored.id AS message_id,
                   json_build_object('box', entry.box) AS data,
                   -- Entry.hook: a receiver's entry is a webhook's message.created
                   CASE WHEN entry.box = 'inbox' THEN 'message.created' END AS hook
            FROM stored, (
                SELECT receiver.id AS user_id, receiver.position, 'inbox' AS box
                FROM found, unnest(found.reached) WITH ORDINALITY AS receiver(id, position)
                UNION ALL
                SELECT :sender_id, cardinality(found.ids) + 1, 'sent' FROM found
                WHERE :log_sender
            ) AS entry
        ),
        {_APPEND_ENTRIES} {{hooks}}
        SELECT stored.id, stored.thread_id, found.ids AS receiver_ids,
               found.names AS receiver_names, found.display_names, found.inactive,
               found.reached, found.suspended, found.shadow_banned,
               (SELECT array_agg(heads.id) FROM heads) AS head_users,
               (SELECT array_agg(heads.head) FROM heads) AS heads,
               guard.hooked
        FROM found CROSS JOIN guard LEFT JOIN stored ON true
        """  # noqa: S608
SEND, SEND_HOOKED = (
    DirectQuery(
        text(sql)
        .bindparams(
            bindparam("receiver_keys", type_=ARRAY(String)),
            bindparam("thread_id", type_=BigInteger),
            bindparam("sender_id", type_=BigInteger),
            bindparam("subject", type_=String),
            bindparam("body", type_=Text),
            bindparam("created_at", type_=UTCDateTime()),
            bindparam("client_timestamp", type_=String),
            bindparam("reply_to_id", type_=BigInteger),
            bindparam("context_ref", type_=String),
            bindparam("context_data", type_=Text),
            bindparam("context_signed", type_=Boolean),
            bindparam("log_sender", type_=Boolean),
        )
        .columns(
            id=BigInteger,
            thread_id=BigInteger,
            receiver_ids=ARRAY(BigInteger),
            receiver_names=ARRAY(String),
            display_names=ARRAY(String),
            inactive=ARRAY(Boolean),
            reached=ARRAY(BigInteger),
            suspended=Boolean,
            shadow_banned=Boolean,
            head_users=ARRAY(BigInteger),
            heads=ARRAY(BigInteger),
            hooked=Boolean,
        )
    )
    for sql in _variants(_SEND_SQL)
)


# PostgreSQL: a read state and its change-log entry in one statement, run on the driver as
# a send is (SEND), in the session's transaction.
# The entry is made from the updated row, so the delivery is locked before the counter
# (the lock order); a delivery no longer in the inbox is left alone, and only the guard's
# row comes back, with no user.
_SET_READ_SQL = f"""
        WITH {_GUARD},
        updated AS (
            UPDATE delivery SET read_at = :read_at
            WHERE message_id = :message_id AND receiver_id = :viewer_id
              AND deleted_at IS NULL {{hold}}
            RETURNING receiver_id, message_id
        ),
        entries AS (
            SELECT receiver_id AS user_id, 0 AS after, 'message.updated' AS type,
                   message_id, CAST(:data AS json) AS data, CAST(:hook AS text) AS hook
            FROM updated
        ),
        {_APPEND_ENTRIES} {{hooks}}
        SELECT heads.id, heads.head, guard.hooked FROM guard LEFT JOIN heads ON true
        """  # noqa: S608
_SET_READ, _SET_READ_HOOKED = (
    DirectQuery(
        text(sql)
        .bindparams(
            bindparam("read_at", type_=UTCDateTime()),
            bindparam("message_id", type_=BigInteger),
            bindparam("viewer_id", type_=BigInteger),
            bindparam("data", type_=Text),
            bindparam("hook", type_=String),
            bindparam("created_at", type_=UTCDateTime()),
        )
        .columns(id=BigInteger, head=BigInteger, hooked=Boolean)
    )
    for sql in _variants(_SET_READ_SQL)
)


class PostgresStore:
    """Each write one statement on the driver, in the session's transaction (or, `alone`,
    committing itself).

    `hooked` is whether a webhook endpoint was enabled when a statement last looked: it
    picks the plain or the hooked form of the next one. It is only a guess, which each
    statement checks (`guard`): a plain one that finds an endpoint writes nothing and is
    run again hooked (one round trip more, once per process while endpoints come and
    go), and a hooked one that finds none makes the next ones plain."""

    insert = staticmethod(postgresql.insert)

    def __init__(self) -> None:
        self.hooked = False

    async def _run(
        self, db: AsyncSession, forms: tuple[DirectQuery, DirectQuery], values: dict[str, Any]
    ) -> Sequence[Any]:
        while True:
            hooked = self.hooked
            rows = await forms[hooked].all(db, values)
            self.hooked = rows[0].hooked
            if hooked or not self.hooked:
                return rows

    async def send(
        self,
        db: AsyncSession,
        message: Mapping[str, Any],
        receivers: list[str],
        *,
        alone: bool = False,
        log_sender: bool = True,
    ) -> Stored:
        keys = accounts.lookup_keys(receivers)
        if not alone:
            await begin(db)
        data = message["context_data"]
        values = {
            **message,
            "receiver_keys": keys,
            "context_data": None if data is None else json.dumps(data),
            "log_sender": log_sender,
        }
        (row,) = await self._run(db, (SEND, SEND_HOOKED), values)
        if row.suspended:  # nothing was stored
            raise accounts.sender_suspended()
        if row.id is None:  # a receiver is unknown or deactivated: nothing was stored
            found = list(zip(receivers, row.receiver_ids, strict=True))
            unknown = [name for name, user_id in found if user_id is None]
            if unknown:
                raise accounts.unknown_receiver(unknown)
            inactive = zip(row.receiver_names, row.inactive, strict=True)
            raise accounts.receiver_deactivated([name for name, off in inactive if off])
        heads = dict(zip(row.head_users or [], row.heads or [], strict=True))
        return Stored(
            row.id,
            row.thread_id,
            row.receiver_ids,
            row.receiver_names,
            heads,
            row.display_names,
            reached=row.reached,
            shadow_banned=row.shadow_banned,
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
        if not alone:
            await begin(db)
        rows = await self._run(
            db,
            (_SET_READ, _SET_READ_HOOKED),
            {
                "read_at": read_at,
                "message_id": message_id,
                "viewer_id": viewer_id,
                "data": json.dumps(entry.stored),
                "hook": entry.hook,
                "created_at": now,
            },
        )
        heads = {row.id: row.head for row in rows if row.id is not None}
        return heads or None

    async def append(
        self, db: AsyncSession, entries: Sequence[Entry], now: datetime
    ) -> dict[int, int]:
        after: list[int] = []
        seen: Counter[int] = Counter()
        for entry in reversed(entries):
            after.append(seen[entry.user_id])
            seen[entry.user_id] += 1
        after.reverse()
        values = {
            "entry_users": [entry.user_id for entry in entries],
            "entry_after": after,
            "entry_types": [entry.type for entry in entries],
            "entry_messages": [entry.message_id for entry in entries],
            "entry_data": [json.dumps(entry.stored) for entry in entries],
            "entry_hooks": [entry.hook for entry in entries],
            "created_at": now,
        }
        while True:  # as _run does, through SQLAlchemy (its array binds)
            hooked = self.hooked
            rows = (await db.execute(_APPEND_HOOKED if hooked else _APPEND, values)).all()
            self.hooked = rows[0].hooked
            if hooked or not self.hooked:
                return {row.id: row.head for row in rows if row.id is not None}

    async def bound_lock_wait(self, db: AsyncSession, milliseconds: int) -> None:
        await db.execute(text(f"SET LOCAL lock_timeout = '{int(milliseconds)}ms'"))

    async def unbound_lock_wait(self, db: AsyncSession) -> None:
        await db.execute(text("SET LOCAL lock_timeout = DEFAULT"))
