from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.change_event_type import ChangeEventType, check_change_event_type

if TYPE_CHECKING:
    from ..models.change_event_data import ChangeEventData


T = TypeVar("T", bound="ChangeEvent")


@_attrs_define
class ChangeEvent:
    """The envelope of every change, in the change log and on SSE and WebSocket streams.

    Attributes:
        type_ (ChangeEventType):
        id (int): The user's change sequence number: resume after it.
        data (ChangeEventData): `message.created`: the message as the messages API shows it to you, plus `box`
            (`"inbox"` or `"sent"`). `message.updated`: `{id, read, read_at}`. `message.deleted`: `{id, scope}`, scope
            `"everyone"` (its sender deleted it) or `"own"` (you removed it from your mailbox).
    """

    type_: ChangeEventType
    id: int
    data: ChangeEventData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        id = self.id

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "id": id,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change_event_data import ChangeEventData  # noqa: PLC0415

        d = dict(src_dict)
        type_ = check_change_event_type(d.pop("type"))

        id = d.pop("id")

        data = ChangeEventData.from_dict(d.pop("data"))

        change_event = cls(
            type_=type_,
            id=id,
            data=data,
        )

        change_event.additional_properties = d
        return change_event

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
