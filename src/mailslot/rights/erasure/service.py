"""Erasing an account: each step of it, in the caller's transaction (run.py commits between
them). docs/erasure.md is the operator's account of what goes and what stays.

The order, and why:
1. `begin_erasure`: the ledger entry, and the account shut at once: every token and stream
   ticket revoked, sign-in impossible (no password), deactivated (no one can send to it),
   its streams told to end. Small, so the request that asks for it answers quickly and
   the token is dead on every instance before anything else happens.
2. `erase_traces` (one statement each): the user's webhook events, the rendered payloads
   of other users' events about their messages (rendered again at the next delivery, so
   they show the tombstone), the listing queries of audited reads of their mailbox. It
   finds what they received through their deliveries, so it comes before step 3.
3. `erase_received` in batches: the user's copies of what they received (inbox, trash,
   tombstones) go, and their username in each of those messages' receiver lists becomes
   the tombstone (receiver lists are copies of names, messages/models.py).
4. `erase_sent` in batches: in `pseudonymize` mode a message they sent stays while a
   receiver holds it (its sender is shown by the account row's name, which becomes the
   tombstone in step 6), and goes once none does; in `purge-sent` mode every message they
   sent goes, with a `message.deleted` change (scope `everyone`) for each receiver who
   still held it, as a sender's delete for everyone has.
5. `erase_log` in batches: their change log.
6. `finish_erasure`: the account row keeps only its id, its creation time and the
   tombstone name; the username is held; the ledger entry is marked finished. The name
   goes last because step 3 reads it.

Each batch is at most `batch` rows (BATCH, 1000: a purge's batch, messages/purge.py), so
a mailbox of 100,000 messages is some 200 short transactions, none holding SQLite's write
lock or a PostgreSQL snapshot for long. Every step is idempotent: an erasure interrupted
anywhere is finished by running it again from its ledger entry (run.py, and `mailslot
restore`, which re-applies the ledger).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import bindparam, delete, exists, func, or_, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.accounts.models import AccessToken, User
from mailslot.accounts.service import NO_PASSWORD, TOMBSTONE_PREFIX, username_key
from mailslot.accounts.system import SYSTEM_KEY
from mailslot.audit.models import MailboxRead
from mailslot.db.base import utcnow
from mailslot.errors import UserNotFound
from mailslot.exports import service as exports
from mailslot.messages import changes
from mailslot.messages.events import message_deleted
from mailslot.messages.models import Change, Delivery, IdempotencyKey, Message
from mailslot.rights.erasure.models import Erasure
from mailslot.safety.models import Block, Report
from mailslot.webhooks import outbox
from mailslot.webhooks.models import WebhookDelivery, WebhookEvent

Mode = Literal["pseudonymize", "purge-sent"]
MODES: tuple[str, ...] = get_args(Mode)
BATCH = 1000


def new_tombstone() -> str:
    """`deleted-user-` and 12 random hex digits: stable once given (kept in the ledger and
    on the account row), derived from nothing about the person."""
    return TOMBSTONE_PREFIX + secrets.token_hex(6)


async def find_erasure(db: AsyncSession, user_id: int) -> Erasure | None:
    """The ledger entry of the account with this id, if it is being or was erased."""
    return (
        await db.scalars(
            select(Erasure)
            .join(User, User.id == Erasure.user_id)
            .where(Erasure.user_id == user_id, Erasure.user_created_at == User.created_at)
            .order_by(Erasure.id.desc())
            .limit(1)
        )
    ).first()


async def begin_erasure(
    db: AsyncSession, *, user_id: int, mode: Mode, hold_days: int, now: datetime | None = None
) -> Erasure:
    """Write the ledger entry and shut the account (step 1). An account already being
    erased keeps its entry (and its mode): the erasure is resumed, not started twice.
    Raises UserNotFound for an unknown id, the system account and an account whose
    erasure has finished."""
    now = now or utcnow()
    row = (
        await db.execute(select(User.username_key, User.created_at).where(User.id == user_id))
    ).one_or_none()
    if row is None or row.username_key == SYSTEM_KEY:
        raise UserNotFound(f"There is no user with the id {user_id}.")
    entry = await find_erasure(db, user_id)
    if entry is not None and entry.finished_at is not None:
        raise UserNotFound(f"The user with the id {user_id} is erased already.")
    if entry is None:
        entry = Erasure(
            user_id=user_id,
            user_created_at=row.created_at,
            tombstone=new_tombstone(),
            mode=mode,
            requested_at=now,
            hold_until=now + timedelta(days=hold_days),
            counts={},
        )
        db.add(entry)
    revoked = await shut_account(db, user_id, now=now)
    entry.counts = {**entry.counts, "tokens": entry.counts.get("tokens", 0) + revoked}
    await db.flush()
    return entry


async def shut_account(db: AsyncSession, user_id: int, *, now: datetime) -> int:
    """Revoke every token (their stream tickets go with them) and idempotency key, remove
    the password, end the seed A session, deactivate; the user's streams end on every
    instance once `db` commits (the caller then has every instance forget the user's
    tokens). Returns how many tokens went."""
    tokens = await db.execute(
        delete(AccessToken).where(AccessToken.user_id == user_id).returning(AccessToken.user_id)
    )
    revoked = len(tokens.all())
    await db.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id))
    await db.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            password_hash=NO_PASSWORD,
            legacy_logged_in=False,
            legacy_session_digest=None,
            deactivated_at=func.coalesce(User.deactivated_at, now),
        )
    )
    accounts.end_sessions(db, user_id)
    return revoked


async def erase_received(db: AsyncSession, entry: Erasure, *, batch: int = BATCH) -> int:
    """Step 3, one batch: delete up to `batch` of the user's deliveries (whatever their
    state), lowest message id first, and put the tombstone in place of their username in
    those messages' receiver lists. Returns how many went (fewer than `batch`: done)."""
    user_id = entry.user_id
    name_key = await db.scalar(select(User.username_key).where(User.id == user_id))
    ids = (
        await db.scalars(
            select(Delivery.message_id)
            .where(Delivery.receiver_id == user_id)
            .order_by(Delivery.message_id)
            .limit(batch)
        )
    ).all()
    if not ids:
        return 0
    if name_key is not None and name_key != username_key(entry.tombstone):
        rows = (
            await db.execute(select(Message.id, Message.receiver_names).where(Message.id.in_(ids)))
        ).all()
        renamed = [
            {
                "mid": row.id,
                "names": [
                    entry.tombstone if username_key(name) == name_key else name
                    for name in row.receiver_names
                ],
            }
            for row in rows
        ]
        if renamed:
            await db.execute(
                update(Message.__table__)  # type: ignore[arg-type]
                .where(Message.__table__.c.id == bindparam("mid"))
                .values(receiver_names=bindparam("names")),
                renamed,
            )
    await db.execute(
        delete(Delivery).where(Delivery.receiver_id == user_id, Delivery.message_id.in_(ids))
    )
    return len(ids)


