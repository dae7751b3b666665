from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sanction_change_read_kind import SanctionChangeReadKind, check_sanction_change_read_kind

T = TypeVar("T", bound="SanctionChangeRead")


@_attrs_define
class SanctionChangeRead:
    """
    Attributes:
        kind (SanctionChangeReadKind):
        lifted (bool): `false`: put on; `true`: lifted.
        reason (str):
        actor (str): Who: `key:<id>` (a server key), `cli` (the `mailslot` command) or `report:<id>` (the resolution of
            that report).
        at (datetime.datetime):
    """

    kind: SanctionChangeReadKind
    lifted: bool
    reason: str
    actor: str
    at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind: str = self.kind

        lifted = self.lifted

        reason = self.reason

        actor = self.actor

        at = self.at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "lifted": lifted,
                "reason": reason,
                "actor": actor,
                "at": at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = check_sanction_change_read_kind(d.pop("kind"))

        lifted = d.pop("lifted")

        reason = d.pop("reason")

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        sanction_change_read = cls(
            kind=kind,
            lifted=lifted,
            reason=reason,
            actor=actor,
            at=at,
        )

        sanction_change_read.additional_properties = d
        return sanction_change_read

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
