from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.new_accounts_rule import NewAccountsRule
    from ..models.pair_rule import PairRule


T = TypeVar("T", bound="MessagingPolicyRead")


@_attrs_define
class MessagingPolicyRead:
    """
    Attributes:
        initiators (list[str] | None):
        reply_only (list[str]):
        allow (list[PairRule]):
        deny (list[PairRule]):
        new_accounts (NewAccountsRule | None):
        rules (int): How many rules the policy holds (0: no policy).
        updated_at (datetime.datetime | None): When it was last put; null: never.
    """

    initiators: list[str] | None
    reply_only: list[str]
    allow: list[PairRule]
    deny: list[PairRule]
    new_accounts: NewAccountsRule | None
    rules: int
    updated_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.new_accounts_rule import NewAccountsRule  # noqa: PLC0415

        initiators: list[str] | None
        if isinstance(self.initiators, list):
            initiators = self.initiators

        else:
            initiators = self.initiators

        reply_only = self.reply_only

        allow = []
        for allow_item_data in self.allow:
            allow_item = allow_item_data.to_dict()
            allow.append(allow_item)

        deny = []
        for deny_item_data in self.deny:
            deny_item = deny_item_data.to_dict()
            deny.append(deny_item)

        new_accounts: dict[str, Any] | None
        if isinstance(self.new_accounts, NewAccountsRule):
            new_accounts = self.new_accounts.to_dict()
        else:
            new_accounts = self.new_accounts

        rules = self.rules

        updated_at: None | str
        if isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "initiators": initiators,
                "reply_only": reply_only,
                "allow": allow,
                "deny": deny,
                "new_accounts": new_accounts,
                "rules": rules,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.new_accounts_rule import NewAccountsRule  # noqa: PLC0415
        from ..models.pair_rule import PairRule  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_initiators(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                initiators_type_0 = cast(list[str], data)

                return initiators_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        initiators = _parse_initiators(d.pop("initiators"))

        reply_only = cast(list[str], d.pop("reply_only"))

        allow = []
        _allow = d.pop("allow")
        for allow_item_data in _allow:
            allow_item = PairRule.from_dict(allow_item_data)

            allow.append(allow_item)

        deny = []
        _deny = d.pop("deny")
        for deny_item_data in _deny:
            deny_item = PairRule.from_dict(deny_item_data)

            deny.append(deny_item)

        def _parse_new_accounts(data: object) -> NewAccountsRule | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                new_accounts_type_0 = NewAccountsRule.from_dict(data)

                return new_accounts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NewAccountsRule | None, data)

        new_accounts = _parse_new_accounts(d.pop("new_accounts"))

        rules = d.pop("rules")

        def _parse_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        messaging_policy_read = cls(
            initiators=initiators,
            reply_only=reply_only,
            allow=allow,
            deny=deny,
            new_accounts=new_accounts,
            rules=rules,
            updated_at=updated_at,
        )

        messaging_policy_read.additional_properties = d
        return messaging_policy_read

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
