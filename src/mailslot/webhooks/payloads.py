"""The body of each event as a receiver gets it: `{type, timestamp, data}`.

A mailbox event's `data` is rendered from its user's change-log entry at its first
delivery, in one statement for a batch, and kept on the event from then on, so every
attempt and redelivery sends the same bytes. Contract for the delivery worker:
`await render(db, events)` fills `data` of every event given whose `data` is None (and
writes it, in the caller's transaction), then `body(event)` is what to sign and send.

A mailbox event's data (docs/webhooks.md, Events):

    {"user": {"username", "external_id", "display_name"},
     "seq": the user's change-log sequence number of the entry,
     "message": the message as the native API shows it to that user}      message.created
    {"user", "seq", "id", "read", "read_at"}                   message.read / message.unread
    {"user", "seq", "id", "scope"}                                        message.deleted

A message.created whose message the user can no longer read when it is rendered (its
sender deleted it, or it was deleted for good or purged) has `"message": null,
"withdrawn": true`, as the change log serves no deleted content either."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC
from typing import Any, Final, cast

from sqlalchemy import String, Table, Text, and_, bindparam, select, text, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from mailslot.accounts.models import User
from mailslot.db.engine import dialect_name, one_of
from mailslot.messages import changes, expiry
from mailslot.messages.models import Change
from mailslot.webhooks.models import WebhookEvent

log = logging.getLogger("mailslot.webhooks")

# The user whose mailbox an event is about (User itself is the message's sender in
# changes.with_entries).
_OWNER = aliased(User, name="owner")
# The table itself: an executemany UPDATE by id of Core, with its own WHERE.
_EVENTS = cast(Table, WebhookEvent.__table__)
# PostgreSQL: the batch in one statement, which says which events it wrote (those still
# unrendered), so that only the others (rendered first elsewhere) are read back.
_RENDER_MANY = text(
    """
    UPDATE webhook_event AS e SET data = CAST(v.data AS json)
    FROM unnest(:ids, :datas) AS v(id, data)
    WHERE e.id = v.id AND e.data IS NULL
    RETURNING e.id
    """
).bindparams(bindparam("ids", type_=ARRAY(String)), bindparam("datas", type_=ARRAY(Text)))


def _entries(*, retained: bool, postgres: bool) -> Any:
    """What `render` reads of the events `ids`: built once per kind (composing it each
    time was a tenth of the worker's CPU).

    On PostgreSQL each event's entry is a lookup by the change log's key (a LATERAL with
    a LIMIT, which the planner cannot turn into a join of its own choosing): as a plain
    join it hashed the whole log for a batch of 32 events (6,000 entries, and a render's
    cost growing with them). The ids are one array (`one_of`). SQLite looks each entry up by its key in any case."""
    if postgres:
        entries: Any = aliased(
            Change,
            select(Change)
            .where(Change.user_id == WebhookEvent.user_id, Change.seq == WebhookEvent.seq)
            .limit(1)
            .lateral("change"),
            name="change",
        )
        on: Any = true()
    else:
        entries = Change
        on = and_(Change.user_id == WebhookEvent.user_id, Change.seq == WebhookEvent.seq)
    return changes.with_entries(
        select(
            WebhookEvent.id.label("event_id"),
            WebhookEvent.type.label("event_type"),
            WebhookEvent.seq.label("event_seq"),
            WebhookEvent.message_id.label("event_message_id"),
            _OWNER.username.label("owner_username"),
            _OWNER.external_id.label("owner_external_id"),
            _OWNER.display_name.label("owner_display_name"),
        )
        .select_from(WebhookEvent)
        .outerjoin(_OWNER, _OWNER.id == WebhookEvent.user_id)
        .outerjoin(entries, on),
        retained=retained,
        entries=entries,
    ).where(one_of(WebhookEvent.id, "ids", String, postgres=postgres))


_ENTRIES: Final = {
    (retained, postgres): _entries(retained=retained, postgres=postgres)
    for retained in (False, True)
    for postgres in (False, True)
}


async def render(db: AsyncSession, events: Sequence[WebhookEvent]) -> None:
    """Fill in `data` of the events that have none (mailbox events) from their change-log
    entries, in one statement for them all, and write it in the caller's transaction.
    An event another worker rendered first keeps that worker's data: each event has one
    body for all its deliveries, whoever sends them. An event whose data cannot be
    rendered (a fault, logged) keeps none, and is not sent."""
    todo = {event.id: event for event in events if event.data is None}
    if not todo:
        return
    params: dict[str, Any] = {"ids": list(todo)}
    retained = expiry.with_cutoff(db, params)
    datas: dict[str, dict[str, Any]] = {}
    postgres = dialect_name(db) == "postgresql"
    for row in await db.execute(_ENTRIES[retained, postgres], params):
        try:
            datas[row.event_id] = _data(row)
        except Exception:  # one event's fault holds back that event alone
            log.exception("webhook event %s not rendered", row.event_id)
    # The JSON text the column's type writes: data is JSON's own types (the API's
    # serialisation), so what a later load gives is `datas` again.
    rendered = {key: json.dumps(data) for key, data in datas.items()}
    if not rendered:
        return
    if postgres:
        written = await db.execute(
            _RENDER_MANY, {"ids": list(rendered), "datas": list(rendered.values())}
        )
        ours = set(written.scalars())
    else:
        result = await db.execute(
            update(_EVENTS)
            .where(_EVENTS.c.id == bindparam("event_id"), _EVENTS.c.data.is_(None))
            .values(data=bindparam("rendered", type_=_EVENTS.c.data.type)),
            [{"event_id": key, "rendered": datas[key]} for key in rendered],
        )
        # SQLite has one writer at a time: all written unless some were rendered before.
        ours = set(rendered) if cast(Any, result).rowcount == len(rendered) else set()
    for key in ours:
        set_committed_value(todo[key], "data", datas[key])
    others = [key for key in rendered if key not in ours]
    if others:  # rendered first by another worker: what it stored is the body
        kept = await db.execute(
            select(WebhookEvent.id, WebhookEvent.data).where(WebhookEvent.id.in_(others))
        )
        for key, data in kept:
            set_committed_value(todo[key], "data", data)


def _data(row: Any) -> dict[str, Any]:
    """The data of one mailbox event, from its row (changes.with_entries)."""
    user = (
        None
        if row.owner_username is None
        else {
            "username": row.owner_username,
            "external_id": row.owner_external_id,
            "display_name": row.owner_display_name,
        }
    )
    head: dict[str, Any] = {"user": user, "seq": row.event_seq}
    if row.seq is None:  # the entry was pruned (the log's retention) before rendering
        if row.event_type == "message.created":
            return {**head, "message": None, "withdrawn": True}
        return {**head, "id": row.event_message_id}
    entry = changes.entry_event(row)
    if row.event_type != "message.created":
        return {**head, **entry.data}
    if entry.type != "message.created":  # the log serves it as gone for this user
        return {**head, "message": None, "withdrawn": True}
    message = dict(entry.data)
    message.pop("box")  # always the inbox: the message exactly as the API shows it
    return {**head, "message": message}


def body(event: WebhookEvent) -> bytes:
    """The request body of an event, as compact JSON: every attempt of a rendered event
    (`render`) sends the same bytes."""
    if event.data is None:
        raise ValueError(f"event {event.id} is not rendered")
    return json.dumps(
        {"type": event.type, "timestamp": timestamp(event), "data": event.data},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def timestamp(event: WebhookEvent) -> str:
    """The event's time in ISO 8601, UTC, as the API writes times (`Z`)."""
    return event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
