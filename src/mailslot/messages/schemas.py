"""Message request and response bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    WithJsonSchema,
    model_validator,
)

from mailslot.accounts.schemas import Input, Username
from mailslot.messages.context import (
    MAX_DATA_BYTES,
    MAX_REF_LENGTH,
    REF_PATTERN,
    Context,
    check_data,
    check_ref,
)
from mailslot.messages.views import MessageView

MAX_RECEIVERS = 100
MAX_SUBJECT = 255
MAX_BODY = 65_536
MAX_BULK_IDS = 1000
# Every message and thread id a client names: a BIGINT column holds no larger one, and
# neither driver can even bind it (an OverflowError, not a miss). Bounded here, an
# out-of-range id is a 422 naming its field. `lt=2**63` rather than `le=2**63 - 1`:
# FastAPI writes a body's bounds into the OpenAPI document as floats, and 2**63 - 1 has
# no float (it rounds to 2**63, which the document would then allow).
Id = Annotated[int, Field(ge=1, lt=2**63)]


def unquote(value: Any) -> Any:
    """Seed B writes `unread="true"` and `{read: "true"}`: quoted and plain forms mean the same."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


# The forms a flag takes besides JSON booleans: seed B's quoted strings, query-string
# spellings (`True` is what Python's requests sends). Documented, and nothing else accepted.
TRUE_FORMS = ("true", "True", "1", '"true"')
FALSE_FORMS = ("false", "False", "0", '"false"')
FLAG_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "boolean"}, {"type": "string", "enum": [*TRUE_FORMS, *FALSE_FORMS]}]
}
TRUE_SCHEMA: dict[str, Any] = {"anyOf": [{"const": True}, {"type": "string", "enum": TRUE_FORMS}]}


def parse_flag(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in TRUE_FORMS:
        return True
    if value in FALSE_FORMS:
        return False
    raise ValueError("must be true or false")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _as_utc(value: datetime) -> datetime:
    """An instant in UTC; one without an offset is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


Flag = Annotated[bool, BeforeValidator(parse_flag), WithJsonSchema(FLAG_SCHEMA)]


def _whole(value: Any) -> Any:
    # JSON Schema counts 2035.0 as an integer, so the document promises it; true or "1"
    # are no integers, so the type stays strict.
    return int(value) if isinstance(value, float) and value.is_integer() else value


StrictId = Annotated[Id, Strict(), BeforeValidator(_whole)]


def _not_a_number(value: Any) -> Any:
    # pydantic reads numbers as Unix times; the schema (and the docs) say ISO 8601.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("an ISO 8601 date and time, such as 2026-11-21T09:30:00Z")
    return value


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
Instant = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]
# Last in an Annotated integer, after its Field bounds, so the schema still shows them.
Unquoted = BeforeValidator(unquote)


# Some character that is not white space, and no NUL anywhere (PostgreSQL cannot store it).
TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
Subject = Annotated[
    str,
    Field(min_length=1, max_length=MAX_SUBJECT, pattern=TEXT_PATTERN),
    AfterValidator(_not_blank),
]
Body = Annotated[
    str,
    Field(min_length=1, max_length=MAX_BODY, pattern=TEXT_PATTERN),
    AfterValidator(_not_blank),
]


ContextRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_REF_LENGTH,
        pattern=REF_PATTERN,
        description=f"1 to {MAX_REF_LENGTH} characters, no control characters, not "
        "beginning or ending with white space; `order:A-123`, say.",
    ),
    AfterValidator(check_ref),
]
ContextData = Annotated[
    dict[str, Any],
    AfterValidator(check_data),
    Field(description=f"A JSON object of at most {MAX_DATA_BYTES} bytes as compact JSON."),
]
# A context token carries at most 4 KiB of data and 101 user ids; this bounds the rest.
MAX_CONTEXT_TOKEN = 16_384


class ContextCreate(Input):
    """What a message is about."""

    ref: ContextRef
    data: ContextData | None = None

    def value(self) -> Context:
        return Context(self.ref, self.data)


class ContextRead(BaseModel):
    ref: str
    data: dict[str, Any] | None
    signed: bool = Field(
        description="Set by a host's context token: the sender could not choose the ref, "
        "the data or the receivers."
    )


class MessageCreate(Input):
    """Give `receiver` (seed B) or `receivers` (up to 100), not both. A reply
    (`reply_to`) may give neither: it goes to the other participants of the message
    it answers. So may a send with a `context_token`: it goes to the token's
    participants."""

    model_config = ConfigDict(
        json_schema_extra={
            "not": {
                "required": ["receiver", "receivers"],
                "properties": {"receiver": {"type": "string"}, "receivers": {"type": "array"}},
            },
            "anyOf": [
                {"required": ["receiver"], "properties": {"receiver": {"type": "string"}}},
                {"required": ["receivers"], "properties": {"receivers": {"type": "array"}}},
                {"required": ["reply_to"], "properties": {"reply_to": {"type": "integer"}}},
                {
                    "required": ["context_token"],
                    "properties": {"context_token": {"type": "string"}},
                },
            ],
        }
    )

    receiver: Username | None = None
    receivers: Annotated[list[Username] | None, Field(min_length=1, max_length=MAX_RECEIVERS)] = (
        None
    )
    subject: Subject | None = Field(
        None,
        description="Required, but for a reply (which then takes the subject of the "
        "message it answers) and for a message with a `context` or `context_token` "
        "(which then takes the context's ref).",
    )
    message: Body
    reply_to: Id | None = Field(None, description="The id of a message in your mailbox you answer.")
    context: ContextCreate | None = Field(
        None, description="What the message is about; a reply carries its thread's."
    )
    context_token: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_CONTEXT_TOKEN,
        description="A `ctx_` token a host minted: the message goes to its participants "
        "under its context. Instead of `context`.",
    )

    @model_validator(mode="after")
    def _one_addressing_form(self) -> MessageCreate:
        if self.receiver is not None and self.receivers is not None:
            raise ValueError("give either 'receiver' or 'receivers', not both")
        if self.context is not None and self.context_token is not None:
            raise ValueError("give either 'context' or 'context_token', not both")
        if (
            self.receiver is None
            and self.receivers is None
            and self.reply_to is None
            and self.context_token is None
        ):
            raise ValueError("give either 'receiver' or 'receivers'")
        if (
            self.subject is None
            and self.reply_to is None
            and self.context is None
            and self.context_token is None
        ):
            raise ValueError("give a subject (only a reply or a message with a context may not)")
        return self

    def meaning(self) -> dict[str, Any]:
        """What a retry must repeat for its Idempotency-Key to replay (receivers compare
        regardless of case and of the addressing form)."""
        return {
            "receivers": [name.casefold() for name in self.receiver_list()],
            "subject": self.subject,
            "message": self.message,
            "reply_to": self.reply_to,
            # Only when given: the keys of sends without context keep their fingerprints.
            **({"context": self.context.model_dump()} if self.context is not None else {}),
            **({"context_token": self.context_token} if self.context_token is not None else {}),
        }

    def context_value(self) -> Context | None:
        return None if self.context is None else self.context.value()

    def receiver_list(self) -> list[str]:
        """Receivers in the order given, each once (names compare regardless of case)."""
        names = [self.receiver] if self.receiver is not None else list(self.receivers or [])
        seen: set[str] = set()
        unique = []
        for name in names:
            if name.casefold() not in seen:
                seen.add(name.casefold())
                unique.append(name)
        return unique


class MessageUpdate(Input):
    read: Flag


class MessagesUpdate(Input):
    """Mark the listed messages (`ids`), or every message of the inbox (`all: true`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["ids"], "properties": {"ids": {"type": "array"}}},
                {"required": ["all"], "properties": {"all": TRUE_SCHEMA}},
            ]
        }
    )

    ids: Annotated[list[StrictId] | None, Field(min_length=1, max_length=MAX_BULK_IDS)] = None
    all: Flag | None = None
    read: Flag

    @model_validator(mode="after")
    def _one_selection(self) -> MessagesUpdate:
        if (self.ids is None) == (self.all is not True):
            raise ValueError("give either 'ids' or 'all: true'")
        return self


