from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_user_read_custom_type_0 import ExternalUserReadCustomType0


T = TypeVar("T", bound="ExternalUserRead")


@_attrs_define
class ExternalUserRead:
    """
    Attributes:
        external_id (str):
        username (str):
        display_name (None | str):
        email (None | str):
        custom (ExternalUserReadCustomType0 | None):
        created_at (datetime.datetime):
        deactivated_at (datetime.datetime | None):
        groups (list[str] | Unset): Sorted, each once.
    """

    external_id: str
    username: str
    display_name: None | str
    email: None | str
    custom: ExternalUserReadCustomType0 | None
    created_at: datetime.datetime
    deactivated_at: datetime.datetime | None
    groups: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.external_user_read_custom_type_0 import ExternalUserReadCustomType0  # noqa: PLC0415

        external_id = self.external_id

        username = self.username

        display_name: None | str
        display_name = self.display_name

        email: None | str
        email = self.email

        custom: dict[str, Any] | None
        if isinstance(self.custom, ExternalUserReadCustomType0):
            custom = self.custom.to_dict()
        else:
            custom = self.custom

        created_at = self.created_at.isoformat()

        deactivated_at: None | str
        if isinstance(self.deactivated_at, datetime.datetime):
            deactivated_at = self.deactivated_at.isoformat()
        else:
            deactivated_at = self.deactivated_at

        groups: list[str] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "external_id": external_id,
                "username": username,
                "display_name": display_name,
                "email": email,
                "custom": custom,
                "created_at": created_at,
                "deactivated_at": deactivated_at,
            }
        )
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.external_user_read_custom_type_0 import ExternalUserReadCustomType0  # noqa: PLC0415

        d = dict(src_dict)
        external_id = d.pop("external_id")

        username = d.pop("username")

        def _parse_display_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        display_name = _parse_display_name(d.pop("display_name"))

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        def _parse_custom(data: object) -> ExternalUserReadCustomType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_type_0 = ExternalUserReadCustomType0.from_dict(data)

                return custom_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExternalUserReadCustomType0 | None, data)

        custom = _parse_custom(d.pop("custom"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_deactivated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deactivated_at_type_0 = datetime.datetime.fromisoformat(data)

                return deactivated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deactivated_at = _parse_deactivated_at(d.pop("deactivated_at"))

        groups = cast(list[str], d.pop("groups", UNSET))

        external_user_read = cls(
            external_id=external_id,
            username=username,
            display_name=display_name,
            email=email,
            custom=custom,
            created_at=created_at,
            deactivated_at=deactivated_at,
            groups=groups,
        )

        external_user_read.additional_properties = d
        return external_user_read

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
