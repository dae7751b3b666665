from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.report_create_reason import ReportCreateReason, check_report_create_reason
from ..types import UNSET, Unset

T = TypeVar("T", bound="ReportCreate")


@_attrs_define
class ReportCreate:
    """
    Attributes:
        reason (ReportCreateReason): `spam`, `harassment`, `inappropriate` or `other`.
        note (None | str | Unset): What the operator should know, up to 1000 characters.
    """

    reason: ReportCreateReason
    note: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        reason: str = self.reason

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = check_report_create_reason(d.pop("reason"))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        report_create = cls(
            reason=reason,
            note=note,
        )

        return report_create
