"""The job table: what a long piece of work is, and how far it got."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, BigId, UTCDateTime


class Job(Base):
    """A piece of work a request started (a webhook replay, ...): queued, running, then
    succeeded or failed; `done` of `total` items so far. Any instance may run it; the
    one that does holds it by `claimed_until` (a lease, as webhook deliveries)."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)  # "job_..."
    kind: Mapped[str] = mapped_column(String(32))  # "webhook.replay"
    status: Mapped[str] = mapped_column(String(16), default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
