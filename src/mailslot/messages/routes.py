"""The native messages API: send, list, read, mark, delete, count."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from mailslot.accounts.deps import CurrentUser, require_self
from mailslot.deps import AppSettings, DbSession, Limits
from mailslot.errors import InvalidParameter, problems
from mailslot.messages import service
from mailslot.messages.cursor import decode_cursor, encode_cursor
from mailslot.messages.schemas import (
    BulkResult,
    Flag,
    MessageCreate,
    MessagePage,
    MessageRead,
    MessagesUpdate,
    MessageUpdate,
    Unquoted,
    UnreadCount,
)
from mailslot.messages.service import MessageView
from mailslot.ratelimit import Budget

router = APIRouter(tags=["messages"])

MessageId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE), Unquoted]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE), Unquoted]


def message_read(view: MessageView) -> MessageRead:
    return MessageRead(
        id=view.id,
        sender=view.sender,
        receiver=view.receivers[0],
        receivers=view.receivers,
        subject=view.subject,
        message=view.body,
        created_at=view.created_at,
        read=view.read,
        read_at=view.read_at,
        thread_id=view.thread_id,
        reply_to=view.reply_to_id,
    )


@router.post(
    "/users/{username}/messages", status_code=201, responses=problems(401, 403, 413, 422, 429)
)
async def post_message(
    username: str,
    body: MessageCreate,
    user: CurrentUser,
    db: DbSession,
    limits: Limits,
    settings: AppSettings,
) -> MessageRead:
    """Send a message to one receiver (`receiver`) or to several (`receivers`, up to 100).
    Every receiver must be registered: a 422 `unknown_receiver` names those that are not.
    Sending is budgeted per sender (429 with `Retry-After`)."""
    require_self(user, username)
    await limits.spend(
        "send", str(user.id), Budget.parse(settings.limit_send_user), what="messages sent"
    )
    view = await service.send_message(
        db, sender=user, receivers=body.receiver_list(), subject=body.subject, text=body.message
    )
    await db.commit()
    return message_read(view)


@router.get("/users/{username}/messages", responses=problems(400, 401, 403, 422))
async def list_messages(
    username: str,
    user: CurrentUser,
    db: DbSession,
    box: Annotated[Literal["inbox", "sent"], Query(description="Which mailbox.")] = "inbox",
    unread: Annotated[
        Flag | None,
        Query(description='Inbox only: `true` unread, `false` read (`"true"` works too).'),
    ] = None,
    page: Annotated[PageNumber | None, Query()] = None,
    per_page: Annotated[PageSize, Query()] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
    ] = None,
) -> MessagePage:
    """A page of your inbox (received) or sent box, newest first. Page with `cursor`
    (constant cost at any depth) or with `page` numbers (seed B)."""
    require_self(user, username)
    if cursor is not None and page is not None:
        raise InvalidParameter("Page with either 'cursor' or 'page', not both.")
    if box == "sent" and unread is not None:
        raise InvalidParameter("The 'unread' filter applies to the inbox only.")
    below_id = None
    if cursor is not None:
        try:
            below_id = decode_cursor(cursor)
        except ValueError:
            raise InvalidParameter("The cursor is not one this service gave out.") from None
    offset = ((page or 1) - 1) * per_page
    views, more = await service.list_messages(
        db, viewer=user, box=box, unread=unread, below_id=below_id, offset=offset, limit=per_page
    )
    return MessagePage(
        messages=[message_read(view) for view in views],
        next_cursor=encode_cursor(views[-1].id) if more else None,
        per_page=per_page,
        page=page if cursor is None else None,
    )


@router.get("/users/{username}/messages/{message_id}", responses=problems(401, 403, 404, 422))
async def get_message(
    username: str,
    message_id: MessageId,
    user: CurrentUser,
    db: DbSession,
    mark_read: Annotated[Flag, Query(description="`false` peeks without marking read.")] = True,
) -> MessageRead:
    """One message. Reading a message you received marks it read."""
    require_self(user, username)
    view = await service.get_message(db, viewer=user, message_id=message_id, mark_read=mark_read)
    await db.commit()
    return message_read(view)


@router.patch(
    "/users/{username}/messages/{message_id}", responses=problems(401, 403, 404, 413, 422)
)
async def patch_message(
    username: str, message_id: MessageId, body: MessageUpdate, user: CurrentUser, db: DbSession
) -> MessageRead:
    """Mark a received message read or unread (`{"read": true}`; `"true"` works too)."""
    require_self(user, username)
    view = await service.mark_read(db, viewer=user, message_id=message_id, read=body.read)
    await db.commit()
    return message_read(view)


@router.patch("/users/{username}/messages", responses=problems(401, 403, 413, 422))
async def patch_messages(
    username: str, body: MessagesUpdate, user: CurrentUser, db: DbSession
) -> BulkResult:
    """Mark many received messages read or unread: the listed `ids` (up to 1000) or, with
    `all: true`, the whole inbox. The answer says what changed and which ids were not found."""
    require_self(user, username)
    changed, not_found = await service.mark_many(db, viewer=user, ids=body.ids, read=body.read)
    await db.commit()
    return BulkResult(
        updated_count=len(changed),
        updated=changed if body.ids is not None else [],
        not_found=not_found,
    )


@router.delete(
    "/users/{username}/messages/{message_id}", status_code=204, responses=problems(401, 403, 404)
)
async def delete_message(
    username: str, message_id: MessageId, user: CurrentUser, db: DbSession
) -> Response:
    """Delete a message. Its sender deletes it for every receiver; a receiver removes it
    from their own inbox only."""
    require_self(user, username)
    await service.delete_message(db, viewer=user, message_id=message_id)
    await db.commit()
    return Response(status_code=204)


@router.get("/users/{username}/unread", responses=problems(401, 403))
async def get_unread(username: str, user: CurrentUser, db: DbSession) -> UnreadCount:
    """How many messages of your inbox are unread, for badges."""
    require_self(user, username)
    return UnreadCount(unread=await service.count_unread(db, viewer=user))
