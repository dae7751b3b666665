"""Idempotent send: an `Idempotency-Key` makes retries of a send return the first result.

The contract is Stripe's and the IETF draft's (reliability.md F8):

- The key is claimed with one `INSERT ... ON CONFLICT DO NOTHING` in the send's own
  transaction, and records the message id before that transaction commits: a crash
  between commit and answer leaves a key that a retry finds, never a second message.
- Same key and same request: the original message, same id, same 201, plus
  `Idempotent-Replayed: true`. Same key, different request: 422. A retry that meets
  the first attempt still running: 409 on PostgreSQL once IN_FLIGHT_WAIT has passed
  (SQLite serialises writers, so there a retry waits for the first and replays it).
- Keys belong to one user; they are kept KEY_TTL, then reusable and purged. Only a
  send that succeeded is remembered: a refused one stores nothing, as with Stripe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import User
from mailslot.accounts.service import Account, username_key
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from mailslot.messages.models import IdempotencyKey, Message
from mailslot.messages.store import store_for
from mailslot.messages.views import VIEW_COLUMNS, MessageView, view_of

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# How long a retry waits for the first attempt's transaction before answering 409.
IN_FLIGHT_WAIT_MS = 200
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout expired


def fingerprint(request: dict[str, Any]) -> bytes:
    """SHA-256 of a request's meaning, in canonical JSON."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).digest()


async def send_once(
    db: AsyncSession,
    *,
    sender: Account,
    key: str | None,
    request: dict[str, Any],
    send: Callable[[], Awaitable[MessageView]],
    now: datetime | None = None,
) -> tuple[MessageView, bool]:
    """Run `send` unless this sender's key already holds a message: returns the message
    and whether it is a replay. Raises IdempotencyKeyReused (422) when the key was used
    for another `request`, IdempotencyKeyInFlight (409) while the first attempt runs.
    Without a key, simply sends."""
    if key is None:
        return await send(), False
    now = now or utcnow()
    request_fingerprint = fingerprint(request)
    if await _claim(db, sender=sender, key=key, request_fingerprint=request_fingerprint, now=now):
        view = await send()
        await db.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.user_id == sender.id, IdempotencyKey.key == key)
            .values(message_id=view.id)
        )
        return view, False
    row = (
        await db.execute(
            select(IdempotencyKey.fingerprint, IdempotencyKey.message_id).where(
                IdempotencyKey.user_id == sender.id, IdempotencyKey.key == key
            )
        )
    ).one()
    if row.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different request; use a new key."
        )
    if row.message_id is None:  # claimed and committed without a message: never expected
        raise _in_flight()
    return await _sent_view(db, sender=sender, message_id=row.message_id), True


async def is_kept(db: Reader, *, sender: Account, key: str, now: datetime | None = None) -> bool:
    """Whether a committed send holds the sender's key: send_once will replay it (or
    refuse a different request), not send. The pre-send hook is asked only otherwise."""
    now = now or utcnow()
    kept = await db.scalar(
        select(IdempotencyKey.message_id).where(
            IdempotencyKey.user_id == sender.id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at >= now - KEY_TTL,
        )
    )
    return kept is not None


async def _claim(
    db: AsyncSession, *, sender: Account, key: str, request_fingerprint: bytes, now: datetime
) -> bool:
    """Claim the key for this request, atomically: a fresh insert, or the takeover of
    an expired key. False when a live key (committed, or in flight) holds it."""
    store = store_for(db)
    claim = (
        store.insert(IdempotencyKey)
        .values(
            user_id=sender.id,
            key=key,
            fingerprint=request_fingerprint,
            message_id=None,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyKey.key)
    )
    takeover = (
        update(IdempotencyKey)
        .where(
            IdempotencyKey.user_id == sender.id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < now - KEY_TTL,
        )
        .values(fingerprint=request_fingerprint, message_id=None, created_at=now)
        .returning(IdempotencyKey.key)
    )
    # The insert waits for a concurrent claim of the same key to commit or roll back;
    # bound the wait so a retry of a request still in flight gets its 409.
    await store.bound_lock_wait(db, IN_FLIGHT_WAIT_MS)
    try:
        claimed = await db.scalar(claim) is not None or await db.scalar(takeover) is not None
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise _in_flight() from None
        raise
    await store.unbound_lock_wait(db)
    return claimed


def _in_flight() -> IdempotencyKeyInFlight:
    return IdempotencyKeyInFlight(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        headers={"Retry-After": "1"},
    )


async def _sent_view(db: AsyncSession, *, sender: Account, message_id: int) -> MessageView:
    """The message as its send answered it, even if deleted since: a replay repeats
    the first answer."""
    row = (
        await db.execute(
            select(*VIEW_COLUMNS)
            .join(User, User.id == Message.sender_id)
            .where(Message.id == message_id, Message.sender_id == sender.id)
        )
    ).one()
    mine = username_key(sender.username)
    to_self = any(username_key(name) == mine for name in row.receiver_names)
    return view_of(row, is_receiver=to_self, read_at=None)


async def purge_keys(db: AsyncSession, *, now: datetime, limit: int) -> int:
    """Erase up to `limit` keys older than KEY_TTL; returns how many."""
    batch = (
        select(IdempotencyKey.user_id, IdempotencyKey.key)
        .where(IdempotencyKey.created_at < now - KEY_TTL)
        .order_by(IdempotencyKey.created_at)
        .limit(limit)
    )
    result = await db.execute(
        delete(IdempotencyKey)
        .where(tuple_(IdempotencyKey.user_id, IdempotencyKey.key).in_(batch))
        .returning(IdempotencyKey.key)
    )
    return len(result.all())


async def remember_outcomes(
    db: AsyncSession, *, sender: Account, key: str, outcomes: list[list[str]]
) -> None:
    """Keep a server send's answer per recipient with its key, for replays to repeat."""
    await db.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == sender.id, IdempotencyKey.key == key)
        .values(outcomes=outcomes)
    )


async def remembered_outcomes(db: AsyncSession, *, sender: Account, key: str) -> list[list[str]]:
    """What remember_outcomes kept for the key (none for a key of a user's own send)."""
    found = await db.scalar(
        select(IdempotencyKey.outcomes).where(
            IdempotencyKey.user_id == sender.id, IdempotencyKey.key == key
        )
    )
    return found or []
