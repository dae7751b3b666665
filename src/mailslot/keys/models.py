"""The server key table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime


class ServerKey(Base):
    """A host backend's key, stored only as its SHA-256 (like access tokens): the key
    itself is shown once, when it is made. A revoked key stays, so the audit trail can
    still name it."""

    __tablename__ = "server_key"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    # Space-separated, in Scope order: a handful of words, read with every request.
    scopes: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Written at most once a minute (keys.service.LAST_USED_PRECISION).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
