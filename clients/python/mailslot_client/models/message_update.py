from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.message_update_read_type_1 import MessageUpdateReadType1, check_message_update_read_type_1

T = TypeVar("T", bound="MessageUpdate")


@_attrs_define
class MessageUpdate:
    """
    Attributes:
        read (bool | MessageUpdateReadType1):
    """

    read: bool | MessageUpdateReadType1

    def to_dict(self) -> dict[str, Any]:
        read: bool | str
        if isinstance(self.read, str):
            read = self.read
        else:
            read = self.read

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "read": read,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_read(data: object) -> bool | MessageUpdateReadType1:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_type_1 = check_message_update_read_type_1(data)

                return read_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | MessageUpdateReadType1, data)

        read = _parse_read(d.pop("read"))

        message_update = cls(
            read=read,
        )

        return message_update
