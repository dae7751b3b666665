from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WebhookAttemptRead")


@_attrs_define
class WebhookAttemptRead:
    """
    Attributes:
        number (int): 1 for the first attempt.
        started_at (datetime.datetime):
        status_code (int | None): Null: no answer (see `error`).
        latency_ms (int):
        response (None | str): The start of the answer's body.
        error (None | str): A timeout, a refused connection, ...
    """

    number: int
    started_at: datetime.datetime
    status_code: int | None
    latency_ms: int
    response: None | str
    error: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        started_at = self.started_at.isoformat()

        status_code: int | None
        status_code = self.status_code

        latency_ms = self.latency_ms

        response: None | str
        response = self.response

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "started_at": started_at,
                "status_code": status_code,
                "latency_ms": latency_ms,
                "response": response,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        number = d.pop("number")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))

        latency_ms = d.pop("latency_ms")

        def _parse_response(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        response = _parse_response(d.pop("response"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        webhook_attempt_read = cls(
            number=number,
            started_at=started_at,
            status_code=status_code,
            latency_ms=latency_ms,
            response=response,
            error=error,
        )

        webhook_attempt_read.additional_properties = d
        return webhook_attempt_read

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
