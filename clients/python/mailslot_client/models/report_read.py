from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.report_read_action_type_0 import ReportReadActionType0, check_report_read_action_type_0
from ..models.report_read_reason import ReportReadReason, check_report_read_reason
from ..models.report_read_state import ReportReadState, check_report_read_state

if TYPE_CHECKING:
    from ..models.person_read import PersonRead
    from ..models.reported_message import ReportedMessage


T = TypeVar("T", bound="ReportRead")


@_attrs_define
class ReportRead:
    """
    Attributes:
        id (int):
        state (ReportReadState):
        reason (ReportReadReason):
        note (None | str):
        created_at (datetime.datetime):
        message (ReportedMessage):
        reporter (PersonRead):
        sender (PersonRead):
        action (None | ReportReadActionType0): How it was resolved; null while open.
        resolved_at (datetime.datetime | None):
    """

    id: int
    state: ReportReadState
    reason: ReportReadReason
    note: None | str
    created_at: datetime.datetime
    message: ReportedMessage
    reporter: PersonRead
    sender: PersonRead
    action: None | ReportReadActionType0
    resolved_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        state: str = self.state

        reason: str = self.reason

        note: None | str
        note = self.note

        created_at = self.created_at.isoformat()

        message = self.message.to_dict()

        reporter = self.reporter.to_dict()

        sender = self.sender.to_dict()

        action: None | str
        if isinstance(self.action, str):
            action = self.action
        else:
            action = self.action

        resolved_at: None | str
        if isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "state": state,
                "reason": reason,
                "note": note,
                "created_at": created_at,
                "message": message,
                "reporter": reporter,
                "sender": sender,
                "action": action,
                "resolved_at": resolved_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.person_read import PersonRead  # noqa: PLC0415
        from ..models.reported_message import ReportedMessage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        state = check_report_read_state(d.pop("state"))

        reason = check_report_read_reason(d.pop("reason"))

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        message = ReportedMessage.from_dict(d.pop("message"))

        reporter = PersonRead.from_dict(d.pop("reporter"))

        sender = PersonRead.from_dict(d.pop("sender"))

        def _parse_action(data: object) -> None | ReportReadActionType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                action_type_0 = check_report_read_action_type_0(data)

                return action_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReportReadActionType0, data)

        action = _parse_action(d.pop("action"))

        def _parse_resolved_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at"))

        report_read = cls(
            id=id,
            state=state,
            reason=reason,
            note=note,
            created_at=created_at,
            message=message,
            reporter=reporter,
            sender=sender,
            action=action,
            resolved_at=resolved_at,
        )

        report_read.additional_properties = d
        return report_read

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
