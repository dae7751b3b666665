from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.external_user_batch_item import ExternalUserBatchItem


T = TypeVar("T", bound="ExternalUserBatch")


@_attrs_define
class ExternalUserBatch:
    """
    Attributes:
        users (list[Any | ExternalUserBatchItem]): At most 100 users, upserted in order.
    """

    users: list[Any | ExternalUserBatchItem]

    def to_dict(self) -> dict[str, Any]:
        from ..models.external_user_batch_item import ExternalUserBatchItem  # noqa: PLC0415

        users = []
        for users_item_data in self.users:
            users_item: Any | dict[str, Any]
            if isinstance(users_item_data, ExternalUserBatchItem):
                users_item = users_item_data.to_dict()
            else:
                users_item = users_item_data
            users.append(users_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "users": users,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.external_user_batch_item import ExternalUserBatchItem  # noqa: PLC0415

        d = dict(src_dict)
        users = []
        _users = d.pop("users")
        for users_item_data in _users:

            def _parse_users_item(data: object) -> Any | ExternalUserBatchItem:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    users_item_type_0 = ExternalUserBatchItem.from_dict(data)

                    return users_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(Any | ExternalUserBatchItem, data)

            users_item = _parse_users_item(users_item_data)

            users.append(users_item)

        external_user_batch = cls(
            users=users,
        )

        return external_user_batch
