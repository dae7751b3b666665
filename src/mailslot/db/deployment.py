"""This deployment's identity: one row, written once by migration 0006 and read by every
instance over the same database, so that they, and no other deployment, share what they
name in Redis."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from mailslot.db.base import Base


class Deployment(Base):
    __tablename__ = "deployment"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(32))  # random hex, never reused


async def deployment_key(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str((await connection.execute(select(Deployment.key))).scalar_one())


def redis_prefix(prefix: str, key: str) -> str:
    """The start of every Redis channel and key of the deployment: the operator's
    `prefix`, then its key. Redis pub/sub ignores database numbers, so the key is what
    keeps two deployments sharing a Redis apart however they are configured."""
    return f"{prefix}{key}:"
