"""Conversations as one user sees them: each thread once, by its latest message, with its
unread count (list_conversations); and the people the user exchanged mail with, for a
recipient field that completes names (list_contacts). Both are one statement each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, String, and_, bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from mailslot.accounts.models import User
from mailslot.accounts.service import Account
from mailslot.db.engine import Reader
from mailslot.messages.models import Delivery, Message
from mailslot.messages.pages import OnlyOne
from mailslot.messages.views import VIEW_COLUMNS, MessageView, view_of

# How many of the newest messages, received and sent, list_contacts looks through: its
# cost stays that of two bounded index range scans, whatever the mailbox holds.
CONTACT_SCAN = 1000
MAX_CONTACTS = 20


@dataclass(frozen=True, slots=True)
class Conversation:
    """A thread as the viewer sees it: its latest message, how many of its messages the
    viewer can see, and how many of those are unread in their inbox."""

    latest: MessageView
    count: int
    unread: int


@dataclass(frozen=True, slots=True)
class Contact:
    username: str
    display_name: str | None


def _in_mailbox(context_ref: str | None) -> Subquery:
    """(thread_id, message_id) of every message in the viewer's inbox or sent box, about
    `context_ref` if given: the inbox index and the sent index, each a range scan."""
    viewer = bindparam("viewer_id", type_=BigInteger)
    received = select(
        Delivery.thread_id.label("thread_id"), Delivery.message_id.label("message_id")
    ).where(Delivery.receiver_id == viewer, Delivery.deleted_at.is_(None))
    sent = select(
        func.coalesce(Message.thread_id, Message.id).label("thread_id"),
        Message.id.label("message_id"),
    ).where(Message.sender_id == OnlyOne(viewer), Message.deleted_by_sender_at.is_(None))
    if context_ref is not None:
        ref = bindparam("context_ref", context_ref, type_=String)
        received = received.where(Delivery.context_ref == ref)
        sent = sent.where(Message.context_ref == ref)
    return union_all(received, sent).subquery("mine")


async def list_conversations(
    db: Reader,
    *,
    viewer: Account,
    below_id: int | None,
    limit: int,
    context_ref: str | None = None,
) -> tuple[list[Conversation], bool]:
    """The viewer's threads (inbox and sent box, not the trash), the one with the newest
    message first, and whether more follow; `below_id` continues below a latest message
    id. One statement: the threads are grouped from the two mailbox indexes, the page
    cut, then only its rows joined to their latest message and counted for unread (a
    range scan of ix_delivery_thread_unread each). The grouping reads the whole mailbox
    (the cost grows with it, as a count does)."""
    mine = _in_mailbox(context_ref)
    last_id = func.max(mine.c.message_id)
    threads = (
        select(
            mine.c.thread_id,
            last_id.label("last_id"),
            func.count(func.distinct(mine.c.message_id)).label("total"),
        )
        .group_by(mine.c.thread_id)
        .order_by(last_id.desc())
        .limit(limit + 1)
    )
    if below_id is not None:
        threads = threads.having(last_id < bindparam("below_id", below_id))
    page = threads.subquery("page")
    unread = (
        select(func.count())
        .where(
            Delivery.receiver_id == bindparam("viewer_id"),
            Delivery.thread_id == page.c.thread_id,
            Delivery.deleted_at.is_(None),
            Delivery.read_at.is_(None),
        )
        .scalar_subquery()
    )
    received = aliased(Delivery, name="received")
    query = (
        select(
            *VIEW_COLUMNS,
            page.c.total,
            unread.label("unread"),
            received.receiver_id.label("received_by"),
            received.read_at,
        )
        .select_from(page)
        .join(Message, Message.id == page.c.last_id)
        .join(User, User.id == Message.sender_id)
        .outerjoin(
            received,
            and_(
                received.message_id == Message.id,
                received.receiver_id == bindparam("viewer_id"),
            ),
        )
        .order_by(page.c.last_id.desc())
    )
    rows = (await db.execute(query, {"viewer_id": viewer.id})).all()
    found = [
        Conversation(
            latest=view_of(row, is_receiver=row.received_by is not None, read_at=row.read_at),
            count=row.total,
            unread=row.unread,
        )
        for row in rows
    ]
    return found[:limit], len(found) > limit


def _like_prefix(text: str) -> str:
    """A LIKE pattern for what begins with `text` (its own % and _ taken literally)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def list_contacts(
    db: Reader, *, viewer: Account, prefix: str = "", limit: int = MAX_CONTACTS
) -> list[Contact]:
    """People the viewer received mail from or sent mail to, among their newest
    CONTACT_SCAN messages of each kind, most recent first; with `prefix`, those whose
    username or display name begins with it (regardless of case). Deactivated accounts
    are left out. One statement over two bounded index range scans."""
    viewer_id = bindparam("viewer_id", type_=BigInteger)
    inbox = (
        select(Delivery.message_id)
        .where(Delivery.receiver_id == viewer_id, Delivery.deleted_at.is_(None))
        .order_by(Delivery.message_id.desc())
        .limit(CONTACT_SCAN)
        .subquery("inbox")
    )
    outbox = (
        select(Message.id)
        .where(Message.sender_id == OnlyOne(viewer_id), Message.deleted_by_sender_at.is_(None))
        .order_by(Message.sender_id.desc(), Message.id.desc())
        .limit(CONTACT_SCAN)
        .subquery("outbox")
    )
    senders = (
        select(Message.sender_id.label("user_id"), Message.id.label("message_id"))
        .select_from(inbox)
        .join(Message, Message.id == inbox.c.message_id)
    )
    receivers = (
        select(Delivery.receiver_id.label("user_id"), Delivery.message_id.label("message_id"))
        .select_from(outbox)
        .join(Delivery, Delivery.message_id == outbox.c.id)
    )
    people = union_all(senders, receivers).subquery("people")
    last = func.max(people.c.message_id)
    query = (
        select(User.username, User.display_name, last.label("last_id"))
        .join(people, people.c.user_id == User.id)
        .where(User.id != viewer_id, User.deactivated_at.is_(None))
        .group_by(User.id, User.username, User.display_name)
        .order_by(last.desc(), User.username_key)
        .limit(limit)
    )
    if prefix:
        pattern = bindparam("pattern", _like_prefix(prefix.casefold()), type_=String)
        query = query.where(
            or_(
                User.username_key.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
                # Any word of the display name: "smi" finds "Jo Smith".
                func.lower(User.display_name).like(
                    literal("% ") + bindparam("word", _like_prefix(prefix.casefold())),
                    escape="\\",
                ),
            )
        )
    rows = await db.execute(query, {"viewer_id": viewer.id})
    return [Contact(row.username, row.display_name) for row in rows]
