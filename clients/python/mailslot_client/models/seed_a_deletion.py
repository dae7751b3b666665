from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.seed_a_deletion_deleted_for import SeedADeletionDeletedFor, check_seed_a_deletion_deleted_for

if TYPE_CHECKING:
    from ..models.seed_a_message import SeedAMessage


T = TypeVar("T", bound="SeedADeletion")


@_attrs_define
class SeedADeletion:
    """
    Attributes:
        deleted (SeedAMessage):
        deleted_for (SeedADeletionDeletedFor): `everyone` when you sent it; `you` when you received it (your inbox
            only).
    """

    deleted: SeedAMessage
    deleted_for: SeedADeletionDeletedFor
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        deleted = self.deleted.to_dict()

        deleted_for: str = self.deleted_for

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "deleted": deleted,
                "deleted_for": deleted_for,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seed_a_message import SeedAMessage  # noqa: PLC0415

        d = dict(src_dict)
        deleted = SeedAMessage.from_dict(d.pop("deleted"))

        deleted_for = check_seed_a_deletion_deleted_for(d.pop("deleted_for"))

        seed_a_deletion = cls(
            deleted=deleted,
            deleted_for=deleted_for,
        )

        seed_a_deletion.additional_properties = d
        return seed_a_deletion

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