class MessageRead(BaseModel):
    id: int
    sender: str
    receiver: str = Field(description="The first receiver, as seed B clients expect.")
    receivers: list[str]
    subject: str
    message: str
    created_at: datetime
    read: bool = Field(description="Read by you; always true for a message you sent.")
    read_at: datetime | None
    thread_id: int
    reply_to: int | None
    context: ContextRead | None = Field(description="What the message is about; null: nothing.")
    sender_display_name: str | None = Field(
        description="The sender's display name as it is now; null when they have none."
    )
    receiver_display_names: list[str | None] = Field(
        description="Each receiver's display name as it is now, in the order of `receivers`; "
        "null for one who has none."
    )

    @classmethod
    def of(cls, view: MessageView) -> MessageRead:
        """The message as the API shows it to the user whose view it is."""
        return cls(
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
            context=context_read(view.context),
            sender_display_name=view.sender_display_name,
            receiver_display_names=[
                view.receiver_display_names.get(name) for name in view.receivers
            ],
        )


def context_read(context: Context | None) -> ContextRead | None:
    if context is None:
        return None
    return ContextRead(ref=context.ref, data=context.data, signed=context.signed)


class ThreadUnread(BaseModel):
    thread_id: int
    unread: int = Field(description="Unread messages of this thread in your inbox.")


class MessagePage(BaseModel):
    messages: list[MessageRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    per_page: int
    page: int | None = Field(description="The page number, when paging by `page`.")
    threads: list[ThreadUnread] = Field(
        default_factory=list,
        description="Unread counts of the threads on this page, in order of appearance.",
    )


class ThreadPage(BaseModel):
    thread_id: int
    unread: int = Field(description="Unread messages of this thread in your inbox.")
    context: ContextRead | None = Field(
        description="What the thread is about: every message of a thread has the same context."
    )
    messages: list[MessageRead] = Field(description="What you can see of it, newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    per_page: int


class BulkResult(BaseModel):
    updated_count: int
    updated: list[int] = Field(description="Ids whose state changed (with `ids`).")
    not_found: list[int] = Field(description="Ids that are not in your inbox.")


class UnreadCount(BaseModel):
    unread: int


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


class Person(BaseModel):
    username: str
    display_name: str | None = Field(description="As it is now; null when they have none.")


class ThreadSummary(BaseModel):
    """A thread in a list of threads: enough to show it as one row."""

    thread_id: int
    subject: str = Field(description="The subject of its latest message.")
    context: ContextRead | None = Field(description="What the thread is about.")
    participants: list[Person] = Field(
        description="The sender and receivers of its latest message, you included."
    )
    count: int = Field(description="Its messages you can see (inbox and sent box).")
    unread: int = Field(description="Unread messages of this thread in your inbox.")
    latest: MessageRead = Field(description="Its newest message you can see.")


class ThreadList(BaseModel):
    threads: list[ThreadSummary] = Field(description="The thread with the newest message first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    per_page: int


class ContactList(BaseModel):
    contacts: list[Person] = Field(description="The most recent correspondent first.")
