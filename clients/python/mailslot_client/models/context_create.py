from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.context_create_data_type_0 import ContextCreateDataType0


T = TypeVar("T", bound="ContextCreate")


@_attrs_define
class ContextCreate:
    """What a message is about.

    Attributes:
        ref (str): 1 to 200 characters, no control characters, not beginning or ending with white space; `order:A-123`,
            say.
        data (ContextCreateDataType0 | None | Unset):
    """

    ref: str
    data: ContextCreateDataType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_create_data_type_0 import ContextCreateDataType0  # noqa: PLC0415

        ref = self.ref

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, ContextCreateDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ref": ref,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_create_data_type_0 import ContextCreateDataType0  # noqa: PLC0415

        d = dict(src_dict)
        ref = d.pop("ref")

        def _parse_data(data: object) -> ContextCreateDataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = ContextCreateDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextCreateDataType0 | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        context_create = cls(
            ref=ref,
            data=data,
        )

        return context_create
