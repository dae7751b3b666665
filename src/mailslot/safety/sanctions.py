"""Sanctions: suspended (signs in and reads, cannot send), shadow-banned (sends look
delivered to the sender and reach nobody) and deactivated (accounts/admin.py). Callers own
the transaction.

The state is on the user's row, where every send reads it in its own statement
(messages/store), so a sanction holds from its commit on every instance, with no cache
to forget. Each change writes a `sanction` row too: what, on or lifted, why and by whom,
the history the server API and `mailslot user show` list. Setting a sanction the user
already has (or lifting one they do not) changes nothing and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import admin
from mailslot.accounts.models import User
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.safety.models import Sanction

Kind = Literal["suspended", "shadow_banned", "deactivated"]
KINDS: tuple[Kind, ...] = ("suspended", "shadow_banned", "deactivated")
MAX_REASON = 500
HISTORY = 100  # the newest changes shown

_COLUMNS = {"suspended": User.suspended_at, "shadow_banned": User.shadow_banned_at}


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a sanction, as the history lists it."""

    kind: Kind
    lifted: bool
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Held:
    """A sanction the user is under: since when, and the reason it was set with (None for
    a deactivation made before sanctions had reasons, or through POST .../deactivate)."""

    since: datetime
    reason: str | None


@dataclass(frozen=True, slots=True)
class Sanctions:
    held: dict[Kind, Held]
    history: list[Change]


async def get_sanctions(db: Reader, user_id: int) -> Sanctions:
    """The sanctions the user is under, and the newest HISTORY changes, newest first."""
    row = (
        await db.execute(
            select(User.suspended_at, User.shadow_banned_at, User.deactivated_at).where(
                User.id == user_id
            )
        )
    ).one()
    rows = await db.execute(
        select(Sanction.kind, Sanction.lifted, Sanction.reason, Sanction.actor, Sanction.created_at)
        .where(Sanction.user_id == user_id)
        .order_by(Sanction.id.desc())
        .limit(HISTORY)
    )
    history = [Change(cast(Kind, c.kind), c.lifted, c.reason, c.actor, c.created_at) for c in rows]
    since: dict[Kind, datetime | None] = {
        "suspended": row.suspended_at,
        "shadow_banned": row.shadow_banned_at,
        "deactivated": row.deactivated_at,
    }
    held = {}
    for kind, at in since.items():
        if at is not None:
            # The reason of the newest change that put it on (history is newest first).
            put = next((c for c in history if c.kind == kind and not c.lifted), None)
            held[kind] = Held(at, None if put is None else put.reason)
    return Sanctions(held, history)


async def set_sanction(
    db: AsyncSession, *, user_id: int, kind: Kind, on: bool, reason: str, actor: str
) -> bool:
    """Put the sanction on (`on`) or lift it; returns whether it changed, and only then
    writes its history row. A deactivation goes through accounts.admin (its tokens are
    revoked: after the commit, the caller has every instance forget them)."""
    if kind == "deactivated":
        changed = (
            await admin.deactivate(db, user_id) is not None
            if on
            else await admin.reactivate(db, user_id)
        )
    else:
        column = _COLUMNS[kind]
        now = utcnow()
        result = await db.execute(
            update(User)
            .where(User.id == user_id, column.is_(None) if on else column.is_not(None))
            .values({column.key: now if on else None})
            .returning(User.id)
        )
        changed = result.first() is not None
    if changed:
        await db.execute(
            insert(Sanction).values(
                user_id=user_id,
                kind=kind,
                lifted=not on,
                reason=reason,
                actor=actor,
                created_at=utcnow(),
            )
        )
    return changed


def audit_action(kind: Kind, on: bool) -> str:
    """The audit stream's name of a change (logs.audit): `user.suspended`,
    `user.unsuspended`, `user.shadow_banned`, `user.unshadow_banned`, `user.deactivated`,
    `user.reactivated`."""
    if kind == "deactivated":
        return "user.deactivated" if on else "user.reactivated"
    return f"user.{kind}" if on else f"user.un{kind}"
