from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.replay_create_event_types_type_0_item import (
    ReplayCreateEventTypesType0Item,
    check_replay_create_event_types_type_0_item,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="ReplayCreate")


@_attrs_define
class ReplayCreate:
    """
    Attributes:
        since (datetime.datetime): Events made at or after (ISO 8601).
        until (datetime.datetime): Events made before; at most MAILSLOT_WEBHOOK_LOG_DAYS after `since`.
        event_types (list[ReplayCreateEventTypesType0Item] | None | Unset): Only events of these types.
        only_failed (bool | Unset): Only deliveries that failed. Default: False.
    """

    since: datetime.datetime
    until: datetime.datetime
    event_types: list[ReplayCreateEventTypesType0Item] | None | Unset = UNSET
    only_failed: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        since = self.since.isoformat()

        until = self.until.isoformat()

        event_types: list[str] | None | Unset
        if isinstance(self.event_types, Unset):
            event_types = UNSET
        elif isinstance(self.event_types, list):
            event_types = []
            for event_types_type_0_item_data in self.event_types:
                event_types_type_0_item: str = event_types_type_0_item_data
                event_types.append(event_types_type_0_item)

        else:
            event_types = self.event_types

        only_failed = self.only_failed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "since": since,
                "until": until,
            }
        )
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if only_failed is not UNSET:
            field_dict["only_failed"] = only_failed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        since = datetime.datetime.fromisoformat(d.pop("since"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        def _parse_event_types(data: object) -> list[ReplayCreateEventTypesType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                event_types_type_0 = []
                _event_types_type_0 = data
                for event_types_type_0_item_data in _event_types_type_0:
                    event_types_type_0_item = check_replay_create_event_types_type_0_item(event_types_type_0_item_data)

                    event_types_type_0.append(event_types_type_0_item)

                return event_types_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ReplayCreateEventTypesType0Item] | None | Unset, data)

        event_types = _parse_event_types(d.pop("event_types", UNSET))

        only_failed = d.pop("only_failed", UNSET)

        replay_create = cls(
            since=since,
            until=until,
            event_types=event_types,
            only_failed=only_failed,
        )

        replay_create.additional_properties = d
        return replay_create

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
