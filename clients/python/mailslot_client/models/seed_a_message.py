from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SeedAMessage")


@_attrs_define
class SeedAMessage:
    """
    Attributes:
        id (int):
        sender (str):
        receiver (str): You, for a message you received; else its first receiver.
        subject (str):
        message (str):
        timestamp (str): The client's timestamp as written; for a message sent without one (for example through the
            native API), the server's time in RFC 1123 form.
    """

    id: int
    sender: str
    receiver: str
    subject: str
    message: str
    timestamp: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        sender = self.sender

        receiver = self.receiver

        subject = self.subject

        message = self.message

        timestamp = self.timestamp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "sender": sender,
                "receiver": receiver,
                "subject": subject,
                "message": message,
                "timestamp": timestamp,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        sender = d.pop("sender")

        receiver = d.pop("receiver")

        subject = d.pop("subject")

        message = d.pop("message")

        timestamp = d.pop("timestamp")

        seed_a_message = cls(
            id=id,
            sender=sender,
            receiver=receiver,
            subject=subject,
            message=message,
            timestamp=timestamp,
        )

        seed_a_message.additional_properties = d
        return seed_a_message

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
