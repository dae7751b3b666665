from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.messages_update_all_type_1 import MessagesUpdateAllType1, check_messages_update_all_type_1
from ..models.messages_update_read_type_1 import MessagesUpdateReadType1, check_messages_update_read_type_1
from ..types import UNSET, Unset

T = TypeVar("T", bound="MessagesUpdate")


@_attrs_define
class MessagesUpdate:
    """Mark the listed messages (`ids`), or every message of the inbox (`all: true`).

    Attributes:
        read (bool | MessagesUpdateReadType1):
        ids (list[int] | None | Unset):
        all_ (bool | MessagesUpdateAllType1 | None | Unset):
    """

    read: bool | MessagesUpdateReadType1
    ids: list[int] | None | Unset = UNSET
    all_: bool | MessagesUpdateAllType1 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        read: bool | str
        if isinstance(self.read, str):
            read = self.read
        else:
            read = self.read

        ids: list[int] | None | Unset
        if isinstance(self.ids, Unset):
            ids = UNSET
        elif isinstance(self.ids, list):
            ids = self.ids

        else:
            ids = self.ids

        all_: bool | None | str | Unset
        if isinstance(self.all_, Unset):
            all_ = UNSET
        elif isinstance(self.all_, str):
            all_ = self.all_
        else:
            all_ = self.all_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "read": read,
            }
        )
        if ids is not UNSET:
            field_dict["ids"] = ids
        if all_ is not UNSET:
            field_dict["all"] = all_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_read(data: object) -> bool | MessagesUpdateReadType1:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_type_1 = check_messages_update_read_type_1(data)

                return read_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | MessagesUpdateReadType1, data)

        read = _parse_read(d.pop("read"))

        def _parse_ids(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                ids_type_0 = cast(list[int], data)

                return ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        ids = _parse_ids(d.pop("ids", UNSET))

        def _parse_all_(data: object) -> bool | MessagesUpdateAllType1 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                all_type_1 = check_messages_update_all_type_1(data)

                return all_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | MessagesUpdateAllType1 | None | Unset, data)

        all_ = _parse_all_(d.pop("all", UNSET))

        messages_update = cls(
            read=read,
            ids=ids,
            all_=all_,
        )

        return messages_update
