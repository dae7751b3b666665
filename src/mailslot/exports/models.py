"""The export tables: an archive asked for, and its bytes, stored in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime


class Export(Base):
    """An archive of one user's mailbox, built by a job (`job_id`: its state and progress)
    and kept until `expires_at`. Deleting the user, or the job, deletes it.

    `origin`: `user` (self-service, listed to the user and rate-limited), `server` (a
    host's key) or `admin` (`mailslot user export`). `files` is set once the archive is
    sealed: each file of the zip in order, with what its headers say (builder.py)."""

    __tablename__ = "export"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)  # "exp_..."
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(BigId, ForeignKey("job.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    size: Mapped[int | None] = mapped_column(BigInteger)
    files: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    # A user's exports newest first (their list, the hourly limit); the purge's scan.
    __table_args__ = (Index(None, "user_id", "id"), Index(None, "expires_at"))


class ExportChunk(Base):
    """A piece of one file of an export's zip, as the zip stores it: raw deflate data
    that ends on a byte boundary (a sync flush), so a file is its chunks in `seq` order
    and a final empty block (archive.py). One step of the export job writes one chunk
    per file it adds to."""

    __tablename__ = "export_chunk"

    export_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("export.id", ondelete="CASCADE"), primary_key=True
    )
    file: Mapped[int] = mapped_column(Integer, primary_key=True)  # index in FILES
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
