"""The statements of a mailbox page: cut from the box's own index first, then joined
(received_page for the inbox and the trash, sent_page; box_page picks one), each with its threads' unread
counts if asked (with_thread_unread), and the common unfiltered pages built once per
shape (unfiltered_page). Every value is a bind parameter: `viewer_id`, `below_id`,
`page_offset`; the ids given here are only their defaults."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from sqlalchemy import BigInteger, ColumnElement, bindparam, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.visitors import InternalTraversal

from mailslot.accounts.models import User
from mailslot.db.direct import DirectQuery
from mailslot.messages.expiry import kept
from mailslot.messages.models import Delivery, Message
from mailslot.messages.search import MessageFilter, apply_filters
from mailslot.messages.views import VIEW_COLUMNS, Box


def bounded(page: Select[*tuple[Any, ...]], offset: int, limit: int) -> Select[*tuple[Any, ...]]:
    """The page's LIMIT, written into the statement, and its OFFSET, if any, a bind
    parameter (`page_offset`). Knowing how many rows a page returns, PostgreSQL settles
    on one plan for every execution of the prepared statement (a generic plan, all
    parameters unknown) once it costs no more than planning each time. To its estimate
    a `LIMIT $n` returns a tenth of the mailbox, so a list planned every time it ran:
    0.25 ms of the database's CPU against a 0.15 ms execution."""
    page = page.limit(literal_column(str(int(limit)), BigInteger))
    return page.offset(bindparam("page_offset", offset)) if offset else page


# What keeps a delivery in the receiver's inbox, or in their trash. A message its sender
# has since deleted for everyone is gone from the trash too.
_KEPT_IN: dict[str, tuple[ColumnElement[bool], ...]] = {
    "inbox": (Delivery.deleted_at.is_(None),),
    "trash": (Delivery.trashed_at.is_not(None), Message.deleted_by_sender_at.is_(None)),
}


def received_page(
    box: Literal["inbox", "trash"],
    viewer_id: int,
    unread: bool | None,
    below_id: int | None,
    offset: int,
    limit: int,
    *,
    filters: MessageFilter | None = None,
    ids_only: bool = False,
    retained: bool = False,
) -> Select[*tuple[Any, ...]]:
    """The page is cut from the inbox (or trash) index first and only its rows are joined,
    so the plan is a bounded index range scan whatever the planner knows of the mailbox.
    The result is unordered: the caller orders the page. `ids_only`: the cut's message
    ids alone, as `id`. `retained`: without what retention hides (expiry.kept, at the
    bind parameter `kept_after`)."""
    page = (
        select(Delivery.message_id, Delivery.read_at)
        .where(Delivery.receiver_id == bindparam("viewer_id", viewer_id), *_KEPT_IN[box])
        .order_by(Delivery.message_id.desc())
    )
    page = bounded(page, offset, limit)
    if retained or box == "trash" or (filters is not None and filters.touches_message):
        page = page.join(Message, Message.id == Delivery.message_id)
    if retained:
        page = page.where(kept())
    if filters is not None:
        page = apply_filters(page, filters, box=box)
    if unread is True:
        page = page.where(Delivery.read_at.is_(None))
    elif unread is False:
        page = page.where(Delivery.read_at.is_not(None))
    if below_id is not None:
        page = page.where(Delivery.message_id < bindparam("below_id", below_id))
    cut = page.subquery("page")
    if ids_only:
        return select(cut.c.message_id.label("id"))
    return (
        select(*VIEW_COLUMNS, cut.c.read_at)
        .select_from(cut)
        .join(Message, Message.id == cut.c.message_id)
        .join(User, User.id == Message.sender_id)
    )


class OnlyOne(ColumnElement[int]):
    """A value compared with `= ANY(ARRAY[value])` on PostgreSQL (plain `= value`
    elsewhere). A plain equality makes the sent box's `sender_id` a constant to the
    planner, so message id order alone satisfies `ORDER BY sender_id, id`, and the primary
    key offered it: for a large, quiet sent box it walked back through every newer message
    of everyone else (4.5 ms against 0.01 at 10^6; tests/messages/test_plans.py). Written
    so, only ix_message_sent and ix_message_sent_thread give that order."""

    inherit_cache = True
    type = BigInteger()
    _traverse_internals = [("value", InternalTraversal.dp_clauseelement)]  # noqa: RUF012 (SQLAlchemy declares it so)

    def __init__(self, value: ColumnElement[Any]) -> None:
        self.value = value


@compiles(OnlyOne)
def _only_one(element: OnlyOne, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.value, **kw))


