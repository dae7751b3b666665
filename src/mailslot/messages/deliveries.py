"""A message as its sender sees it, with where it is in each receiver's mailbox: what the
server API shows of one message (serverapi/mailbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam, select

from mailslot.accounts.models import User
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import Reader
from mailslot.errors import MessageNotFound
from mailslot.messages import expiry
from mailslot.messages.models import Delivery, Message
from mailslot.messages.views import VIEW_COLUMNS, MessageView, view_of

_SENT = (
    select(*VIEW_COLUMNS)
    .join(User, User.id == Message.sender_id)
    .where(Message.id == bindparam("message_id"), Message.deleted_by_sender_at.is_(None))
)
_AS_SENT = DirectQuery(_SENT)
_AS_SENT_RETAINED = DirectQuery(_SENT.where(expiry.kept()))
_DELIVERIES = DirectQuery(
    select(
        User.username,
        User.external_id,
        User.display_name,
        Delivery.read_at,
        Delivery.deleted_at,
        Delivery.trashed_at,
    )
    .join(User, User.id == Delivery.receiver_id)
    .where(Delivery.message_id == bindparam("message_id"))
)


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """One receiver's copy: read or not, and in their inbox, in their trash, or gone."""

    username: str
    external_id: str | None
    display_name: str | None
    read_at: datetime | None
    box: Literal["inbox", "trash"] | None


async def get_sent_message(db: Reader, message_id: int) -> tuple[MessageView, list[DeliveryState]]:
    """The message as its sender sees it and each receiver's copy, in the order of its
    receivers; raises MessageNotFound when there is no such message or its sender deleted
    it for everyone."""
    params: dict[str, Any] = {"message_id": message_id}
    found = await (_AS_SENT_RETAINED if expiry.with_cutoff(db, params) else _AS_SENT).all(
        db, params
    )
    if not found:
        raise MessageNotFound(f"There is no message {message_id}.")
    view = view_of(found[0], is_receiver=False, read_at=None)
    rows = await _DELIVERIES.all(db, {"message_id": message_id})
    order = {name.casefold(): place for place, name in enumerate(view.receivers)}
    states = [
        DeliveryState(
            row.username,
            row.external_id,
            row.display_name,
            row.read_at,
            "inbox" if row.deleted_at is None else "trash" if row.trashed_at else None,
        )
        for row in sorted(rows, key=lambda row: order.get(row.username.casefold(), len(order)))
    ]
    return view, states
