from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.webhook_event_body_data_type_0 import WebhookEventBodyDataType0


T = TypeVar("T", bound="WebhookEventBody")


@_attrs_define
class WebhookEventBody:
    """The event as its body is sent (Standard Webhooks).

    Attributes:
        type_ (str):
        timestamp (datetime.datetime):
        data (None | WebhookEventBodyDataType0): Null for a mailbox event not yet rendered: its first attempt renders
            it.
    """

    type_: str
    timestamp: datetime.datetime
    data: None | WebhookEventBodyDataType0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_event_body_data_type_0 import WebhookEventBodyDataType0  # noqa: PLC0415

        type_ = self.type_

        timestamp = self.timestamp.isoformat()

        data: dict[str, Any] | None
        if isinstance(self.data, WebhookEventBodyDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "timestamp": timestamp,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_event_body_data_type_0 import WebhookEventBodyDataType0  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        def _parse_data(data: object) -> None | WebhookEventBodyDataType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = WebhookEventBodyDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | WebhookEventBodyDataType0, data)

        data = _parse_data(d.pop("data"))

        webhook_event_body = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        webhook_event_body.additional_properties = d
        return webhook_event_body

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
