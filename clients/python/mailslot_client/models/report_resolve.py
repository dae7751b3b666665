from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.report_resolve_action import ReportResolveAction, check_report_resolve_action

T = TypeVar("T", bound="ReportResolve")


@_attrs_define
class ReportResolve:
    """
    Attributes:
        action (ReportResolveAction): `dismiss`: nothing else happens; `delete_message`: the message is deleted for
            everyone, as its sender's delete does; `suspend_sender`, `shadow_ban_sender`: the sender is sanctioned, with the
            report's reason.
    """

    action: ReportResolveAction

    def to_dict(self) -> dict[str, Any]:
        action: str = self.action

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = check_report_resolve_action(d.pop("action"))

        report_resolve = cls(
            action=action,
        )

        return report_resolve
