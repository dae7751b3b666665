"""What retention hides: a message older than MAILSLOT_RETENTION_DAYS is gone from every
read at once, before the retention job (retention.py) deletes it, unless a user it
concerns is on legal hold.

The rule, `kept`: a message stays while it is younger than the cutoff, or while its
sender or any of its receivers is on hold (a conversation is kept whole for the side that
is held: their counterpart sees it too). Every read of a message (pages, one message,
counts, threads, the change log, seed A's reads, the server API's) adds `kept` when the
engine it reads through has a retention period (`kept_after`), and nothing otherwise, so
with retention off (the default) each statement is the one it was.

The cutoff is a bind parameter, `kept_after`, computed per read: a message crosses it
while the process runs, with no restart and no job."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mailslot.db.base import UTCDateTime, utcnow
from mailslot.db.engine import RETENTION_DAYS, Reader
from mailslot.messages.models import Delivery, LegalHold, Message

KEPT_AFTER = "kept_after"


def retention_days(db: Reader) -> int:
    """The retention period of the engine `db` reads through; 0: none."""
    bind: Any = db.sync_session.get_bind() if isinstance(db, AsyncSession) else db.sync_connection
    return int(bind.get_execution_options().get(RETENTION_DAYS, 0))


def cutoff_of(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def kept_after(db: Reader) -> datetime | None:
    """The cutoff a read through `db` hides messages older than, or None (no retention)."""
    days = retention_days(db)
    return cutoff_of(days) if days else None


def with_cutoff(db: Reader, params: dict[str, Any]) -> bool:
    """Add the cutoff to a statement's `params` when `db` has one; whether it did (the
    statement must then be the one with `kept`)."""
    after = kept_after(db)
    if after is None:
        return False
    params[KEPT_AFTER] = after
    return True


def held(message: Any = Message) -> ColumnElement[bool]:
    """Whether the message's sender or one of its receivers is on legal hold. A look-up
    by primary key per party: with nobody on hold, one probe of an empty table."""
    receiver = aliased(Delivery)
    return or_(
        exists().where(LegalHold.user_id == message.sender_id),
        exists(
            select(LegalHold.user_id)
            .join(receiver, receiver.receiver_id == LegalHold.user_id)
            .where(receiver.message_id == message.id)
        ),
    )


def kept(message: Any = Message) -> ColumnElement[bool]:
    """Whether retention keeps the message (`message`: Message or an alias of it), at the
    bind parameter `kept_after`."""
    return or_(
        message.created_at >= bindparam(KEPT_AFTER, type_=UTCDateTime()),
        held(message),
    )
