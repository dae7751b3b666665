"""Blocks: a user stops receiving new messages from another, silently. Callers own the
transaction.

What a block hides is decided once, when a message is sent: the send's own statement
writes no delivery and no change-log entry for a receiver who blocks its sender
(messages/store), so no live event and no webhook follow, and every read (lists,
threads, search, counts, changes) finds nothing, since each reads deliveries. The sender's
copy still names every receiver, and the sender is never told. Mail that arrived before
the block stays; unblocking lets new mail through, never what was held back (nothing
was kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import TooManyBlocks, Unprocessable
from mailslot.messages.store import store_for
from mailslot.safety.models import Block

MAX_BLOCKS = 1000


@dataclass(frozen=True, slots=True)
class Blocked:
    username: str
    display_name: str | None
    blocked_at: datetime


async def block_user(db: AsyncSession, *, user: Account, other: str) -> Blocked:
    """Block `other` (idempotent: blocking again keeps the first `blocked_at`). Raises
    UserNotFound for a name nobody has, Unprocessable for oneself, TooManyBlocks past
    MAX_BLOCKS."""
    target = await accounts.get_user(db, other)
    if target.id == user.id:
        raise Unprocessable(
            "You cannot block yourself.",
            errors=[{"pointer": "/path/other", "detail": "your own username"}],
        )
    held = await db.scalar(
        select(func.count()).select_from(Block).where(Block.blocker_id == user.id)
    )
    insert = store_for(db).insert
    if int(held or 0) >= MAX_BLOCKS and not await _blocks(db, user.id, target.id):
        raise TooManyBlocks(
            f"You block {MAX_BLOCKS} users already, the most one may: unblock some first."
        )
    await db.execute(
        insert(Block)
        .values(blocker_id=user.id, blocked_id=target.id, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    blocked_at = (
        await db.execute(
            select(Block.created_at).where(
                Block.blocker_id == user.id, Block.blocked_id == target.id
            )
        )
    ).scalar_one()
    return Blocked(target.username, target.display_name, blocked_at)


async def _blocks(db: Reader, blocker_id: int, blocked_id: int) -> bool:
    found = await db.scalar(
        select(Block.blocker_id).where(
            Block.blocker_id == blocker_id, Block.blocked_id == blocked_id
        )
    )
    return found is not None


async def unblock_user(db: AsyncSession, *, user: Account, other: str) -> None:
    """Let `other`'s new messages through again (nothing if they were not blocked).
    Raises UserNotFound for a name nobody has."""
    target = await accounts.get_user(db, other)
    await db.execute(
        delete(Block).where(Block.blocker_id == user.id, Block.blocked_id == target.id)
    )


async def list_blocks(db: Reader, *, user: Account) -> list[Blocked]:
    """Everyone the user blocks (at most MAX_BLOCKS), newest block first."""
    rows = await db.execute(
        select(User.username, User.display_name, Block.created_at)
        .join(User, User.id == Block.blocked_id)
        .where(Block.blocker_id == user.id)
        .order_by(Block.created_at.desc(), User.username_key)
    )
    return [Blocked(*row) for row in rows]
