"""The audit trail's queries and pages: the server API's (`GET /server/audit`) and a user's
own access log (`GET /users/{username}/access-log`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from mailslot.accounts.schemas import ExternalId, Username
from mailslot.messages.schemas import Instant, Unquoted

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT), Unquoted]


class AccessLogQuery(BaseModel):
    """The query of a listing of the trail, read by deps.query_model."""

    since: Instant | None = Field(None, description="Read at or after (ISO 8601; UTC).")
    until: Instant | None = Field(None, description="Read before.")
    limit: Limit = Field(DEFAULT_LIMIT, description=f"Records per page, at most {MAX_LIMIT}.")
    cursor: str | None = Field(
        None, max_length=64, description="`next_cursor` of the previous page."
    )


class AuditQuery(AccessLogQuery):
    user: ExternalId | None = Field(None, description="Reads of this user's mailbox: your id.")
    username: Username | None = Field(None, description="Reads of this user's mailbox.")


class AuditRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # from an audit.service.ReadRecord

    id: int
    read_at: datetime
    key_id: int
    key_name: str = Field(description="The server key that read (`mailslot keys list`).")
    external_id: str | None = Field(description="Whose mailbox: your id for the user.")
    username: str
    operation: str = Field(
        description="What was read: `list_server_user_messages` (a page of the mailbox, "
        "`query`) or `get_server_message` (`message_id`)."
    )
    message_id: int | None
    query: dict[str, Any] | None = Field(description="The listing's parameters as given.")


class AuditPage(BaseModel):
    records: list[AuditRecord] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class AccessLogEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # from an audit.service.ReadRecord

    read_at: datetime
    key_name: str = Field(description="The name of the host's server key that read.")
    operation: str = Field(
        description="`list_server_user_messages` (a page of your mailbox) or "
        "`get_server_message` (one message, `message_id`)."
    )
    message_id: int | None


class AccessLogPage(BaseModel):
    entries: list[AccessLogEntry] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
