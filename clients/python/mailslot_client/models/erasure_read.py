from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.erasure_read_mode import ErasureReadMode, check_erasure_read_mode

if TYPE_CHECKING:
    from ..models.erasure_read_counts import ErasureReadCounts


T = TypeVar("T", bound="ErasureRead")


@_attrs_define
class ErasureRead:
    """An account's erasure as the ledger holds it: no personal data.

    Attributes:
        tombstone (str): The name receivers see in place of the erased user's, from now on.
        mode (ErasureReadMode):
        requested_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        counts (ErasureReadCounts): What went: `received` (the user's copies), `sent_removed` and `sent_kept` (messages
            they sent), `changes` (their change log), `tokens`, `webhook_events`.
    """

    tombstone: str
    mode: ErasureReadMode
    requested_at: datetime.datetime
    finished_at: datetime.datetime | None
    counts: ErasureReadCounts
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tombstone = self.tombstone

        mode: str = self.mode

        requested_at = self.requested_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        counts = self.counts.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tombstone": tombstone,
                "mode": mode,
                "requested_at": requested_at,
                "finished_at": finished_at,
                "counts": counts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.erasure_read_counts import ErasureReadCounts  # noqa: PLC0415

        d = dict(src_dict)
        tombstone = d.pop("tombstone")

        mode = check_erasure_read_mode(d.pop("mode"))

        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        counts = ErasureReadCounts.from_dict(d.pop("counts"))

        erasure_read = cls(
            tombstone=tombstone,
            mode=mode,
            requested_at=requested_at,
            finished_at=finished_at,
            counts=counts,
        )

        erasure_read.additional_properties = d
        return erasure_read

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
