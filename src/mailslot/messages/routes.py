"""The native messages API: send, list, search, read, mark, delete, restore, count, threads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, BeforeValidator, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.accounts.deps import CurrentUser, require_self
from mailslot.accounts.schemas import Username
from mailslot.accounts.service import Account
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.deps import (
    DbSession,
    Reads,
    RequestBudgets,
    Sessions,
    State,
    query_model,
    query_parameters,
)
from mailslot.errors import InvalidParameter, ThreadNotFound
from mailslot.messages import changes, idempotency, search, service, threads, trash
from mailslot.messages.context import context_key
from mailslot.messages.cursor import decode_cursor, encode_cursor
from mailslot.messages.schemas import (
    BulkResult,
    ChangeEvent,
    ChangePage,
    ContextRef,
    Flag,
    Id,
    Instant,
    MessageCreate,
    MessagePage,
    MessageRead,
    MessagesUpdate,
    MessageUpdate,
    ThreadPage,
    ThreadUnread,
    Unquoted,
    UnreadCount,
    context_read,
    unquote,
)
from mailslot.messages.service import Viewer
from mailslot.messages.views import MessageView
from mailslot.openapi import JSON_BODY, problems
from mailslot.webhooks.sendhook import Outgoing, SendHook

# Every route here reaches the database, which may be unavailable (503).
router = APIRouter(tags=["messages"], responses=problems(503))

MessageId = Annotated[Id, Path()]
ThreadId = Annotated[Id, Path()]
# RFC 8941 writes the key as a quoted string; the bare form is accepted too.
IdempotencyKey = Annotated[
    str | None,
    BeforeValidator(lambda value: unquote(value) if isinstance(value, str) else value),
    StringConstraints(min_length=1, max_length=idempotency.MAX_KEY_LENGTH),
    Header(
        alias="Idempotency-Key",
        description="Up to 255 characters: a retry with the same key and body returns "
        "the first answer (with `Idempotent-Replayed: true`) instead of sending again.",
    ),
]
REPLAYED_HEADER = "Idempotent-Replayed"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE), Unquoted]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE), Unquoted]
Cursor = Annotated[
    str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
]


def thread_counts(views: list[MessageView]) -> list[ThreadUnread]:
    """Each thread of the page once, in order of first appearance, with the unread count
    its views carry (list_messages(thread_unread=True))."""
    counts = {view.thread_id: view.thread_unread or 0 for view in views}
    return [ThreadUnread(thread_id=thread, unread=unread) for thread, unread in counts.items()]


def below(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError:
        raise InvalidParameter("The cursor is not one this service gave out.") from None


@router.post(
    "/users/{username}/messages",
    status_code=201,
    responses=problems(401, 403, 409, 429, *JSON_BODY),
)
async def post_message(
    username: str,
    body: MessageCreate,
    user: CurrentUser,
    sessions: Sessions,
    budgets: RequestBudgets,
    state: State,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> MessageRead:
    """Send a message to one receiver (`receiver`) or to several (`receivers`, up to 100).
    Every receiver must be registered: a 422 `unknown_receiver` names those that are not.

    With `reply_to`, the message joins that message's thread; naming no receiver, it goes
    to the other participants of that message. With an `Idempotency-Key`, a retry returns
    the first answer; the key of another request gets 422, a retry while the first is still
    running 409. Sending is budgeted per sender (429 with `Retry-After`).

    `context` says what the message is about (a reply carries its thread's: another is a
    422 `context_mismatch`). A `context_token` minted by the host sends to the token's
    participants under its context; a forged, altered or expired token, or one that does
    not name you, is a 403 `invalid_context`. A reply to a message of the platform
    (sender `@system`) goes to the platform only, and only where the operator takes such
    replies: else a 403 `system_does_not_take_replies`.

    The host's messaging policy (PUT /server/policy/messaging) may refuse the message:
    403 `policy_denied`, `detail` naming the rule, nothing sent to anyone. Budgets against
    abuse (per receiver, for new accounts, for conversations started) answer 429 with
    `Retry-After`; a message that starts conversations with more users than
    MAILSLOT_LIMIT_FIRST_CONTACT allows at once is a 422.

    Where the operator set up a pre-send hook, the host may refuse the message (403
    `policy_denied`, its reason in `detail`) or change its subject and body; a 503
    `send_hook_unavailable` means the hook failed and the operator chose not to send
    unvetted messages."""
    require_self(user, username)
    await budgets.send(user.id)
    settings = state.settings
    subject, text = body.subject, body.message
    if state.send_hook is not None:
        vetted = await vet_send(state.send_hook, state.reads, user, body, idempotency_key, settings)
        subject, text = vetted or (subject, text)
    # The session as a context, not a dependency with cleanup: the hottest write skips
    # FastAPI's exit stack for it (Sessions).
    async with sessions() as db:
        gate = await state.policy.gate(db, state.limits)
        addressed = {
            "sender": user,
            "receivers": body.receiver_list(),
            "subject": subject,
            "text": text,
            "reply_to": body.reply_to,
            # Without a key the send is all this transaction writes: on PostgreSQL its
            # one statement commits itself (BEGIN and COMMIT cost a fifth of the send
            # rate, bench/README.md). With a key, the key's row commits with it.
            "alone": idempotency_key is None,
            "system_replies": settings.system_replies == "on",
            "gate": gate,
        }
        # The token is verified when the send runs, not on a replay: a retry of a send
        # that succeeded replays it even once the token has expired.
        send = (
            partial(threads.send_in_thread, db, context=body.context_value())
            if body.context_token is None
            else partial(
                threads.send_signed,
                db,
                token=body.context_token,
                key=context_key(settings.resolved_secret_key()),
                now=utcnow(),
            )
        )
        send = partial(send, **addressed)
        view, replayed = await idempotency.send_once(
            db, sender=user, key=idempotency_key, request=body.meaning(), send=send
        )
        await db.commit()
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return MessageRead.of(view)


# Seed B's server sent at the singular address (its README's plural one it never served),
# and its published client still does: the same send there, left out of the schema as
# seed A's single-slash aliases are (docs/seed-b.md).
router.add_api_route(
    "/users/{username}/message",
    post_message,
    methods=["POST"],
    status_code=201,
    include_in_schema=False,
)


async def vet_send(
    hook: SendHook,
    reads: AsyncEngine,
    user: Account,
    body: MessageCreate,
    key: str | None,
    settings: Settings,
) -> tuple[str, str] | None:
    """The subject and body the pre-send hook lets through (it raises PolicyDenied or
    SendHookUnavailable); None when the key replays a committed send, which was vetted
    then. The send is addressed on a read connection, given back before the hook is
    asked: no connection waits on the host."""
    async with reads.connect() as db:
        if key is not None and await idempotency.is_kept(db, sender=user, key=key):
            return None
        if body.context_token is None:
            to = await threads.address(
                db,
                sender=user,
                receivers=body.receiver_list(),
                reply_to=body.reply_to,
                context=body.context_value(),
            )
        else:
            to = await threads.address_signed(
                db,
                sender=user,
                token=body.context_token,
                key=context_key(settings.resolved_secret_key()),
                receivers=body.receiver_list(),
                reply_to=body.reply_to,
                now=utcnow(),
            )
    outgoing = Outgoing(
        door="api",
        sender=user.username,
        receivers=to.receivers,
        subject=to.subject_of(body.subject),
        body=body.message,
        context=to.context,
        reply_to=body.reply_to,
    )
    vetted = await hook.vet(outgoing)
    return vetted.subject, vetted.body


class ListQuery(BaseModel):
    """The query of a listing, read by deps.query_model."""

    box: Literal["inbox", "sent", "trash"] = Field("inbox", description="Which mailbox.")
    unread: Flag | None = Field(
        None, description='Inbox only: `true` unread, `false` read (`"true"` works too).'
    )
    page: PageNumber | None = None
    per_page: PageSize = DEFAULT_PAGE_SIZE
    cursor: str | None = Field(
        None, max_length=64, description="`next_cursor` of the previous page."
    )
    q: str | None = Field(
        None,
        max_length=search.MAX_QUERY_LENGTH,
        description='Full-text search of subject and body: words (all must match), "a '
        'phrase", `pref*` for a prefix.',
    )
    sender: Username | None = Field(None, alias="from", description="Sent by.")
    receiver: Username | None = Field(None, alias="to", description="Sent to.")
    after: Instant | None = Field(None, description="Sent after (ISO 8601; UTC).")
    before: Instant | None = Field(None, description="Sent before.")
    thread: Id | None = Field(None, description="In this thread.")
    context: ContextRef | None = Field(None, description="About this context ref.")


@router.get(
    "/users/{username}/messages",
    responses=problems(400, 401, 403, 422),
    openapi_extra=query_parameters(ListQuery),
)
async def list_messages(
    username: str,
    user: CurrentUser,
    reads: Reads,
    query: Annotated[ListQuery, Depends(query_model(ListQuery))],
) -> MessagePage:
    """A page of your inbox (received), sent box or trash, newest first, search results
    included. Every filter combines with the others and with paging. Page with `cursor`
    (constant cost at any depth) or with `page` numbers (seed B). `threads` gives the
    unread count of each thread on the page."""
    require_self(user, username)
    return await mailbox_page(reads, query, user)


async def mailbox_page(
    reads: AsyncEngine, query: ListQuery, user: Viewer | Callable[[], Awaitable[Viewer]]
) -> MessagePage:
    """The page of a mailbox that `query` asks for: the user's own list and the server
    API's (serverapi/mailbox.py). `user` is whose mailbox, or a function that names it,
    called once the query has passed every check, before the mailbox is read (the server
    API writes its audit record there; it takes a connection of its own, so it is called
    before this one takes one)."""
    if query.cursor is not None and query.page is not None:
        raise InvalidParameter("Page with either 'cursor' or 'page', not both.")
    if query.box == "sent" and query.unread is not None:
        raise InvalidParameter("The 'unread' filter applies to the inbox only.")
    below_id = below(query.cursor)
    offset = ((query.page or 1) - 1) * query.per_page
    if callable(user):
        search.search_terms(query.q)  # the only check make_filter makes
        user = await user()
    async with reads.connect() as db:
        filters = await search.make_filter(
            db,
            q=query.q,
            sender=query.sender,
            receiver=query.receiver,
            after=query.after,
            before=query.before,
            thread_id=query.thread,
            context_ref=query.context,
        )
        views, more = await service.list_messages(
            db,
            viewer=user,
            box=query.box,
            unread=query.unread,
            below_id=below_id,
            offset=offset,
            limit=query.per_page,
            filters=filters,
            thread_unread=True,
        )
    return MessagePage(
        messages=[MessageRead.of(view) for view in views],
        next_cursor=encode_cursor(views[-1].id) if more else None,
        per_page=query.per_page,
        page=query.page if query.cursor is None else None,
        threads=thread_counts(views),
    )


@router.get("/users/{username}/messages/{message_id}", responses=problems(401, 403, 404, 422))
async def get_message(
    username: str,
    message_id: MessageId,
    user: CurrentUser,
    reads: Reads,
    sessions: Sessions,
    mark_read: Annotated[Flag, Query(description="`false` peeks without marking read.")] = True,
) -> MessageRead:
    """One message. Reading a message you received marks it read, unless the token is
    read-only: its reads are peeks."""
    require_self(user, username)
    # Found on a read connection: a write transaction (on SQLite, the write lock) only
    # when there is something to mark.
    async with reads.connect() as db:
        view = await service.find_message(db, viewer=user, message_id=message_id)
    if mark_read and not view.read and not user.read_only:
        async with sessions() as session:
            view = await service.mark_opened(session, viewer=user, view=view, alone=True)
            await session.commit()
    return MessageRead.of(view)


@router.patch(
    "/users/{username}/messages/{message_id}", responses=problems(401, 403, 404, *JSON_BODY)
)
async def patch_message(
    username: str, message_id: MessageId, body: MessageUpdate, user: CurrentUser, db: DbSession
) -> MessageRead:
    """Mark a received message read or unread (`{"read": true}`; `"true"` works too)."""
    require_self(user, username)
    view = await service.mark_read(db, viewer=user, message_id=message_id, read=body.read)
    await db.commit()
    return MessageRead.of(view)


@router.patch("/users/{username}/messages", responses=problems(401, 403, *JSON_BODY))
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
    "/users/{username}/messages/{message_id}",
    status_code=204,
    responses=problems(401, 403, 404, 422),
)
async def delete_message(
    username: str,
    message_id: MessageId,
    user: CurrentUser,
    db: DbSession,
    permanent: Annotated[
        Flag, Query(description="`true`: delete for good, skipping the trash.")
    ] = False,
) -> Response:
    """Delete a message. Its sender deletes it for every receiver, for good (it leaves
    their trash too). A receiver moves it from their inbox to their trash (`box=trash`),
    from where it can be restored until purged; `permanent=true` removes their copy at once,
    from the inbox or the trash."""
    require_self(user, username)
    if permanent:
        await trash.delete_for_good(db, viewer=user, message_id=message_id)
    else:
        await service.delete_message(db, viewer=user, message_id=message_id)
    await db.commit()
    return Response(status_code=204)


@router.post(
    "/users/{username}/messages/{message_id}/restore", responses=problems(401, 403, 404, 422)
)
async def restore_message(
    username: str, message_id: MessageId, user: CurrentUser, db: DbSession
) -> MessageRead:
    """Move a message from your trash back to your inbox. 404 once it was purged, deleted
    for good, or deleted by its sender."""
    require_self(user, username)
    view = await trash.restore_message(db, viewer=user, message_id=message_id)
    await db.commit()
    return MessageRead.of(view)


@router.get("/users/{username}/threads/{thread_id}", responses=problems(400, 401, 403, 404, 422))
async def get_thread(
    username: str,
    thread_id: ThreadId,
    user: CurrentUser,
    reads: Reads,
    per_page: Annotated[PageSize, Query()] = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> ThreadPage:
    """What you can see of a thread, received and sent, newest first, with its unread
    count. A message's `thread_id` names its thread. 404 when you can see none of it."""
    require_self(user, username)
    below_id = below(cursor)
    async with reads.connect() as db:
        views, more = await threads.list_thread(
            db, viewer=user, thread_id=thread_id, below_id=below_id, limit=per_page
        )
        if not views and below_id is None:
            raise ThreadNotFound(f"There is no thread {thread_id} in your mailbox.")
        counts = await threads.unread_by_thread(db, viewer=user, thread_ids=[thread_id])
    return ThreadPage(
        thread_id=thread_id,
        unread=counts.get(thread_id, 0),
        context=context_read(views[0].context) if views else None,
        messages=[MessageRead.of(view) for view in views],
        next_cursor=encode_cursor(views[-1].id) if more else None,
        per_page=per_page,
    )


