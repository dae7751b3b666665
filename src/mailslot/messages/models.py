"""Message tables: one message, one delivery row per receiver (design §3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime


class Message(Base):
    __tablename__ = "message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # Receivers' usernames in send order, so a page needs no join per receiver.
    # Usernames never change, so this copy cannot go stale.
    receiver_names: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Seed A's client-side timestamp, kept exactly as the client wrote it.
    client_timestamp: Mapped[str | None] = mapped_column(String(64))
    thread_id: Mapped[int | None] = mapped_column(BigId)
    reply_to_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("message.id", ondelete="SET NULL")
    )
    deleted_by_sender_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Conversation context (messages/context.py): a host's reference, and data of at most
    # 4 KiB. SQL NULL when none, not JSON null.
    context_ref: Mapped[str | None] = mapped_column(String(200))
    context_data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    context_signed: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        # The sent box: a range scan over the sender's live messages, newest first.
        Index(
            "ix_message_sent",
            "sender_id",
            "id",
            postgresql_where=text("deleted_by_sender_at IS NULL"),
            sqlite_where=text("deleted_by_sender_at IS NULL"),
        ),
        # The sent box filtered by thread: a range scan, whatever the box holds.
        Index(
            "ix_message_sent_thread",
            "sender_id",
            "thread_id",
            "id",
            postgresql_where=text("deleted_by_sender_at IS NULL"),
            sqlite_where=text("deleted_by_sender_at IS NULL"),
        ),
        # Retention (messages/retention.py): the job and `retention status` walk the
        # messages older than the cutoff, oldest first, over this index alone.
        Index("ix_message_created_at", "created_at", "id"),
        # A message's replies: deleting a message (an erasure, rights/erasure; retention)
        # sets their reply_to_id to NULL, a look-up per deleted message that is a scan of
        # every message without this (10,000 deletions among 20,000 messages: 55 s a batch
        # of 1,000 on SQLite, bench/README.md). Only replies are indexed.
        Index(
            "ix_message_reply_to_id",
            "reply_to_id",
            postgresql_where=text("reply_to_id IS NOT NULL"),
            sqlite_where=text("reply_to_id IS NOT NULL"),
        ),
        # The sent box filtered by context; only messages that have one are indexed.
        Index(
            "ix_message_sent_context",
            "sender_id",
            "context_ref",
            "id",
            postgresql_where=text("deleted_by_sender_at IS NULL AND context_ref IS NOT NULL"),
            sqlite_where=text("deleted_by_sender_at IS NULL AND context_ref IS NOT NULL"),
        ),
    )


class Delivery(Base):
    """A message as one receiver holds it: their read state and their deletion."""

    __tablename__ = "delivery"

    # Receiver first: the key itself is a per-user range, newest message last.
    receiver_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("message.id", ondelete="CASCADE"), primary_key=True
    )
    # The message's thread, copied here (it never changes) so the inbox filtered by
    # thread, and the unread count of a thread, are range scans on one index.
    thread_id: Mapped[int] = mapped_column(BigId)
    # The message's context ref, copied here as thread_id is (it never changes either),
    # so the inbox filtered by context is a range scan on one index.
    context_ref: Mapped[str | None] = mapped_column(String(200))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Out of the inbox: set by the receiver's delete (with trashed_at) and by the
    # sender's delete for everyone (without).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # In the receiver's trash since then, restorable until purged.
    trashed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        # A sender's delete reaches every receiver's copy. Hash on PostgreSQL: a B-tree
        # here offers message id order, which the planner took for a page of a large,
        # quiet mailbox, walking everyone's newer deliveries (migration 0005).
        Index(None, "message_id", postgresql_using="hash"),
        # The inbox and the unread list are range scans on these, newest first, so a
        # page costs the same whatever the mailbox holds.
        Index(
            "ix_delivery_inbox",
            "receiver_id",
            "message_id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_delivery_unread",
            "receiver_id",
            "message_id",
            postgresql_where=text("deleted_at IS NULL AND read_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL AND read_at IS NULL"),
        ),
        Index(
            "ix_delivery_thread",
            "receiver_id",
            "thread_id",
            "message_id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_delivery_thread_unread",
            "receiver_id",
            "thread_id",
            "message_id",
            postgresql_where=text("deleted_at IS NULL AND read_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL AND read_at IS NULL"),
        ),
        Index(
            "ix_delivery_context",
            "receiver_id",
            "context_ref",
            "message_id",
            postgresql_where=text("deleted_at IS NULL AND context_ref IS NOT NULL"),
            sqlite_where=text("deleted_at IS NULL AND context_ref IS NOT NULL"),
        ),
        # box=trash, newest first; and the purge, oldest first.
        Index(
            "ix_delivery_trash",
            "receiver_id",
            "message_id",
            postgresql_where=text("trashed_at IS NOT NULL"),
            sqlite_where=text("trashed_at IS NOT NULL"),
        ),
        Index(
            "ix_delivery_trashed_at",
            "trashed_at",
            postgresql_where=text("trashed_at IS NOT NULL"),
            sqlite_where=text("trashed_at IS NOT NULL"),
        ),
    )


class IdempotencyKey(Base):
    """A send made with an `Idempotency-Key`, stored in the send's own transaction, so a
    retry finds the message whenever the message exists (reliability.md F8)."""

    __tablename__ = "idempotency_key"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # SHA-256 of the request's meaning, to tell a retry from a reuse of the key.
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary(32))
    message_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("message.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A server send's answer per recipient (`[[to, status], ...]`), which a replay
    # repeats: who was unknown or deactivated then, whatever they are now. Null for a
    # user's own send, whose answer is the message alone.
    outcomes: Mapped[list[list[str]] | None] = mapped_column(JSON)

    # message_id: deleting a message deletes its keys (the cascade looks them up by it).
    __table_args__ = (Index(None, "created_at"), Index(None, "message_id"))


class Change(Base):
    """One entry of a user's change log (design §3): what happened to their mailbox, in
    order. `seq` counts 1, 2, 3... per user with no gaps, so a hole means pruned history.
    A `message.created` entry keeps only the message id and the box: the message itself
    is read from its row, so a message to 100 receivers is not copied 100 times, and
    only while the user can still read it (changes.list_changes): a deleted message
    leaves no content in anyone's log."""

    __tablename__ = "change"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(32))
    # No foreign key: an entry outlives the message it speaks of.
    message_id: Mapped[int] = mapped_column(BigId)
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "created_at"),)  # retention prunes by age


class SeedBImport(Base):
    """What `mailslot import seed-b` copied: a seed B row's id and the id it has here,
    written in the transaction that copies the row, so an interrupted import resumes
    after its last commit and a re-run copies nothing twice (messages/seed_b_import.py)."""

    __tablename__ = "seed_b_import"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "user" or "message"
    source_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # No foreign key: the mapping outlives a user or message deleted since.
    target_id: Mapped[int] = mapped_column(BigInteger)


class LegalHold(Base):
    """A user whose mail retention keeps (docs/erasure.md#retention): every message they sent
    or received stays, whatever its age, while the row exists."""

    __tablename__ = "legal_hold"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Why, in the operator's words (a case number): shown by `retention status`.
    note: Mapped[str | None] = mapped_column(String(200))


class RetentionRun(Base):
    """The retention job's one row (id 1): its lease, so that one instance at a time runs
    it, and what its last run did. A lease row, not an advisory lock: every step is one
    transaction, so it holds through a pooler in transaction mode (PgBouncer), where a
    session's lock would stay with a server connection others then use."""

    __tablename__ = "retention_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted: Mapped[int] = mapped_column(BigInteger, default=0)
    cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(500))
