"""Writing and listing the audit trail of mailbox reads under /server.

A read is recorded before it is made, by one statement in a transaction of its own that
also finds whose mailbox it is (the user by their external id, or a message's sender and
receivers): no read without its record, and the record costs the read one INSERT. On
PostgreSQL the statement commits itself (no BEGIN, no COMMIT round trip). A read that
fails after its record was written (the database lost meanwhile) keeps the record: the
trail tells of every read that was let through, not only those that answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, bindparam, insert, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import User
from mailslot.accounts.service import username_key
from mailslot.audit.models import MailboxRead
from mailslot.db.base import UTCDateTime, utcnow
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import Reader
from mailslot.keys.models import ServerKey
from mailslot.messages.models import Delivery, Message

_KEY = bindparam("key_id", type_=BigInteger)
_OPERATION = bindparam("operation", type_=String)
_READ_AT = bindparam("read_at", type_=UTCDateTime())
_MESSAGE = bindparam("message_id", type_=BigInteger)


@dataclass(frozen=True, slots=True)
class Mailbox:
    """Whose mailbox a recorded read reads (a messages.service.Viewer)."""

    id: int


# A row for the user the host knows by `external_id`, if there is one.
_MAILBOX_READ = DirectQuery(
    insert(MailboxRead)
    .from_select(
        ["key_id", "user_id", "operation", "query", "read_at"],
        select(_KEY, User.id, _OPERATION, bindparam("query", type_=JSON), _READ_AT).where(
            User.external_id == bindparam("external_id", type_=String)
        ),
    )
    .returning(MailboxRead.user_id)
)

# The message as its sender sees it (not deleted for everyone): a row for the sender and
# one for each other receiver.
_LIVE = (Message.id == _MESSAGE, Message.deleted_by_sender_at.is_(None))
_MESSAGE_READ = DirectQuery(
    insert(MailboxRead)
    .from_select(
        ["key_id", "user_id", "operation", "message_id", "read_at"],
        union_all(
            select(_KEY, Message.sender_id, _OPERATION, Message.id, _READ_AT).where(*_LIVE),
            select(_KEY, Delivery.receiver_id, _OPERATION, Message.id, _READ_AT)
            .join(Message, Message.id == Delivery.message_id)
            .where(*_LIVE, Delivery.receiver_id != Message.sender_id),
        ),
    )
    .returning(MailboxRead.user_id)
)


async def record_mailbox_read(
    db: AsyncSession, *, key_id: int, operation: str, external_id: str, query: dict[str, Any]
) -> Mailbox | None:
    """Record that the key reads the mailbox of the user the host knows as `external_id`
    (`query`: what it asks for); returns their mailbox, or None, writing nothing, when no
    user has that external id. The statement is all the session's transaction writes: the
    caller commits at once."""
    params = {
        "key_id": key_id,
        "operation": operation,
        "external_id": external_id,
        "query": query,
        "read_at": utcnow(),
    }
    rows = await _MAILBOX_READ.all(db, params)
    return Mailbox(rows[0].user_id) if rows else None


async def record_message_read(
    db: AsyncSession, *, key_id: int, operation: str, message_id: int
) -> bool:
    """Record that the key reads a message, in its sender's mailbox and in each of its
    receivers'; False, writing nothing, when there is no such message or its sender
    deleted it for everyone. The caller commits at once, as for record_mailbox_read."""
    params = {
        "key_id": key_id,
        "operation": operation,
        "message_id": message_id,
        "read_at": utcnow(),
    }
    return bool(await _MESSAGE_READ.all(db, params))


@dataclass(frozen=True, slots=True)
class ReadRecord:
    id: int
    read_at: datetime
    key_id: int
    key_name: str
    username: str
    external_id: str | None
    operation: str
    message_id: int | None
    query: dict[str, Any] | None


async def list_reads(
    db: Reader,
    *,
    user_id: int | None = None,
    external_id: str | None = None,
    username: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    below_id: int | None = None,
    limit: int,
) -> tuple[list[ReadRecord], bool]:
    """Records newest first, of one user if named (by id, external id or username), read
    at or after `since` and before `until`; and whether more follow (keyset: `below_id`)."""
    query = (
        select(
            MailboxRead.id,
            MailboxRead.read_at,
            MailboxRead.key_id,
            ServerKey.name,
            User.username,
            User.external_id,
            MailboxRead.operation,
            MailboxRead.message_id,
            MailboxRead.query,
        )
        .join(ServerKey, ServerKey.id == MailboxRead.key_id)
        .join(User, User.id == MailboxRead.user_id)
        .order_by(MailboxRead.id.desc())
        .limit(limit + 1)
    )
    if user_id is not None:
        query = query.where(MailboxRead.user_id == user_id)
    if external_id is not None:
        query = query.where(User.external_id == external_id)
    if username is not None:
        query = query.where(User.username_key == username_key(username))
    if since is not None:
        query = query.where(MailboxRead.read_at >= since)
    if until is not None:
        query = query.where(MailboxRead.read_at < until)
    if below_id is not None:
        query = query.where(MailboxRead.id < below_id)
    rows = (await db.execute(query)).all()
    return [ReadRecord(*row) for row in rows[:limit]], len(rows) > limit
