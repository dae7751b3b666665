"""Threads: replies, who a reply goes to, a thread as one user sees it, unread per thread.

A message starts a thread whose id is its own id; a reply (`reply_to`) joins the thread
of the message it answers. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import service as accounts
from mailslot.accounts.service import Account, username_key
from mailslot.accounts.system import is_system
from mailslot.db.engine import Reader, dialect_name
from mailslot.errors import (
    ContextMismatch,
    InvalidContext,
    MessageNotFound,
    ReplyToNotFound,
    UnknownReceiver,
    Unprocessable,
)
from mailslot.messages import expiry, service
from mailslot.messages.context import Context, verify_context
from mailslot.messages.models import Delivery, Message
from mailslot.messages.pages import received_page, sent_page
from mailslot.messages.search import MessageFilter
from mailslot.messages.views import MessageView, view_of
from mailslot.policy.gate import Gate, Thread


def reply_receivers(original: MessageView, replier: str) -> list[str]:
    """Who a reply goes to when it names nobody: every other participant of the message
    it answers (its sender, then its receivers, each once). A reply to a note to
    oneself goes back to oneself."""
    mine = username_key(replier)
    seen = {mine}
    others = []
    for name in (original.sender, *original.receivers):
        if username_key(name) not in seen:
            seen.add(username_key(name))
            others.append(name)
    return others or [replier]


@dataclass(frozen=True, slots=True)
class Addressed:
    """Where a send goes: its receivers and context, and for a reply its thread."""

    receivers: list[str]
    context: Context | None
    thread_id: int | None = None
    reply_to_id: int | None = None
    # A reply's: the username keys of the sender and receivers of the message it answers.
    participants: frozenset[str] = frozenset()
    # What a send that gives no subject takes: a reply, the subject of the message it
    # answers; a message with a context, the context's ref.
    subject: str | None = None

    @property
    def thread(self) -> Thread | None:
        """The thread as the messaging policy asks about it (policy/gate.py)."""
        if self.thread_id is None:
            return None
        return Thread(self.thread_id, self.participants)

    def subject_of(self, given: str | None) -> str:
        """The subject of the send; raises Unprocessable where it needs one."""
        subject = given or self.subject
        if subject is None:
            raise Unprocessable(
                "A message needs a subject, unless it is a reply or has a context.",
                errors=[{"pointer": "/body/subject", "detail": "Field required"}],
            )
        return subject


async def address(
    db: Reader,
    *,
    sender: Account,
    receivers: list[str],
    reply_to: int | None,
    context: Context | None = None,
) -> Addressed:
    """The receivers and context of a send (send_in_thread's rules, which it raises);
    only reads, so a door may address a send before its transaction (the pre-send hook
    is shown the receivers of a reply that names none)."""
    if reply_to is None:
        return Addressed(receivers, context, subject=None if context is None else context.ref)
    try:
        original = await service.find_message(db, viewer=sender, message_id=reply_to)
    except MessageNotFound:
        raise ReplyToNotFound(
            f"There is no message {reply_to} in your mailbox to reply to.",
            errors=[{"pointer": "/body/reply_to", "detail": "no such message in your mailbox"}],
        ) from None
    if original.context is not None and original.context.signed and receivers:
        _require_participants(original, receivers)
    if context is not None and not _repeats(context, original.context):
        raise _not_the_threads(reply_to, context, original.context)
    if not receivers:
        receivers = (
            [original.sender]
            if is_system(original.sender)
            else reply_receivers(original, sender.username)
        )
    participants = frozenset(username_key(name) for name in (original.sender, *original.receivers))
    return Addressed(
        receivers,
        original.context,
        original.thread_id,
        original.id,
        participants,
        subject=original.subject,
    )


async def send_in_thread(
    db: AsyncSession,
    *,
    sender: Account,
    receivers: list[str],
    subject: str | None,
    text: str,
    reply_to: int | None,
    context: Context | None = None,
    alone: bool = False,
    system_replies: bool = False,
    gate: Gate | None = None,
) -> MessageView:
    """Send a message; with `reply_to`, as a reply in that message's thread, by default
    (no `receivers`) to the other participants. Raises ReplyToNotFound (422) when the
    sender cannot see `reply_to`, whether it exists or not. With a `gate`, the send must
    pass the messaging policy and the abuse budgets first (policy/gate.py: 403
    policy_denied, 429).

    A reply to the system account's message goes, by default, to the system alone (never
    to everyone a platform notice reached), and only with `system_replies`
    (MAILSLOT_SYSTEM_REPLIES=on): else SystemTakesNoReplies (403).

    A reply carries the context of the message it answers, so every message of a thread
    has the same. It may repeat that context, or its ref alone; any other raises
    ContextMismatch (422).

    Without a subject, a reply takes the subject of the message it answers and a message
    with a context its ref; any other raises Unprocessable (422)."""
    to = await address(db, sender=sender, receivers=receivers, reply_to=reply_to, context=context)
    if gate is not None:
        await gate.check(db, sender=sender, receivers=to.receivers, thread=to.thread)
    return await service.send_message(
        db,
        sender=sender,
        receivers=to.receivers,
        subject=to.subject_of(subject),
        text=text,
        thread_id=to.thread_id,
        reply_to_id=to.reply_to_id,
        context=to.context,
        alone=alone,
        to_system=system_replies and reply_to is not None,
    )


def _require_participants(original: MessageView, receivers: list[str]) -> None:
    """A reply under a signed context stays among the participants of the message it
    answers: the token chose them, and the ref must not reach anyone else."""
    allowed = {username_key(name) for name in (original.sender, *original.receivers)}
    _only_among(allowed, receivers, "the message you answer")


def _only_among(allowed: set[str], receivers: list[str], whose: str) -> None:
    outside = [name for name in receivers if username_key(name) not in allowed]
    if outside:
        raise ContextMismatch(
            f"Under a signed context only the participants of {whose} can receive: "
            + ", ".join(repr(name) for name in outside)
            + (" is not one." if len(outside) == 1 else " are not."),
            errors=[
                {"pointer": "/body/receivers", "detail": f"not a participant: {name!r}"}
                for name in outside
            ],
        )


def _not_the_threads(reply_to: int, given: Context, thread: Context | None) -> ContextMismatch:
    if thread is None:
        why = f"Message {reply_to} is in a thread without context"
    elif given.ref != thread.ref:
        why = f"Message {reply_to} is in a thread about {thread.ref!r}, not {given.ref!r}"
    else:
        why = f"The thread of message {reply_to} is about {thread.ref!r} with other data"
    return ContextMismatch(
        f"{why}: a reply carries its thread's context (give it, its ref alone, or none).",
        errors=[{"pointer": "/body/context", "detail": "not the context of the thread"}],
    )


def _repeats(given: Context, thread: Context | None) -> bool:
    """Whether a reply's context is its thread's: the same ref, and the same data if any."""
    if thread is None or given.ref != thread.ref:
        return False
    return given.data is None or given.data == thread.data


async def send_signed(
    db: AsyncSession,
    *,
    sender: Account,
    token: str,
    key: bytes,
    receivers: list[str],
    subject: str | None,
    text: str,
    reply_to: int | None,
    now: datetime,
    alone: bool = False,
    system_replies: bool = False,
    gate: Gate | None = None,
) -> MessageView:
    """Send under a signed context token: to the token's participants other than the
    sender (or to `receivers`, if given, who must all be participants), with its context.
    Raises InvalidContext (403) for a token that is forged, altered, expired or does not
    name the sender, ContextMismatch (422) for a receiver who is not a participant, and
    UnknownReceiver (422) for a participant no longer registered."""
    to, context = await _signed(db, sender, token, key, receivers, now)
    return await send_in_thread(
        db,
        sender=sender,
        receivers=to,
        subject=subject,
        text=text,
        reply_to=reply_to,
        context=context,
        alone=alone,
        system_replies=system_replies,
        gate=gate,
    )


async def address_signed(
    db: Reader,
    *,
    sender: Account,
    token: str,
    key: bytes,
    receivers: list[str],
    reply_to: int | None,
    now: datetime,
) -> Addressed:
    """`address` for a send under a context token (send_signed's rules, which it raises)."""
    to, context = await _signed(db, sender, token, key, receivers, now)
    return await address(db, sender=sender, receivers=to, reply_to=reply_to, context=context)


async def _signed(
    db: Reader, sender: Account, token: str, key: bytes, receivers: list[str], now: datetime
) -> tuple[list[str], Context]:
    """The receivers and context of a send under a context token."""
    signed = verify_context(token, key=key, now=now)
    if sender.id not in signed.participants:
        raise InvalidContext("The context token does not name you among its participants.")
    names = await accounts.usernames_by_id(db, list(signed.participants))
    if len(names) < len(signed.participants):
        gone = [str(user_id) for user_id in signed.participants if user_id not in names]
        raise UnknownReceiver(
            "The context token names users who are no longer registered (ids "
            + ", ".join(gone)
            + ")."
        )
    _only_among({username_key(name) for name in names.values()}, receivers, "the token")
    others = [names[user_id] for user_id in signed.participants if user_id != sender.id]
    return receivers or others or [sender.username], signed.context


async def list_thread(
    db: Reader, *, viewer: Account, thread_id: int, below_id: int | None, limit: int
) -> tuple[list[MessageView], bool]:
    """What the viewer can see of a thread (received and not deleted, or sent and not
    deleted), newest first, and whether more follow. Two index range scans of at most
    `limit + 1` rows each, merged: the cost does not grow with the mailbox or the thread."""
    in_thread = MessageFilter(dialect=dialect_name(db), thread_id=thread_id)
    params: dict[str, Any] = {}
    retained = expiry.with_cutoff(db, params)
    received = received_page(
        "inbox", viewer.id, None, below_id, 0, limit + 1, filters=in_thread, retained=retained
    )
    sent = sent_page(viewer.id, below_id, 0, limit + 1, filters=in_thread, retained=retained)
    views: dict[int, MessageView] = {}
    for row in (await db.execute(sent, params)).all():
        views[row.id] = view_of(row, is_receiver=False, read_at=None)
    # A message to oneself is in both: the received side carries its read state.
    for row in (await db.execute(received, params)).all():
        views[row.id] = view_of(row, is_receiver=True, read_at=row.read_at)
    ordered = sorted(views.values(), key=lambda view: view.id, reverse=True)
    return ordered[:limit], len(ordered) > limit


_UNREAD_BY_THREAD = (
    select(Delivery.thread_id, func.count())
    .where(
        Delivery.receiver_id == bindparam("viewer_id"),
        Delivery.deleted_at.is_(None),
        Delivery.read_at.is_(None),
        Delivery.thread_id.in_(bindparam("thread_ids", expanding=True)),
    )
    .group_by(Delivery.thread_id)
)


async def unread_by_thread(
    db: Reader, *, viewer: Account, thread_ids: Iterable[int]
) -> dict[int, int]:
    """Unread inbox messages per thread, for the given threads (those without are left
    out). Counts over the per-thread unread index: the cost is the unread count."""
    wanted = sorted(set(thread_ids))
    if not wanted:
        return {}
    params: dict[str, Any] = {"viewer_id": viewer.id, "thread_ids": wanted}
    query = _UNREAD_BY_THREAD
    if expiry.with_cutoff(db, params):
        query = query.join(Message, Message.id == Delivery.message_id).where(expiry.kept())
    rows = await db.execute(query, params)
    return {row[0]: row[1] for row in rows}
