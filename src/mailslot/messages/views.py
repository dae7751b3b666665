"""A message as one user sees it (MessageView), the columns every statement that reads
one selects (VIEW_COLUMNS), and the view of such a row (view_of).

Display names may change, unlike usernames, so they are never copied onto a message:
each statement that reads one joins the sender's and looks up the receivers'
(ReceiverDisplayNames), so a page stays one statement and shows the names as they are
now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, ColumnElement, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

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
    sender_display_name: str | None = None
    # The receivers' display names by username, for those who have one.
    receiver_display_names: dict[str, str] = field(default_factory=dict)
    # Fresh from a send only (service.send_message): the receivers it did not reach, by
    # username, and why: `blocked` (they block the sender) or `withheld` (the sender is
    # shadow-banned). Only the server API's per-recipient answer tells it.
    withheld: dict[str, str] = field(default_factory=dict)

    @property
    def read(self) -> bool:
        return self.read_at is not None or not self.is_receiver


class ReceiverDisplayNames(ColumnElement[Any]):
    """Each receiver of the message who has a display name, as a JSON object {username:
    display name}, NULL or {} for none. Read from the message's own list of receivers
    (`receiver_names`) through user_account's unique username_key index: usernames are
    ASCII, so lower() is their casefold. One index look-up per receiver of each listed
    message, and no walk of the delivery table."""

    inherit_cache = True
    type = JSON()
    _traverse_internals = [("names", InternalTraversal.dp_clauseelement)]  # noqa: RUF012 (SQLAlchemy declares it so)

    def __init__(self, names: ColumnElement[Any]) -> None:
        self.names = names


# SQLite drives the join from the names, each looked up by the key's index.
_DISPLAY_NAMES_OF_NAMES = """(SELECT json_group_object(receiver_account.username, receiver_account.display_name)
 FROM json_each({names}) AS receiver_name
 JOIN user_account AS receiver_account
   ON receiver_account.username_key = lower(receiver_name.value)
 WHERE receiver_account.display_name IS NOT NULL)"""


@compiles(ReceiverDisplayNames)
def _display_names_sqlite(element: ReceiverDisplayNames, compiler: Any, **kw: Any) -> str:
    return _DISPLAY_NAMES_OF_NAMES.format(names=compiler.process(element.names, **kw))


# PostgreSQL plans a set-returning function at 100 rows: joined with it, the users were
# hashed from a walk of the whole table once per message (15 ms a page of 50 with 2,100
# users, 500 of them named; bench/README.md). An array of the keys is one index scan.
_DISPLAY_NAMES_OF_KEYS = """(SELECT json_object_agg(receiver_account.username, receiver_account.display_name)
 FROM user_account AS receiver_account
 WHERE receiver_account.username_key = ANY (ARRAY(
     SELECT lower(receiver_name.value)
     FROM json_array_elements_text({names}) AS receiver_name(value)))
   AND receiver_account.display_name IS NOT NULL)"""


@compiles(ReceiverDisplayNames, "postgresql")
def _display_names_postgresql(element: ReceiverDisplayNames, compiler: Any, **kw: Any) -> str:
    return _DISPLAY_NAMES_OF_KEYS.format(names=compiler.process(element.names, **kw))


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
    User.display_name.label("sender_display_name"),
    ReceiverDisplayNames(Message.__table__.c.receiver_names).label("receiver_display_names"),
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
        sender_display_name=row.sender_display_name,
        # PostgreSQL's aggregate of no rows is NULL, SQLite's an empty object.
        receiver_display_names=row.receiver_display_names or {},
    )
