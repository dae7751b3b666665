"""The server API's messages: sending as a user or as the platform, and the platform's
own mailbox (issue 18)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncEngine

from mailslot.accounts.schemas import ExternalId, Input
from mailslot.accounts.service import SYSTEM_USERNAME
from mailslot.accounts.system import find_system_account
from mailslot.deps import Reads, Sessions, State, query_model, query_parameters
from mailslot.messages import idempotency, sendas, service
from mailslot.messages.cursor import encode_cursor
from mailslot.messages.routes import (
    DEFAULT_PAGE_SIZE,
    REPLAYED_HEADER,
    IdempotencyKey,
    PageSize,
    below,
    thread_counts,
)
from mailslot.messages.schemas import (
    Body,
    ContextCreate,
    Id,
    MessagePage,
    MessageRead,
    Subject,
)
from mailslot.messages.views import MessageView
from mailslot.openapi import JSON_BODY, problems
from mailslot.serverapi.deps import MailboxReader, SenderAs
from mailslot.webhooks.sendhook import Outgoing, SendHook

router = APIRouter(tags=["server"], responses=problems(503))


class ServerMessageCreate(Input):
    """A message from a user (their external id) or from the platform (`"system"`)."""

    sender: ExternalId = Field(
        alias="from",
        description='The sender\'s external id, or `"system"`: the platform, shown under '
        "MAILSLOT_SYSTEM_DISPLAY_NAME.",
    )
    to: Annotated[list[ExternalId], Field(min_length=1, max_length=sendas.MAX_RECIPIENTS)] = Field(
        description="Recipients' external ids, up to 1,000; repeats count once."
    )
    subject: Subject
    message: Body
    context: ContextCreate | None = Field(
        None, description="What the message is about; a reply carries its thread's."
    )
    reply_to: Id | None = Field(
        None, description="The id of a message in the sender's mailbox this answers."
    )

    def meaning(self) -> dict[str, Any]:
        """What a retry must repeat for its Idempotency-Key to replay."""
        return {
            "server": True,
            "from": self.sender,
            "to": list(dict.fromkeys(self.to)),
            "subject": self.subject,
            "message": self.message,
            "reply_to": self.reply_to,
            **({"context": self.context.model_dump()} if self.context is not None else {}),
        }


class Delivery(BaseModel):
    to: str = Field(description="The recipient's external id, as given.")
    status: sendas.Status = Field(
        description="`delivered`; `unknown_user`: no user has this external id; "
        "`deactivated`: the user is deactivated; `policy_denied`: the messaging policy "
        "refuses this sender's message to this recipient; `blocked`: the user blocks the "
        "sender, and was not sent the message; `withheld`: the sender is shadow-banned, so "
        "nobody was. The sender is never told of the last two."
    )


class ServerMessageSent(BaseModel):
    message: MessageRead = Field(description="The message, as its sender sees it.")
    deliveries: list[Delivery] = Field(description="Each recipient once, in `to`'s order.")


@router.post(
    "/server/messages", status_code=201, responses=problems(401, 403, 404, 409, 429, *JSON_BODY)
)
async def post_server_message(
    body: ServerMessageCreate,
    key: SenderAs,
    sessions: Sessions,
    state: State,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ServerMessageSent:
    """Send one message as a user or as the platform to up to 1,000 users, by external
    id. Each recipient who can receive it gets it; the answer says, per recipient,
    `delivered`, `unknown_user`, `deactivated`, `policy_denied` (the messaging policy
    refuses a user's message to them; the platform's passes it), or `blocked` for a
    recipient who blocks the sender and `withheld` for every one while the sender is
    shadow-banned (the message is stored as sent, and reaches none of those two). When
    none can: 422 `no_recipient_can_receive`, or 403 `policy_denied` when the policy
    refused every one who could receive; nothing stored. An unknown sender: 404
    `user_not_found`; a deactivated one: 403 `account_deactivated`; a suspended one: 403
    `account_suspended`.

    With an `Idempotency-Key` a retry repeats the first answer (`Idempotent-Replayed:
    true`); keys belong to the sender. A reply (`reply_to`) joins that message's thread
    and carries its context.

    Where the operator set up a pre-send hook, it is asked about a user's message (and
    about the platform's only with MAILSLOT_SEND_HOOK_SYSTEM on): it may refuse it (403
    `policy_denied`) or change its subject and body; 503 `send_hook_unavailable` when it
    failed and the operator chose not to send unvetted messages."""
    settings = state.settings
    subject, text = body.subject, body.message
    hook = state.send_hook
    if hook is not None and (body.sender != sendas.SYSTEM or settings.send_hook_system):
        vetted = await vet_send_as(hook, state.reads, body, idempotency_key)
        subject, text = vetted or (subject, text)
    async with sessions() as db:
        # The policy applies to a user's message (the platform's passes it); the budgets
        # against abuse are users' own: the key has its budget.
        gate = await state.policy.gate(db, None)
        sent = await sendas.send_as(
            db,
            sender=body.sender,
            to=body.to,
            subject=subject,
            text=text,
            context=None if body.context is None else body.context.value(),
            reply_to=body.reply_to,
            key=idempotency_key,
            request=body.meaning(),
            display_name=settings.system_display_name,
            memory=state.host_ids,
            gate=gate,
        )
        await db.commit()
    if sent.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return ServerMessageSent(
        message=MessageRead.of(sent.message),
        deliveries=[Delivery(to=o.to, status=o.status) for o in sent.outcomes],
    )


async def vet_send_as(
    hook: SendHook, reads: AsyncEngine, body: ServerMessageCreate, key: str | None
) -> tuple[str, str] | None:
    """The subject and body the pre-send hook lets through (it raises PolicyDenied or
    SendHookUnavailable); None when the key replays a committed send. Addressed on a read
    connection given back before the hook is asked."""
    context = None if body.context is None else body.context.value()
    async with reads.connect() as db:
        account, to = await sendas.address(
            db, sender=body.sender, to=body.to, context=context, reply_to=body.reply_to
        )
        if (
            key is not None
            and account is not None
            and await idempotency.is_kept(db, sender=account, key=key)
        ):
            return None
    vetted = await hook.vet(
        Outgoing(
            door="server",
            sender=SYSTEM_USERNAME if account is None else account.username,
            receivers=to.receivers,
            subject=body.subject,
            body=body.message,
            context=to.context,
            reply_to=body.reply_to,
        )
    )
    return vetted.subject, vetted.body


class SystemListQuery(BaseModel):
    """The query of the system mailbox's listing, read by deps.query_model."""

    box: Literal["inbox", "sent"] = Field(
        "inbox", description="`inbox`: replies to the platform; `sent`: its messages."
    )
    per_page: PageSize = DEFAULT_PAGE_SIZE
    cursor: str | None = Field(
        None, max_length=64, description="`next_cursor` of the previous page."
    )


@router.get(
    "/server/system/messages",
    responses=problems(400, 401, 403, 422, 429),
    openapi_extra=query_parameters(SystemListQuery),
)
async def list_system_messages(
    key: MailboxReader,
    reads: Reads,
    query: Annotated[SystemListQuery, Depends(query_model(SystemListQuery))],
) -> MessagePage:
    """A page of the platform's mailbox, newest first: the replies users sent to its
    messages (with MAILSLOT_SYSTEM_REPLIES on), or what it sent. Empty until the platform
    first sends."""
    async with reads.connect() as db:
        system = await find_system_account(db)
        views: list[MessageView] = []
        more = False
        if system is not None:
            views, more = await service.list_messages(
                db,
                viewer=system,
                box=query.box,
                unread=None,
                below_id=below(query.cursor),
                offset=0,
                limit=query.per_page,
                thread_unread=True,
            )
    return MessagePage(
        messages=[MessageRead.of(view) for view in views],
        next_cursor=encode_cursor(views[-1].id) if more else None,
        per_page=query.per_page,
        page=None,
        threads=thread_counts(views),
    )
