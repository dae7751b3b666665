from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="NewAccountsRule")


@_attrs_define
class NewAccountsRule:
    """
    Attributes:
        younger_than_days (int): Accounts created less than this many days ago...
        contacts_per_day (int): ...may write to at most this many new contacts (users who never wrote to them) in any 24
            hours; 0: to none.
    """

    younger_than_days: int
    contacts_per_day: int

    def to_dict(self) -> dict[str, Any]:
        younger_than_days = self.younger_than_days

        contacts_per_day = self.contacts_per_day

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "younger_than_days": younger_than_days,
                "contacts_per_day": contacts_per_day,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        younger_than_days = d.pop("younger_than_days")

        contacts_per_day = d.pop("contacts_per_day")

        new_accounts_rule = cls(
            younger_than_days=younger_than_days,
            contacts_per_day=contacts_per_day,
        )

        return new_accounts_rule
