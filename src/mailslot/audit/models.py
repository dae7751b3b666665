"""The audit trail's table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime


class MailboxRead(Base):
    """One mailbox read through the server API: which key (server_key, never deleted: a
    revoked key keeps its rows), whose mailbox, what (the operation, and the message or
    the listing's query) and when. A message read is a row for its sender and one for
    each receiver: it was in each of their mailboxes."""

    __tablename__ = "mailbox_read"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key_id: Mapped[int] = mapped_column(BigId, ForeignKey("server_key.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    # The route's OpenAPI operation id.
    operation: Mapped[str] = mapped_column(String(64))
    # Not a foreign key: the record outlives the message.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A listing's query, as validated (its parameters that were given).
    query: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # A user's records newest first (their access log, `?user=`), a page at any depth.
    __table_args__ = (Index(None, "user_id", "id"),)
