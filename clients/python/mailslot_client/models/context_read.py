from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.context_read_data_type_0 import ContextReadDataType0


T = TypeVar("T", bound="ContextRead")


@_attrs_define
class ContextRead:
    """
    Attributes:
        ref (str):
        data (ContextReadDataType0 | None):
        signed (bool): Set by a host's context token: the sender could not choose the ref, the data or the receivers.
    """

    ref: str
    data: ContextReadDataType0 | None
    signed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_read_data_type_0 import ContextReadDataType0  # noqa: PLC0415

        ref = self.ref

        data: dict[str, Any] | None
        if isinstance(self.data, ContextReadDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        signed = self.signed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ref": ref,
                "data": data,
                "signed": signed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_read_data_type_0 import ContextReadDataType0  # noqa: PLC0415

        d = dict(src_dict)
        ref = d.pop("ref")

        def _parse_data(data: object) -> ContextReadDataType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = ContextReadDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextReadDataType0 | None, data)

        data = _parse_data(d.pop("data"))

        signed = d.pop("signed")

        context_read = cls(
            ref=ref,
            data=data,
            signed=signed,
        )

        context_read.additional_properties = d
        return context_read

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
