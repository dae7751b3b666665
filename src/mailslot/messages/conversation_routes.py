"""Lists for a conversation view: your threads, one row each, and the people you write
with (for a recipient field that completes names)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from mailslot.accounts.deps import CurrentUser, require_self
from mailslot.deps import Reads
from mailslot.messages import conversations
from mailslot.messages.cursor import encode_cursor
from mailslot.messages.routes import DEFAULT_PAGE_SIZE, Cursor, PageSize, below
from mailslot.messages.schemas import (
    ContactList,
    ContextRef,
    MessageRead,
    Person,
    ThreadList,
    ThreadSummary,
    context_read,
)
from mailslot.openapi import problems

router = APIRouter(tags=["messages"], responses=problems(503))
MAX_PREFIX = 100


def summary(found: conversations.Conversation) -> ThreadSummary:
    latest = MessageRead.of(found.latest)
    names = [latest.sender, *latest.receivers]
    shown = [latest.sender_display_name, *latest.receiver_display_names]
    seen: set[str] = set()
    people = []
    for name, display_name in zip(names, shown, strict=True):
        if name.casefold() not in seen:
            seen.add(name.casefold())
            people.append(Person(username=name, display_name=display_name))
    return ThreadSummary(
        thread_id=latest.thread_id,
        subject=latest.subject,
        context=context_read(found.latest.context),
        participants=people,
        count=found.count,
        unread=found.unread,
        latest=latest,
    )


@router.get("/users/{username}/threads", responses=problems(400, 401, 403, 422))
async def list_threads(
    username: str,
    user: CurrentUser,
    reads: Reads,
    per_page: Annotated[PageSize, Query()] = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
    context: Annotated[ContextRef | None, Query(description="About this context ref.")] = None,
) -> ThreadList:
    """Your conversations: each thread once (received or sent, not in the trash), the one
    with the newest message first, with its latest message, its participants, how many
    of its messages you see and how many are unread. `context` keeps the threads about
    that ref."""
    require_self(user, username)
    async with reads.connect() as db:
        found, more = await conversations.list_conversations(
            db, viewer=user, below_id=below(cursor), limit=per_page, context_ref=context
        )
    return ThreadList(
        threads=[summary(item) for item in found],
        next_cursor=encode_cursor(found[-1].latest.id) if more else None,
        per_page=per_page,
    )


@router.get("/users/{username}/contacts", responses=problems(401, 403, 422))
async def list_contacts(
    username: str,
    user: CurrentUser,
    reads: Reads,
    prefix: Annotated[
        str,
        Query(
            max_length=MAX_PREFIX,
            description="Keep those whose username, or a word of whose display name, "
            "begins with this (regardless of case).",
        ),
    ] = "",
) -> ContactList:
    """People you received mail from or sent mail to lately (among your newest 1000
    messages of each kind), the most recent first, up to 20: what a recipient field
    offers as you type."""
    require_self(user, username)
    async with reads.connect() as db:
        found = await conversations.list_contacts(db, viewer=user, prefix=prefix.strip())
    return ContactList(
        contacts=[Person(username=c.username, display_name=c.display_name) for c in found]
    )
