from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.context_read import ContextRead
    from ..models.delivery_read import DeliveryRead


T = TypeVar("T", bound="ServerMessageRead")


@_attrs_define
class ServerMessageRead:
    """
    Attributes:
        id (int):
        sender (str):
        receiver (str): The first receiver, as seed B clients expect.
        receivers (list[str]):
        subject (str):
        message (str):
        created_at (datetime.datetime):
        read (bool): Read by you; always true for a message you sent.
        read_at (datetime.datetime | None):
        thread_id (int):
        reply_to (int | None):
        context (ContextRead | None): What the message is about; null: nothing.
        sender_display_name (None | str): The sender's display name as it is now; null when they have none.
        receiver_display_names (list[None | str]): Each receiver's display name as it is now, in the order of
            `receivers`; null for one who has none.
        deliveries (list[DeliveryRead]): Each receiver's copy, in the order of `receivers`.
    """

    id: int
    sender: str
    receiver: str
    receivers: list[str]
    subject: str
    message: str
    created_at: datetime.datetime
    read: bool
    read_at: datetime.datetime | None
    thread_id: int
    reply_to: int | None
    context: ContextRead | None
    sender_display_name: None | str
    receiver_display_names: list[None | str]
    deliveries: list[DeliveryRead]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_read import ContextRead  # noqa: PLC0415

        id = self.id

        sender = self.sender

        receiver = self.receiver

        receivers = self.receivers

        subject = self.subject

        message = self.message

        created_at = self.created_at.isoformat()

        read = self.read

        read_at: None | str
        if isinstance(self.read_at, datetime.datetime):
            read_at = self.read_at.isoformat()
        else:
            read_at = self.read_at

        thread_id = self.thread_id

        reply_to: int | None
        reply_to = self.reply_to

        context: dict[str, Any] | None
        if isinstance(self.context, ContextRead):
            context = self.context.to_dict()
        else:
            context = self.context

        sender_display_name: None | str
        sender_display_name = self.sender_display_name

        receiver_display_names = []
        for receiver_display_names_item_data in self.receiver_display_names:
            receiver_display_names_item: None | str
            receiver_display_names_item = receiver_display_names_item_data
            receiver_display_names.append(receiver_display_names_item)

        deliveries = []
        for deliveries_item_data in self.deliveries:
            deliveries_item = deliveries_item_data.to_dict()
            deliveries.append(deliveries_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "sender": sender,
                "receiver": receiver,
                "receivers": receivers,
                "subject": subject,
                "message": message,
                "created_at": created_at,
                "read": read,
                "read_at": read_at,
                "thread_id": thread_id,
                "reply_to": reply_to,
                "context": context,
                "sender_display_name": sender_display_name,
                "receiver_display_names": receiver_display_names,
                "deliveries": deliveries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_read import ContextRead  # noqa: PLC0415
        from ..models.delivery_read import DeliveryRead  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        sender = d.pop("sender")

        receiver = d.pop("receiver")

        receivers = cast(list[str], d.pop("receivers"))

        subject = d.pop("subject")

        message = d.pop("message")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        read = d.pop("read")

        def _parse_read_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_at_type_0 = datetime.datetime.fromisoformat(data)

                return read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        read_at = _parse_read_at(d.pop("read_at"))

        thread_id = d.pop("thread_id")

        def _parse_reply_to(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        reply_to = _parse_reply_to(d.pop("reply_to"))

        def _parse_context(data: object) -> ContextRead | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = ContextRead.from_dict(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextRead | None, data)

        context = _parse_context(d.pop("context"))

        def _parse_sender_display_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sender_display_name = _parse_sender_display_name(d.pop("sender_display_name"))

        receiver_display_names = []
        _receiver_display_names = d.pop("receiver_display_names")
        for receiver_display_names_item_data in _receiver_display_names:

            def _parse_receiver_display_names_item(data: object) -> None | str:
                if data is None:
                    return data
                return cast(None | str, data)

            receiver_display_names_item = _parse_receiver_display_names_item(receiver_display_names_item_data)

            receiver_display_names.append(receiver_display_names_item)

        deliveries = []
        _deliveries = d.pop("deliveries")
        for deliveries_item_data in _deliveries:
            deliveries_item = DeliveryRead.from_dict(deliveries_item_data)

            deliveries.append(deliveries_item)

        server_message_read = cls(
            id=id,
            sender=sender,
            receiver=receiver,
            receivers=receivers,
            subject=subject,
            message=message,
            created_at=created_at,
            read=read,
            read_at=read_at,
            thread_id=thread_id,
            reply_to=reply_to,
            context=context,
            sender_display_name=sender_display_name,
            receiver_display_names=receiver_display_names,
            deliveries=deliveries,
        )

        server_message_read.additional_properties = d
        return server_message_read

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