@router.get("/users/{username}/unread", responses=problems(401, 403))
async def get_unread(username: str, user: CurrentUser, reads: Reads) -> UnreadCount:
    """How many messages of your inbox are unread, for badges."""
    require_self(user, username)
    async with reads.connect() as db:
        return UnreadCount(unread=await service.count_unread(db, viewer=user))


# The change log is read by live clients: documented with the live routes ("live").
changes_router = APIRouter(tags=["live"], responses=problems(503))
MAX_CHANGES_PAGE = 1000


@changes_router.get("/users/{username}/changes", responses=problems(401, 403, 410, 422))
async def list_changes(
    username: str,
    user: CurrentUser,
    db: DbSession,
    since: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="The last sequence number you have.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGES_PAGE)] = 100,
) -> ChangePage:
    """The changes to your mailbox after `since`, oldest first: messages received and
    sent (`message.created`), read or unread (`message.updated`), deleted
    (`message.deleted`). Continue from the last `id` until it equals `latest`. A 410
    `resync_required` means the changes after `since` are no longer all kept: reload the
    mailbox, then continue from `latest`."""
    require_self(user, username)
    page = await changes.list_changes(db, user_id=user.id, since=since, limit=limit)
    return ChangePage(
        changes=[ChangeEvent.model_validate(event.envelope()) for event in page.events],
        latest=page.latest,
    )
