from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PairRule")


@_attrs_define
class PairRule:
    """Messages from members of `from` to members of `to`.

    Attributes:
        from_ (str): A group name, `*` (every user) or `@ungrouped` (users with no group).
        to (str): A group name, `*` (every user) or `@ungrouped` (users with no group).
    """

    from_: str
    to: str

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        to = self.to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_ = d.pop("from")

        to = d.pop("to")

        pair_rule = cls(
            from_=from_,
            to=to,
        )

        return pair_rule
