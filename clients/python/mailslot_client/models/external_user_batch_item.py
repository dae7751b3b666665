from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_user_batch_item_custom_type_0 import ExternalUserBatchItemCustomType0


T = TypeVar("T", bound="ExternalUserBatchItem")


@_attrs_define
class ExternalUserBatchItem:
    """
    Attributes:
        display_name (None | str):
        external_id (str): The host application's own id for the user: 1 to 128 letters, digits or `_ . : @ | + = -`.
        username (None | str | Unset): Derived from the external id when left out.
        email (None | str | Unset):
        custom (ExternalUserBatchItemCustomType0 | None | Unset):
        groups (list[str] | None | Unset): The user's groups, at most 32, for the messaging policy (PUT
            /server/policy/messaging); repeats count once; `[]` or null: none.
    """

    display_name: None | str
    external_id: str
    username: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    custom: ExternalUserBatchItemCustomType0 | None | Unset = UNSET
    groups: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.external_user_batch_item_custom_type_0 import ExternalUserBatchItemCustomType0  # noqa: PLC0415

        display_name: None | str
        display_name = self.display_name

        external_id = self.external_id

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        custom: dict[str, Any] | None | Unset
        if isinstance(self.custom, Unset):
            custom = UNSET
        elif isinstance(self.custom, ExternalUserBatchItemCustomType0):
            custom = self.custom.to_dict()
        else:
            custom = self.custom

        groups: list[str] | None | Unset
        if isinstance(self.groups, Unset):
            groups = UNSET
        elif isinstance(self.groups, list):
            groups = self.groups

        else:
            groups = self.groups

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "display_name": display_name,
                "external_id": external_id,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username
        if email is not UNSET:
            field_dict["email"] = email
        if custom is not UNSET:
            field_dict["custom"] = custom
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.external_user_batch_item_custom_type_0 import ExternalUserBatchItemCustomType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_display_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        display_name = _parse_display_name(d.pop("display_name"))

        external_id = d.pop("external_id")

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_custom(data: object) -> ExternalUserBatchItemCustomType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_type_0 = ExternalUserBatchItemCustomType0.from_dict(data)

                return custom_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExternalUserBatchItemCustomType0 | None | Unset, data)

        custom = _parse_custom(d.pop("custom", UNSET))

        def _parse_groups(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                groups_type_0 = cast(list[str], data)

                return groups_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        groups = _parse_groups(d.pop("groups", UNSET))

        external_user_batch_item = cls(
            display_name=display_name,
            external_id=external_id,
            username=username,
            email=email,
            custom=custom,
            groups=groups,
        )

        return external_user_batch_item
