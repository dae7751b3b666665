from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AccessLogEntry")


@_attrs_define
class AccessLogEntry:
    """
    Attributes:
        read_at (datetime.datetime):
        key_name (str): The name of the host's server key that read.
        operation (str): `list_server_user_messages` (a page of your mailbox) or `get_server_message` (one message,
            `message_id`).
        message_id (int | None):
    """

    read_at: datetime.datetime
    key_name: str
    operation: str
    message_id: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        read_at = self.read_at.isoformat()

        key_name = self.key_name

        operation = self.operation

        message_id: int | None
        message_id = self.message_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "read_at": read_at,
                "key_name": key_name,
                "operation": operation,
                "message_id": message_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        read_at = datetime.datetime.fromisoformat(d.pop("read_at"))

        key_name = d.pop("key_name")

        operation = d.pop("operation")

        def _parse_message_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        message_id = _parse_message_id(d.pop("message_id"))

        access_log_entry = cls(
            read_at=read_at,
            key_name=key_name,
            operation=operation,
            message_id=message_id,
        )

        access_log_entry.additional_properties = d
        return access_log_entry

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
