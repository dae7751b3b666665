"""Reading any mailbox with a server key (`mailbox:read`), each read audited, and the
audit trail itself (`audit:read`).

Each read writes its record first, in a transaction of its own (audit.service), then
reads: the same page as the user's own list (messages.routes.mailbox_page: its query,
checks and cursors), or one message as its sender sees it with each receiver's copy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot.accounts.schemas import ExternalId
from mailslot.audit import service as audit
from mailslot.audit.routes import read_records
from mailslot.audit.schemas import AuditPage, AuditQuery, AuditRecord
from mailslot.deps import Reads, Sessions, query_model, query_parameters
from mailslot.errors import MessageNotFound, UserNotFound
from mailslot.logs import audit as log_audit
from mailslot.messages import deliveries
from mailslot.messages.routes import ListQuery, MessageId, mailbox_page
from mailslot.messages.schemas import MessagePage, MessageRead
from mailslot.openapi import problems
from mailslot.serverapi.deps import AuditReader, MailboxReader

router = APIRouter(tags=["server"], responses=problems(503))


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # from a deliveries.DeliveryState

    username: str
    external_id: str | None = Field(description="Your id for the receiver; null if none.")
    display_name: str | None
    read_at: datetime | None = Field(description="When the receiver read it; null: unread.")
    box: Literal["inbox", "trash"] | None = Field(
        description="Where the receiver's copy is; null: they deleted it for good."
    )


class ServerMessageRead(MessageRead):
    deliveries: list[DeliveryRead] = Field(
        description="Each receiver's copy, in the order of `receivers`."
    )


async def record_read(
    sessions: async_sessionmaker[AsyncSession],
    *,
    key_id: int,
    operation: str,
    external_id: str,
    query: dict[str, Any],
    action: str = "mailbox.read",
) -> audit.Mailbox:
    """Record the key's read of the user's mailbox, in a transaction of its own, and log
    `action` on the audit stream: the mailbox to read. 404 `user_not_found` for an
    external id no user has (nothing recorded)."""
    async with sessions() as db:
        mailbox = await audit.record_mailbox_read(
            db, key_id=key_id, operation=operation, external_id=external_id, query=query
        )
        await db.commit()
    if mailbox is None:
        raise UserNotFound(f"There is no user with the external id {external_id!r}.")
    log_audit(action, user_id=mailbox.id)
    return mailbox


@router.get(
    "/server/users/{external_id}/messages",
    responses=problems(400, 401, 403, 404, 422, 429),
    openapi_extra=query_parameters(ListQuery),
)
async def list_server_user_messages(
    external_id: Annotated[ExternalId, Path()],
    key: MailboxReader,
    reads: Reads,
    sessions: Sessions,
    query: Annotated[ListQuery, Depends(query_model(ListQuery))],
) -> MessagePage:
    """A page of the user's inbox, sent box or trash, exactly as the user's own list
    (`GET /users/{username}/messages`) answers it: the same filters, paging and cursors.
    Every read is recorded in the audit trail (`GET /server/audit`) before it is made;
    a query refused (400, 422) is not a read. 404 `user_not_found` for an external id no
    user has."""

    async def audited() -> audit.Mailbox:
        asked = query.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return await record_read(
            sessions,
            key_id=key.key_id,
            operation="list_server_user_messages",
            external_id=external_id,
            query=asked,
        )

    return await mailbox_page(reads, query, audited)


@router.get("/server/messages/{message_id}", responses=problems(401, 403, 404, 422, 429))
async def get_server_message(
    message_id: MessageId, key: MailboxReader, reads: Reads, sessions: Sessions
) -> ServerMessageRead:
    """One message as its sender sees it, with each receiver's copy (read or not, in
    their inbox or trash). Recorded in the audit trail, in its sender's mailbox and in
    each receiver's, before it is read. 404 `message_not_found` for a message that does
    not exist or that its sender deleted for everyone."""
    async with sessions() as db:
        found = await audit.record_message_read(
            db, key_id=key.key_id, operation="get_server_message", message_id=message_id
        )
        await db.commit()
    if not found:
        raise MessageNotFound(f"There is no message {message_id}.")
    log_audit("message.read", message_id=message_id)
    async with reads.connect() as db:
        view, states = await deliveries.get_sent_message(db, message_id)
    return ServerMessageRead(
        **MessageRead.of(view).model_dump(),
        deliveries=[DeliveryRead.model_validate(state) for state in states],
    )


@router.get(
    "/server/audit",
    responses=problems(400, 401, 403, 422, 429),
    openapi_extra=query_parameters(AuditQuery),
)
async def list_server_audit(
    key: AuditReader,
    reads: Reads,
    query: Annotated[AuditQuery, Depends(query_model(AuditQuery))],
) -> AuditPage:
    """The audit trail: every read of a mailbox under /server, by any key, newest first;
    of one user's mailbox with `user` (your id for them) or `username`, read in
    [`since`, `until`). A message read is a record in its sender's mailbox and one in each
    receiver's."""
    records, next_cursor = await read_records(
        reads, query, external_id=query.user, username=query.username
    )
    return AuditPage(
        records=[AuditRecord.model_validate(record) for record in records],
        next_cursor=next_cursor,
    )
