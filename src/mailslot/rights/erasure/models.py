"""The erasure ledger: one row per erased account, ids only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime


class Erasure(Base):
    """An account's erasure, written in the transaction that starts it and kept for good:
    `mailslot restore` re-applies every entry to the restored data (rights/erasure/ledger.py),
    so a backup taken before an erasure never brings the account back. Nothing in it is
    personal data: the account's internal id and creation time (which tell it from a later
    account given the same id by a restored sequence), the tombstone name it was given,
    the mode, times and counts."""

    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # No foreign key: the entry outlives whatever a restore puts back under that id.
    user_id: Mapped[int] = mapped_column(BigInteger)
    user_created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # `deleted-user-` and 12 random hex digits: what receivers see as its name from now on.
    tombstone: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))  # pseudonymize, purge-sent
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Until this, registration refuses the username (accounts.models.UsernameHold).
    hold_until: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once every batch has run; an entry without it is resumed (rights/erasure/run.py).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What went: {"received": n, "sent_removed": n, "sent_kept": n, "changes": n, ...}.
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index(None, "user_id"),)
