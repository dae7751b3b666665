"""A message as one user sees it (MessageView), the columns every statement that reads
one selects (VIEW_COLUMNS), and the view of such a row (view_of)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func

from mailslot.accounts.models import User
from mailslot.messages.context import Context
from mailslot.messages.models import Message

Box = Literal["inbox", "sent", "trash"]


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message as one user sees it: `is_receiver` and `read_at` are from their side."""

    id: int
    sender: str
    receivers: list[str]
    subject: str
    body: str
    created_at: datetime
    client_timestamp: str | None
    thread_id: int
    reply_to_id: int | None
    is_receiver: bool
    read_at: datetime | None
    # The viewer's unread inbox messages in this thread, where the listing counted them
    # (list_messages(thread_unread=True)).
    thread_unread: int | None = None
    context: Context | None = None

    @property
    def read(self) -> bool:
        return self.read_at is not None or not self.is_receiver


VIEW_COLUMNS = (
    Message.id,
    User.username.label("sender"),
    Message.receiver_names,
    Message.subject,
    Message.body,
    Message.created_at,
    Message.client_timestamp,
    func.coalesce(Message.thread_id, Message.id).label("thread_id"),
    Message.reply_to_id,
    Message.context_ref,
    Message.context_data,
    Message.context_signed,
)


def view_of(
    row: Any, *, is_receiver: bool, read_at: datetime | None, thread_unread: int | None = None
) -> MessageView:
    """The view of a row that holds VIEW_COLUMNS, from the side of the user the caller
    names (`is_receiver`, `read_at`)."""
    return MessageView(
        id=row.id,
        sender=row.sender,
        receivers=row.receiver_names,
        subject=row.subject,
        body=row.body,
        created_at=row.created_at,
        client_timestamp=row.client_timestamp,
        thread_id=row.thread_id,
        reply_to_id=row.reply_to_id,
        is_receiver=is_receiver,
        read_at=read_at,
        thread_unread=thread_unread,
        context=None
        if row.context_ref is None
        else Context(row.context_ref, row.context_data, signed=bool(row.context_signed)),
    )
