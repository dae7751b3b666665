from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_delivery_read_status import WebhookDeliveryReadStatus, check_webhook_delivery_read_status

T = TypeVar("T", bound="WebhookDeliveryRead")


@_attrs_define
class WebhookDeliveryRead:
    """
    Attributes:
        event_id (str): The event's `webhook-id`, the same on every attempt.
        event_type (str):
        status (WebhookDeliveryReadStatus): `pending` until an attempt succeeds (`succeeded`, a 2xx answer) or the retry
            schedule ends (`failed`).
        attempts (int): Attempts made so far.
        created_at (datetime.datetime): When the event was made.
        last_attempt_at (datetime.datetime | None):
        last_status_code (int | None): Null: no answer (see `last_error`).
        last_latency_ms (int | None):
        next_attempt_at (datetime.datetime | None): When pending: the next attempt.
        last_response (None | str): The start of the last answer's body.
        last_error (None | str): Why the last attempt failed, if it did.
    """

    event_id: str
    event_type: str
    status: WebhookDeliveryReadStatus
    attempts: int
    created_at: datetime.datetime
    last_attempt_at: datetime.datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    next_attempt_at: datetime.datetime | None
    last_response: None | str
    last_error: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_id = self.event_id

        event_type = self.event_type

        status: str = self.status

        attempts = self.attempts

        created_at = self.created_at.isoformat()

        last_attempt_at: None | str
        if isinstance(self.last_attempt_at, datetime.datetime):
            last_attempt_at = self.last_attempt_at.isoformat()
        else:
            last_attempt_at = self.last_attempt_at

        last_status_code: int | None
        last_status_code = self.last_status_code

        last_latency_ms: int | None
        last_latency_ms = self.last_latency_ms

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        last_response: None | str
        last_response = self.last_response

        last_error: None | str
        last_error = self.last_error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "event_type": event_type,
                "status": status,
                "attempts": attempts,
                "created_at": created_at,
                "last_attempt_at": last_attempt_at,
                "last_status_code": last_status_code,
                "last_latency_ms": last_latency_ms,
                "next_attempt_at": next_attempt_at,
                "last_response": last_response,
                "last_error": last_error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        status = check_webhook_delivery_read_status(d.pop("status"))

        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_last_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_attempt_at = _parse_last_attempt_at(d.pop("last_attempt_at"))

        def _parse_last_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status_code = _parse_last_status_code(d.pop("last_status_code"))

        def _parse_last_latency_ms(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_latency_ms = _parse_last_latency_ms(d.pop("last_latency_ms"))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))

        def _parse_last_response(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_response = _parse_last_response(d.pop("last_response"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        webhook_delivery_read = cls(
            event_id=event_id,
            event_type=event_type,
            status=status,
            attempts=attempts,
            created_at=created_at,
            last_attempt_at=last_attempt_at,
            last_status_code=last_status_code,
            last_latency_ms=last_latency_ms,
            next_attempt_at=next_attempt_at,
            last_response=last_response,
            last_error=last_error,
        )

        webhook_delivery_read.additional_properties = d
        return webhook_delivery_read

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
