from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MessageCreate")


@_attrs_define
class MessageCreate:
    """Give `receiver` (seed B) or `receivers` (up to 100), not both. A reply
    (`reply_to`) may give neither: it goes to the other participants of the message
    it answers.

        Attributes:
            subject (str):
            message (str):
            receiver (None | str | Unset):
            receivers (list[str] | None | Unset):
            reply_to (int | None | Unset): The id of a message in your mailbox you answer.
    """

    subject: str
    message: str
    receiver: None | str | Unset = UNSET
    receivers: list[str] | None | Unset = UNSET
    reply_to: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        message = self.message

        receiver: None | str | Unset
        if isinstance(self.receiver, Unset):
            receiver = UNSET
        else:
            receiver = self.receiver

        receivers: list[str] | None | Unset
        if isinstance(self.receivers, Unset):
            receivers = UNSET
        elif isinstance(self.receivers, list):
            receivers = self.receivers

        else:
            receivers = self.receivers

        reply_to: int | None | Unset
        if isinstance(self.reply_to, Unset):
            reply_to = UNSET
        else:
            reply_to = self.reply_to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "subject": subject,
                "message": message,
            }
        )
        if receiver is not UNSET:
            field_dict["receiver"] = receiver
        if receivers is not UNSET:
            field_dict["receivers"] = receivers
        if reply_to is not UNSET:
            field_dict["reply_to"] = reply_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subject = d.pop("subject")

        message = d.pop("message")

        def _parse_receiver(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        receiver = _parse_receiver(d.pop("receiver", UNSET))

        def _parse_receivers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                receivers_type_0 = cast(list[str], data)

                return receivers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        receivers = _parse_receivers(d.pop("receivers", UNSET))

        def _parse_reply_to(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        reply_to = _parse_reply_to(d.pop("reply_to", UNSET))

        message_create = cls(
            subject=subject,
            message=message,
            receiver=receiver,
            receivers=receivers,
            reply_to=reply_to,
        )

        return message_create
