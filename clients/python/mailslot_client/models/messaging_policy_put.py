from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.new_accounts_rule import NewAccountsRule
    from ..models.pair_rule import PairRule


T = TypeVar("T", bound="MessagingPolicyPut")


@_attrs_define
class MessagingPolicyPut:
    """The whole policy: what is left out has no rule; `{}` removes every rule.

    Attributes:
        initiators (list[str] | None | Unset): Only members of these groups may start a conversation; null: anyone may;
            `[]`: nobody may.
        reply_only (list[str] | Unset): Members of these groups may reply but not start a conversation.
        allow (list[PairRule] | Unset): With at least one, only a message some pair allows is sent.
        deny (list[PairRule] | Unset): A message a pair denies is refused, whatever else allows it.
        new_accounts (NewAccountsRule | None | Unset): A limit on new accounts' new contacts; null: none.
    """

    initiators: list[str] | None | Unset = UNSET
    reply_only: list[str] | Unset = UNSET
    allow: list[PairRule] | Unset = UNSET
    deny: list[PairRule] | Unset = UNSET
    new_accounts: NewAccountsRule | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.new_accounts_rule import NewAccountsRule  # noqa: PLC0415

        initiators: list[str] | None | Unset
        if isinstance(self.initiators, Unset):
            initiators = UNSET
        elif isinstance(self.initiators, list):
            initiators = self.initiators

        else:
            initiators = self.initiators

        reply_only: list[str] | Unset = UNSET
        if not isinstance(self.reply_only, Unset):
            reply_only = self.reply_only

        allow: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.allow, Unset):
            allow = []
            for allow_item_data in self.allow:
                allow_item = allow_item_data.to_dict()
                allow.append(allow_item)

        deny: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.deny, Unset):
            deny = []
            for deny_item_data in self.deny:
                deny_item = deny_item_data.to_dict()
                deny.append(deny_item)

        new_accounts: dict[str, Any] | None | Unset
        if isinstance(self.new_accounts, Unset):
            new_accounts = UNSET
        elif isinstance(self.new_accounts, NewAccountsRule):
            new_accounts = self.new_accounts.to_dict()
        else:
            new_accounts = self.new_accounts

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if initiators is not UNSET:
            field_dict["initiators"] = initiators
        if reply_only is not UNSET:
            field_dict["reply_only"] = reply_only
        if allow is not UNSET:
            field_dict["allow"] = allow
        if deny is not UNSET:
            field_dict["deny"] = deny
        if new_accounts is not UNSET:
            field_dict["new_accounts"] = new_accounts

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.new_accounts_rule import NewAccountsRule  # noqa: PLC0415
        from ..models.pair_rule import PairRule  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_initiators(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                initiators_type_0 = cast(list[str], data)

                return initiators_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        initiators = _parse_initiators(d.pop("initiators", UNSET))

        reply_only = cast(list[str], d.pop("reply_only", UNSET))

        _allow = d.pop("allow", UNSET)
        allow: list[PairRule] | Unset = UNSET
        if _allow is not UNSET:
            allow = []
            for allow_item_data in _allow:
                allow_item = PairRule.from_dict(allow_item_data)

                allow.append(allow_item)

        _deny = d.pop("deny", UNSET)
        deny: list[PairRule] | Unset = UNSET
        if _deny is not UNSET:
            deny = []
            for deny_item_data in _deny:
                deny_item = PairRule.from_dict(deny_item_data)

                deny.append(deny_item)

        def _parse_new_accounts(data: object) -> NewAccountsRule | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                new_accounts_type_0 = NewAccountsRule.from_dict(data)

                return new_accounts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NewAccountsRule | None | Unset, data)

        new_accounts = _parse_new_accounts(d.pop("new_accounts", UNSET))

        messaging_policy_put = cls(
            initiators=initiators,
            reply_only=reply_only,
            allow=allow,
            deny=deny,
            new_accounts=new_accounts,
        )

        return messaging_policy_put
