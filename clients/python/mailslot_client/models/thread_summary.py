from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.context_read import ContextRead
    from ..models.message_read import MessageRead
    from ..models.person import Person


T = TypeVar("T", bound="ThreadSummary")


@_attrs_define
class ThreadSummary:
    """A thread in a list of threads: enough to show it as one row.

    Attributes:
        thread_id (int):
        subject (str): The subject of its latest message.
        context (ContextRead | None): What the thread is about.
        participants (list[Person]): The sender and receivers of its latest message, you included.
        count (int): Its messages you can see (inbox and sent box).
        unread (int): Unread messages of this thread in your inbox.
        latest (MessageRead):
    """

    thread_id: int
    subject: str
    context: ContextRead | None
    participants: list[Person]
    count: int
    unread: int
    latest: MessageRead
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_read import ContextRead  # noqa: PLC0415

        thread_id = self.thread_id

        subject = self.subject

        context: dict[str, Any] | None
        if isinstance(self.context, ContextRead):
            context = self.context.to_dict()
        else:
            context = self.context

        participants = []
        for participants_item_data in self.participants:
            participants_item = participants_item_data.to_dict()
            participants.append(participants_item)

        count = self.count

        unread = self.unread

        latest = self.latest.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "thread_id": thread_id,
                "subject": subject,
                "context": context,
                "participants": participants,
                "count": count,
                "unread": unread,
                "latest": latest,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_read import ContextRead  # noqa: PLC0415
        from ..models.message_read import MessageRead  # noqa: PLC0415
        from ..models.person import Person  # noqa: PLC0415

        d = dict(src_dict)
        thread_id = d.pop("thread_id")

        subject = d.pop("subject")

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

        participants = []
        _participants = d.pop("participants")
        for participants_item_data in _participants:
            participants_item = Person.from_dict(participants_item_data)

            participants.append(participants_item)

        count = d.pop("count")

        unread = d.pop("unread")

        latest = MessageRead.from_dict(d.pop("latest"))

        thread_summary = cls(
            thread_id=thread_id,
            subject=subject,
            context=context,
            participants=participants,
            count=count,
            unread=unread,
            latest=latest,
        )

        thread_summary.additional_properties = d
        return thread_summary

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
