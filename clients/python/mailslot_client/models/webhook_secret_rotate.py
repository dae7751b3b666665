from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookSecretRotate")


@_attrs_define
class WebhookSecretRotate:
    """
    Attributes:
        grace_seconds (int | Unset): How long the previous secret keeps signing beside the new one, 0 to 604800 seconds
            (7 days); 86400 (a day) unless given. Default: 86400.
    """

    grace_seconds: int | Unset = 86400

    def to_dict(self) -> dict[str, Any]:
        grace_seconds = self.grace_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if grace_seconds is not UNSET:
            field_dict["grace_seconds"] = grace_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        grace_seconds = d.pop("grace_seconds", UNSET)

        webhook_secret_rotate = cls(
            grace_seconds=grace_seconds,
        )

        return webhook_secret_rotate
