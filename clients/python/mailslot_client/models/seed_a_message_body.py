from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SeedAMessageBody")


@_attrs_define
class SeedAMessageBody:
    """A message as seed A clients write it (`request=write`) and name it for deletion
    (`request=delete`).

        Attributes:
            message (str):
            receiver (str): 1 to 64 letters, digits, `_`, `.` or `-`; unique regardless of case.
            sender (str): Must be the user of the query string.
            subject (str):
            timestamp (None | str | Unset):
            id (int | None | Unset): `delete` only: the `id` an answer gave, to name one of identical messages.
    """

    message: str
    receiver: str
    sender: str
    subject: str
    timestamp: None | str | Unset = UNSET
    id: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        receiver = self.receiver

        sender = self.sender

        subject = self.subject

        timestamp: None | str | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = self.timestamp

        id: int | None | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "message": message,
                "receiver": receiver,
                "sender": sender,
                "subject": subject,
            }
        )
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if id is not UNSET:
            field_dict["id"] = id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        receiver = d.pop("receiver")

        sender = d.pop("sender")

        subject = d.pop("subject")

        def _parse_timestamp(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))

        def _parse_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        seed_a_message_body = cls(
            message=message,
            receiver=receiver,
            sender=sender,
            subject=subject,
            timestamp=timestamp,
            id=id,
        )

        return seed_a_message_body
