from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_user_put_custom_type_0 import ExternalUserPutCustomType0


T = TypeVar("T", bound="ExternalUserPut")


@_attrs_define
class ExternalUserPut:
    """A user as the host application provisions it (`accounts.people`). Fields left out
    keep their value on an update; `username` is set once, at creation.

        Attributes:
            display_name (None | str):
            username (None | str | Unset): Derived from the external id when left out.
            email (None | str | Unset):
            custom (ExternalUserPutCustomType0 | None | Unset):
            groups (list[str] | None | Unset): The user's groups, at most 32, for the messaging policy (PUT
                /server/policy/messaging); repeats count once; `[]` or null: none.
    """

    display_name: None | str
    username: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    custom: ExternalUserPutCustomType0 | None | Unset = UNSET
    groups: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.external_user_put_custom_type_0 import ExternalUserPutCustomType0  # noqa: PLC0415

        display_name: None | str
        display_name = self.display_name

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
        elif isinstance(self.custom, ExternalUserPutCustomType0):
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
        from ..models.external_user_put_custom_type_0 import ExternalUserPutCustomType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_display_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        display_name = _parse_display_name(d.pop("display_name"))

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

        def _parse_custom(data: object) -> ExternalUserPutCustomType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_type_0 = ExternalUserPutCustomType0.from_dict(data)

                return custom_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExternalUserPutCustomType0 | None | Unset, data)

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

        external_user_put = cls(
            display_name=display_name,
            username=username,
            email=email,
            custom=custom,
            groups=groups,
        )

        return external_user_put