@compiles(OnlyOne, "postgresql")
def _only_one_of_array(element: OnlyOne, compiler: Any, **kw: Any) -> str:
    return f"ANY(ARRAY[{compiler.process(element.value, **kw)}])"


def sent_page(
    viewer_id: int,
    below_id: int | None,
    offset: int,
    limit: int,
    *,
    filters: MessageFilter | None = None,
    ids_only: bool = False,
    retained: bool = False,
) -> Select[*tuple[Any, ...]]:
    page = (
        select(Message.id)
        .where(
            Message.sender_id == OnlyOne(bindparam("viewer_id", viewer_id, type_=BigInteger)),
            Message.deleted_by_sender_at.is_(None),
            *([kept()] if retained else []),
        )
        .order_by(Message.sender_id.desc(), Message.id.desc())
    )
    page = bounded(page, offset, limit)
    if filters is not None:
        page = apply_filters(page, filters, box="sent")
    if below_id is not None:
        page = page.where(Message.id < bindparam("below_id", below_id))
    cut = page.subquery("page")
    if ids_only:
        return select(cut.c.id)
    return (
        select(*VIEW_COLUMNS)
        .select_from(cut)
        .join(Message, Message.id == cut.c.id)
        .join(User, User.id == Message.sender_id)
    )


def box_page(
    box: Box,
    viewer_id: int,
    unread: bool | None,
    below_id: int | None,
    offset: int,
    limit: int,
    filters: MessageFilter | None,
    *,
    ids_only: bool = False,
    retained: bool = False,
) -> Select[*tuple[Any, ...]]:
    if box != "sent":
        return received_page(
            box,
            viewer_id,
            unread,
            below_id,
            offset,
            limit,
            filters=filters,
            ids_only=ids_only,
            retained=retained,
        )
    return sent_page(
        viewer_id, below_id, offset, limit, filters=filters, ids_only=ids_only, retained=retained
    )


def with_thread_unread(
    page: Select[*tuple[Any, ...]], *, retained: bool = False
) -> Select[*tuple[Any, ...]]:
    """The page's rows, each with the viewer's unread inbox count in its thread. Each
    distinct thread of the page is counted once, however many of its rows share it, by a
    range scan of ix_delivery_thread_unread: the cost is that thread's unread count.
    `retained`: what retention hides is not counted."""
    # MATERIALIZED (PostgreSQL 12+, SQLite 3.35+): each part runs once and is kept. Inlined,
    # SQLite can flatten the counts into the join and PostgreSQL rescan them in a nested
    # loop: once per row again.
    listed = page.cte("listed").prefix_with("MATERIALIZED")
    counted = select(func.count()).select_from(Delivery)
    if retained:
        counted = counted.join(Message, Message.id == Delivery.message_id).where(kept())
    unread = counted.where(
        Delivery.receiver_id == bindparam("viewer_id"),
        Delivery.thread_id == listed.c.thread_id,
        Delivery.deleted_at.is_(None),
        Delivery.read_at.is_(None),
    ).scalar_subquery()
    threads = (
        select(listed.c.thread_id, unread.label("thread_unread"))
        .group_by(listed.c.thread_id)  # the count runs per group: once per thread
        .cte("threads")
        .prefix_with("MATERIALIZED")
    )
    return select(listed, threads.c.thread_unread).join(
        threads, threads.c.thread_id == listed.c.thread_id
    )


@dataclass(frozen=True, slots=True)
class PageShape:
    """What a page without search or filters is built from: its box, its unread filter,
    whether it continues below an id (keyset) or skips rows (`numbered`, seed B's page
    numbers), its row count (up to 101) and whether it counts its threads' unread."""

    box: Box
    unread: bool | None
    keyset: bool
    numbered: bool
    limit: int
    thread_unread: bool
    retained: bool = False  # without what retention hides (expiry.kept)


@cache
def unfiltered_page(shape: PageShape) -> DirectQuery:
    """Pages without search or filters, the common case, are built once per shape and
    run on the driver: building a statement, or running it through SQLAlchemy, costs
    more CPU than the statement itself. Its values, the viewer's id first, are bind
    parameters given at execution (see `bounded` for the row count and the offset)."""
    below_id = 0 if shape.keyset else None
    page = box_page(
        shape.box,
        0,
        shape.unread,
        below_id,
        int(shape.numbered),
        shape.limit,
        None,
        retained=shape.retained,
    )
    if shape.thread_unread:
        page = with_thread_unread(page, retained=shape.retained)
    return DirectQuery(page)
