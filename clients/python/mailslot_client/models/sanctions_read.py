from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.held_read import HeldRead
    from ..models.sanction_change_read import SanctionChangeRead


T = TypeVar("T", bound="SanctionsRead")


@_attrs_define
class SanctionsRead:
    """
    Attributes:
        suspended (HeldRead | None): Signs in and reads, cannot send.
        shadow_banned (HeldRead | None): Sends look delivered to them and reach nobody.
        deactivated (HeldRead | None): Cannot sign in, send or receive.
        history (list[SanctionChangeRead]): The newest 100 changes, newest first.
    """

    suspended: HeldRead | None
    shadow_banned: HeldRead | None
    deactivated: HeldRead | None
    history: list[SanctionChangeRead]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.held_read import HeldRead  # noqa: PLC0415

        suspended: dict[str, Any] | None
        if isinstance(self.suspended, HeldRead):
            suspended = self.suspended.to_dict()
        else:
            suspended = self.suspended

        shadow_banned: dict[str, Any] | None
        if isinstance(self.shadow_banned, HeldRead):
            shadow_banned = self.shadow_banned.to_dict()
        else:
            shadow_banned = self.shadow_banned

        deactivated: dict[str, Any] | None
        if isinstance(self.deactivated, HeldRead):
            deactivated = self.deactivated.to_dict()
        else:
            deactivated = self.deactivated

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "suspended": suspended,
                "shadow_banned": shadow_banned,
                "deactivated": deactivated,
                "history": history,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.held_read import HeldRead  # noqa: PLC0415
        from ..models.sanction_change_read import SanctionChangeRead  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_suspended(data: object) -> HeldRead | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                suspended_type_0 = HeldRead.from_dict(data)

                return suspended_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HeldRead | None, data)

        suspended = _parse_suspended(d.pop("suspended"))

        def _parse_shadow_banned(data: object) -> HeldRead | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                shadow_banned_type_0 = HeldRead.from_dict(data)

                return shadow_banned_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HeldRead | None, data)

        shadow_banned = _parse_shadow_banned(d.pop("shadow_banned"))

        def _parse_deactivated(data: object) -> HeldRead | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                deactivated_type_0 = HeldRead.from_dict(data)

                return deactivated_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HeldRead | None, data)

        deactivated = _parse_deactivated(d.pop("deactivated"))

        history = []
        _history = d.pop("history")
        for history_item_data in _history:
            history_item = SanctionChangeRead.from_dict(history_item_data)

            history.append(history_item)

        sanctions_read = cls(
            suspended=suspended,
            shadow_banned=shadow_banned,
            deactivated=deactivated,
            history=history,
        )

        sanctions_read.additional_properties = d
        return sanctions_read

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
