from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.context_read import ContextRead
    from ..models.message_read import MessageRead


T = TypeVar("T", bound="ThreadPage")


@_attrs_define
class ThreadPage:
    """
    Attributes:
        thread_id (int):
        unread (int): Unread messages of this thread in your inbox.
        context (ContextRead | None): What the thread is about: every message of a thread has the same context.
        messages (list[MessageRead]): What you can see of it, newest first.
        next_cursor (None | str): Pass as `cursor` for the next page; null at the end.
        per_page (int):
    """

    thread_id: int
    unread: int
    context: ContextRead | None
    messages: list[MessageRead]
    next_cursor: None | str
    per_page: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_read import ContextRead  # noqa: PLC0415

        thread_id = self.thread_id

        unread = self.unread

        context: dict[str, Any] | None
        if isinstance(self.context, ContextRead):
            context = self.context.to_dict()
        else:
            context = self.context

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        next_cursor: None | str
        next_cursor = self.next_cursor

        per_page = self.per_page

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "thread_id": thread_id,
                "unread": unread,
                "context": context,
                "messages": messages,
                "next_cursor": next_cursor,
                "per_page": per_page,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_read import ContextRead  # noqa: PLC0415
        from ..models.message_read import MessageRead  # noqa: PLC0415

        d = dict(src_dict)
        thread_id = d.pop("thread_id")

        unread = d.pop("unread")

        def _parse_context(data: object) -> ContextRead | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = ContextRead.from_dict(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextRead | None, data)

        context = _parse_context(d.pop("context"))

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = MessageRead.from_dict(messages_item_data)

            messages.append(messages_item)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        per_page = d.pop("per_page")

        thread_page = cls(
            thread_id=thread_id,
            unread=unread,
            context=context,
            messages=messages,
            next_cursor=next_cursor,
            per_page=per_page,
        )

        thread_page.additional_properties = d
        return thread_page

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
