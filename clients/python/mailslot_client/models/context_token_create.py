from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.context_token_create_data_type_0 import ContextTokenCreateDataType0


T = TypeVar("T", bound="ContextTokenCreate")


@_attrs_define
class ContextTokenCreate:
    """
    Attributes:
        ref (str): 1 to 200 characters, no control characters, not beginning or ending with white space; `order:A-123`,
            say.
        participants (list[str]): External ids of everyone who may write under the context.
        data (ContextTokenCreateDataType0 | None | Unset):
        expires_in (int | Unset): Seconds the token may be sent with. Default: 3600.
    """

    ref: str
    participants: list[str]
    data: ContextTokenCreateDataType0 | None | Unset = UNSET
    expires_in: int | Unset = 3600

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_token_create_data_type_0 import ContextTokenCreateDataType0  # noqa: PLC0415

        ref = self.ref

        participants = self.participants

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, ContextTokenCreateDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        expires_in = self.expires_in

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ref": ref,
                "participants": participants,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data
        if expires_in is not UNSET:
            field_dict["expires_in"] = expires_in

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_token_create_data_type_0 import ContextTokenCreateDataType0  # noqa: PLC0415

        d = dict(src_dict)
        ref = d.pop("ref")

        participants = cast(list[str], d.pop("participants"))

        def _parse_data(data: object) -> ContextTokenCreateDataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = ContextTokenCreateDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextTokenCreateDataType0 | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        expires_in = d.pop("expires_in", UNSET)

        context_token_create = cls(
            ref=ref,
            participants=participants,
            data=data,
            expires_in=expires_in,
        )

        return context_token_create
