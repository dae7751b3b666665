from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SanctionsUpdate")


@_attrs_define
class SanctionsUpdate:
    """What to put on (`true`) or lift (`false`); a field left out stays as it is.

    Attributes:
        reason (str): Why, up to 500 characters; kept in the history.
        suspended (bool | None | Unset):
        shadow_banned (bool | None | Unset):
        deactivated (bool | None | Unset): As POST /server/users/{external_id}/deactivate (or /reactivate) does, with a
            reason kept in the history.
    """

    reason: str
    suspended: bool | None | Unset = UNSET
    shadow_banned: bool | None | Unset = UNSET
    deactivated: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        suspended: bool | None | Unset
        if isinstance(self.suspended, Unset):
            suspended = UNSET
        else:
            suspended = self.suspended

        shadow_banned: bool | None | Unset
        if isinstance(self.shadow_banned, Unset):
            shadow_banned = UNSET
        else:
            shadow_banned = self.shadow_banned

        deactivated: bool | None | Unset
        if isinstance(self.deactivated, Unset):
            deactivated = UNSET
        else:
            deactivated = self.deactivated

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
            }
        )
        if suspended is not UNSET:
            field_dict["suspended"] = suspended
        if shadow_banned is not UNSET:
            field_dict["shadow_banned"] = shadow_banned
        if deactivated is not UNSET:
            field_dict["deactivated"] = deactivated

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_suspended(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        suspended = _parse_suspended(d.pop("suspended", UNSET))

        def _parse_shadow_banned(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        shadow_banned = _parse_shadow_banned(d.pop("shadow_banned", UNSET))

        def _parse_deactivated(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        deactivated = _parse_deactivated(d.pop("deactivated", UNSET))

        sanctions_update = cls(
            reason=reason,
            suspended=suspended,
            shadow_banned=shadow_banned,
            deactivated=deactivated,
        )

        return sanctions_update
