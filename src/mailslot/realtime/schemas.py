"""Change-log and stream-ticket response bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ChangeEvent(BaseModel):
    """The envelope of every change, in the change log and on SSE and WebSocket streams."""

    type: Literal["message.created", "message.updated", "message.deleted"]
    id: int = Field(description="The user's change sequence number: resume after it.")
    data: dict[str, Any] = Field(
        description="`message.created`: the message as the messages API shows it to you, "
        'plus `box` (`"inbox"` or `"sent"`). `message.updated`: `{id, read, read_at}`. '
        '`message.deleted`: `{id, scope}`, scope `"everyone"` (its sender deleted it) or '
        '`"own"` (you removed it from your mailbox).'
    )


class ChangePage(BaseModel):
    changes: list[ChangeEvent]
    latest: int = Field(description="Your newest sequence number.")


class StreamTicketRead(BaseModel):
    ticket: str = Field(description="Pass as `?ticket=` to /events or /ws, once.")
    expires_in: int = Field(description="Seconds the ticket stays valid.")
