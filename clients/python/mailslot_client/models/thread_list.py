from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.thread_summary import ThreadSummary


T = TypeVar("T", bound="ThreadList")


@_attrs_define
class ThreadList:
    """
    Attributes:
        threads (list[ThreadSummary]): The thread with the newest message first.
        next_cursor (None | str): Pass as `cursor` for the next page; null at the end.
        per_page (int):
    """

    threads: list[ThreadSummary]
    next_cursor: None | str
    per_page: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        threads = []
        for threads_item_data in self.threads:
            threads_item = threads_item_data.to_dict()
            threads.append(threads_item)

        next_cursor: None | str
        next_cursor = self.next_cursor

        per_page = self.per_page

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "threads": threads,
                "next_cursor": next_cursor,
                "per_page": per_page,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.thread_summary import ThreadSummary  # noqa: PLC0415

        d = dict(src_dict)
        threads = []
        _threads = d.pop("threads")
        for threads_item_data in _threads:
            threads_item = ThreadSummary.from_dict(threads_item_data)

            threads.append(threads_item)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        per_page = d.pop("per_page")

        thread_list = cls(
            threads=threads,
            next_cursor=next_cursor,
            per_page=per_page,
        )

        thread_list.additional_properties = d
        return thread_list

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
