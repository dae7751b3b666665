from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.batch_item_result_outcome_type_0 import (
    BatchItemResultOutcomeType0,
    check_batch_item_result_outcome_type_0,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_user_read import ExternalUserRead
    from ..models.problem import Problem


T = TypeVar("T", bound="BatchItemResult")


@_attrs_define
class BatchItemResult:
    """One user of a batch: its outcome and the user, or `error` and the problem.

    Attributes:
        external_id (None | str):
        outcome (BatchItemResultOutcomeType0 | Literal['error']):
        user (ExternalUserRead | None | Unset):
        error (None | Problem | Unset):
    """

    external_id: None | str
    outcome: BatchItemResultOutcomeType0 | Literal["error"]
    user: ExternalUserRead | None | Unset = UNSET
    error: None | Problem | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.external_user_read import ExternalUserRead  # noqa: PLC0415
        from ..models.problem import Problem  # noqa: PLC0415

        external_id: None | str
        external_id = self.external_id

        outcome: Literal["error"] | str
        if isinstance(self.outcome, str):
            outcome = self.outcome
        else:
            outcome = self.outcome

        user: dict[str, Any] | None | Unset
        if isinstance(self.user, Unset):
            user = UNSET
        elif isinstance(self.user, ExternalUserRead):
            user = self.user.to_dict()
        else:
            user = self.user

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, Problem):
            error = self.error.to_dict()
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "external_id": external_id,
                "outcome": outcome,
            }
        )
        if user is not UNSET:
            field_dict["user"] = user
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.external_user_read import ExternalUserRead  # noqa: PLC0415
        from ..models.problem import Problem  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("external_id"))

        def _parse_outcome(data: object) -> BatchItemResultOutcomeType0 | Literal["error"]:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_0 = check_batch_item_result_outcome_type_0(data)

                return outcome_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            outcome_type_1 = cast(Literal["error"], data)
            if outcome_type_1 != "error":
                raise ValueError(f"outcome_type_1 must match const 'error', got '{outcome_type_1}'")
            return outcome_type_1

        outcome = _parse_outcome(d.pop("outcome"))

        def _parse_user(data: object) -> ExternalUserRead | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                user_type_0 = ExternalUserRead.from_dict(data)

                return user_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExternalUserRead | None | Unset, data)

        user = _parse_user(d.pop("user", UNSET))

        def _parse_error(data: object) -> None | Problem | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = Problem.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Problem | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        batch_item_result = cls(
            external_id=external_id,
            outcome=outcome,
            user=user,
            error=error,
        )

        batch_item_result.additional_properties = d
        return batch_item_result

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