@dataclass
class SentBatch:
    seen: int  # messages of the user looked at (fewer than the batch: done)
    removed: int  # messages deleted
    kept: int  # messages left with their receivers (pseudonymize)
    last_id: int  # the highest id looked at: the next batch starts after it


async def erase_sent(
    db: AsyncSession, entry: Erasure, *, after: int, batch: int = BATCH
) -> SentBatch:
    """Step 4, one batch: the user's sent messages with an id above `after`, up to
    `batch` of them, lowest first. `pseudonymize` deletes those no receiver holds any
    more (in an inbox or a trash) and keeps the others; `purge-sent` deletes them all,
    recording `message.deleted` (scope everyone) for each receiver who held one, so their
    lists, change feeds, streams and webhooks say it went."""
    user_id = entry.user_id
    ids = (
        await db.scalars(
            select(Message.id)
            .where(Message.sender_id == user_id, Message.id > after)
            .order_by(Message.id)
            .limit(batch)
        )
    ).all()
    if not ids:
        return SentBatch(0, 0, 0, after)
    held = or_(Delivery.deleted_at.is_(None), Delivery.trashed_at.is_not(None))
    if entry.mode == "purge-sent":
        holders = (
            await db.execute(
                select(Delivery.receiver_id, Delivery.message_id)
                .where(Delivery.message_id.in_(ids), held, Delivery.receiver_id != user_id)
                .order_by(Delivery.message_id, Delivery.receiver_id)
            )
        ).all()
        removed = len(
            (
                await db.execute(delete(Message).where(Message.id.in_(ids)).returning(Message.id))
            ).all()
        )
        # Last in the transaction: record() takes the receivers' change-log locks.
        await changes.record(
            db, [message_deleted(receiver, message, "everyone") for receiver, message in holders]
        )
        return SentBatch(len(ids), removed, 0, ids[-1])
    unheld = ~exists().where(Delivery.message_id == Message.id, held)
    removed = len(
        (
            await db.execute(
                delete(Message).where(Message.id.in_(ids), unheld).returning(Message.id)
            )
        ).all()
    )
    return SentBatch(len(ids), removed, len(ids) - removed, ids[-1])


