"""Seed A's request and response bodies, with its field names."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from mailslot.accounts.schemas import Input, Username
from mailslot.compat.timestamps import EXAMPLE, parse_rfc1123
from mailslot.messages.schemas import Body, Id, Subject


def _rfc1123(value: str) -> str:
    parse_rfc1123(value)
    return value  # kept exactly as the client wrote it


Timestamp = Annotated[
    str,
    Field(max_length=64, examples=[EXAMPLE], description="An RFC 1123 date, kept as written."),
    AfterValidator(_rfc1123),
]


class SeedAMessageBody(Input):
    """A message as seed A clients write it (`request=write`) and name it for deletion
    (`request=delete`)."""

    message: Body
    receiver: Username
    sender: Username = Field(description="Must be the user of the query string.")
    subject: Subject
    timestamp: Timestamp | None = None
    id: Id | None = Field(
        default=None,
        description="`delete` only: the `id` an answer gave, to name one of identical messages.",
    )


class SeedAMessage(BaseModel):
    id: int
    sender: str
    receiver: str = Field(description="You, for a message you received; else its first receiver.")
    subject: str
    message: str
    timestamp: str = Field(
        description="The client's timestamp as written; for a message sent without one (for "
        "example through the native API), the server's time in RFC 1123 form."
    )


class SeedASession(BaseModel):
    username: str
    logged_in: bool = Field(description="Whether a seed A session is started.")


class SeedADeletion(BaseModel):
    deleted: SeedAMessage
    deleted_for: Literal["everyone", "you"] = Field(
        description="`everyone` when you sent it; `you` when you received it (your inbox only)."
    )
