"""The messaging policy's table: one row, the rules as the host last put them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base, UTCDateTime

POLICY_ROW = 1


class MessagingPolicy(Base):
    """No row: no policy (anyone registered may message anyone)."""

    __tablename__ = "messaging_policy"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # policy.rules.Rules.to_json(): what GET /server/policy/messaging answers.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
