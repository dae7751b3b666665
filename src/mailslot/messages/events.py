"""The change events of a mailbox and their payloads: message.created / updated / deleted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from mailslot.bus.events import EventType
from mailslot.messages.schemas import MessageRead
from mailslot.messages.store.base import Entry
from mailslot.messages.views import Box, MessageView

DeleteScope = Literal["everyone", "own"]


class MessageUpdated(BaseModel):
    """`message.updated`: the user's read state of a message changed."""

    id: int
    read: bool
    read_at: datetime | None


class MessageDeleted(BaseModel):
    """`message.deleted`: gone for everyone (its sender deleted it) or from this user's
    mailbox only."""

    id: int
    scope: DeleteScope


@dataclass(frozen=True, slots=True)
class NewChange(Entry):
    """A change to record: `stored` is what the log keeps, `data` what live streams get."""

    type: EventType
    data: dict[str, Any]


def message_data(view: MessageView, box: Box) -> dict[str, Any]:
    """A message exactly as the native API shows it to that user, plus its box."""
    # The API's own rendering, so events follow whatever it shows.
    return {**MessageRead.of(view).model_dump(mode="json"), "box": box}


def message_created(
    user_id: int, view: MessageView, box: Box, *, restored: bool = False
) -> NewChange:
    """A message as its receiver (box inbox) or its sender (box sent) sees it when sent,
    or (restored from the trash) as it comes back, read state and all. The log keeps the
    box, that read state and whether it was restored: the message is read from its row
    when replayed."""
    read_at = view.read_at if restored else None
    shown = replace(view, is_receiver=box == "inbox", read_at=read_at)
    stored: dict[str, Any] = {"box": box}
    if read_at is not None:
        stored["read_at"] = read_at.isoformat()
    if restored:  # not a new message: no webhook (Entry.hook); the log shows it the same
        stored["restored"] = True
    return NewChange(user_id, "message.created", view.id, stored, message_data(shown, box))


def message_updated(user_id: int, message_id: int, read_at: datetime | None) -> NewChange:
    data = MessageUpdated(id=message_id, read=read_at is not None, read_at=read_at).model_dump(
        mode="json"
    )
    return NewChange(user_id, "message.updated", message_id, data, data)


def message_deleted(user_id: int, message_id: int, scope: DeleteScope) -> NewChange:
    data = MessageDeleted(id=message_id, scope=scope).model_dump(mode="json")
    return NewChange(user_id, "message.deleted", message_id, data, data)
