"""Safety tables: who blocks whom, reports of messages, and the history of sanctions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime


class Block(Base):
    """`blocker` receives nothing new from `blocked`. Every send reads its primary key, in
    its own statement (messages/store): one index look-up per receiver."""

    __tablename__ = "user_block"

    blocker_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # The blocked user's side: deleting a user finds their rows without a scan.
    __table_args__ = (Index(None, "blocked_id"),)


class Report(Base):
    """A receiver's report of a message. It keeps the message's subject and body as they
    were when reported, so a sender who deletes it afterwards leaves the evidence; the
    reporter is shown to the operator only, never to the sender."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Not a foreign key: the report outlives the message.
    message_id: Mapped[int] = mapped_column(BigInteger)
    reporter_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE")
    )
    sender_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(1000))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # open | resolved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The server key that resolved it (not a foreign key: keys are never deleted).
    resolved_by_key_id: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        # One report per receiver and message: reporting again answers the first.
        UniqueConstraint("message_id", "reporter_id"),
        # The moderation queue, newest first, by state.
        Index(None, "state", "id"),
    )


class Sanction(Base):
    """One change of a user's sanction: suspended, shadow-banned or deactivated (`kind`),
    put on or lifted (`lifted`), why, and by whom (`actor`: `key:<id>`, `cli`, or
    `report:<id>`). The user's row holds the state; these rows are its history."""

    __tablename__ = "sanction"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    lifted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "user_id", "id"),)