async def erase_log(db: AsyncSession, entry: Erasure, *, batch: int = BATCH) -> int:
    """Step 5, one batch: delete up to `batch` entries of the user's change log."""
    seqs = (
        await db.scalars(
            select(Change.seq)
            .where(Change.user_id == entry.user_id)
            .order_by(Change.seq)
            .limit(batch)
        )
    ).all()
    if seqs:
        await db.execute(
            delete(Change).where(Change.user_id == entry.user_id, Change.seq.in_(seqs))
        )
    return len(seqs)


async def erase_traces(db: AsyncSession, entry: Erasure) -> int:
    """Step 2: the user's own webhook events go (their mailbox's and `user.*`,
    with their deliveries); other users' events about a message the user sent or received
    lose their rendered payload, rendered again from the message at their next delivery
    (so with the tombstone, or `withdrawn` once the message went); the listing queries of
    the audited reads of their mailbox go (the records stay: key, operation, message id,
    time); their exports go, with their archives; their blocks (theirs and others' of
    them) and the reports they made go, and in `purge-sent` the reports about what they
    sent lose their copy of it. Call it before `erase_received`: it finds the messages
    they received through their deliveries. Returns how many webhook events went."""
    user_id = entry.user_id
    await exports.delete_user_exports(db, user_id)
    await db.execute(
        delete(Block).where(or_(Block.blocker_id == user_id, Block.blocked_id == user_id))
    )
    await db.execute(delete(Report).where(Report.reporter_id == user_id))
    if entry.mode == "purge-sent":
        await db.execute(
            update(Report).where(Report.sender_id == user_id).values(subject="", body="")
        )
    theirs = union(
        select(Delivery.message_id).where(Delivery.receiver_id == user_id),
        select(Message.id).where(Message.sender_id == user_id),
    )
    await db.execute(
        update(WebhookEvent)
        .where(WebhookEvent.data.is_not(None), WebhookEvent.message_id.in_(theirs))
        .values(data=None)
    )
    own_events = select(WebhookEvent.id).where(WebhookEvent.user_id == user_id)
    await outbox.delete_deliveries(db, WebhookDelivery.event_id.in_(own_events))
    events = await db.execute(
        delete(WebhookEvent).where(WebhookEvent.user_id == user_id).returning(WebhookEvent.id)
    )
    await db.execute(
        update(MailboxRead)
        .where(MailboxRead.user_id == user_id, MailboxRead.query.is_not(None))
        .values(query=None)
    )
    return len(events.all())


async def finish_erasure(
    db: AsyncSession, entry: Erasure, counts: dict[str, int], *, now: datetime | None = None
) -> Erasure:
    """Step 6: the account row keeps its id, its creation time and the tombstone as its
    name; email, display name, the host's external id and data go; the username is held
    until the entry's `hold_until` (when that is still ahead); the entry is finished."""
    now = now or utcnow()
    key = await db.scalar(select(User.username_key).where(User.id == entry.user_id))
    tombstone_key = username_key(entry.tombstone)
    if key is not None and key != tombstone_key and entry.hold_until > now:
        await accounts.hold_username(db, key, until=entry.hold_until)
    await db.execute(
        update(User)
        .where(User.id == entry.user_id)
        .values(
            username=entry.tombstone,
            username_key=tombstone_key,
            email=None,
            email_key=None,
            display_name=None,
            custom=None,
            groups=None,
            external_id=None,
            password_hash=NO_PASSWORD,
        )
    )
    entry.finished_at = now
    entry.counts = dict(counts)  # the run that finished it
    await db.flush()
    return entry
