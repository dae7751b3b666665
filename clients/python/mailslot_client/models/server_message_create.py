from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.context_create import ContextCreate


T = TypeVar("T", bound="ServerMessageCreate")


@_attrs_define
class ServerMessageCreate:
    """A message from a user (their external id) or from the platform (`"system"`).

    Attributes:
        from_ (str): The sender's external id, or `"system"`: the platform, shown under MAILSLOT_SYSTEM_DISPLAY_NAME.
        to (list[str]): Recipients' external ids, up to 1,000; repeats count once.
        subject (str):
        message (str):
        context (ContextCreate | None | Unset): What the message is about; a reply carries its thread's.
        reply_to (int | None | Unset): The id of a message in the sender's mailbox this answers.
    """

    from_: str
    to: list[str]
    subject: str
    message: str
    context: ContextCreate | None | Unset = UNSET
    reply_to: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_create import ContextCreate  # noqa: PLC0415

        from_ = self.from_

        to = self.to

        subject = self.subject

        message = self.message

        context: dict[str, Any] | None | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        elif isinstance(self.context, ContextCreate):
            context = self.context.to_dict()
        else:
            context = self.context

        reply_to: int | None | Unset
        if isinstance(self.reply_to, Unset):
            reply_to = UNSET
        else:
            reply_to = self.reply_to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
                "subject": subject,
                "message": message,
            }
        )
        if context is not UNSET:
            field_dict["context"] = context
        if reply_to is not UNSET:
            field_dict["reply_to"] = reply_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_create import ContextCreate  # noqa: PLC0415

        d = dict(src_dict)
        from_ = d.pop("from")

        to = cast(list[str], d.pop("to"))

        subject = d.pop("subject")

        message = d.pop("message")

        def _parse_context(data: object) -> ContextCreate | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = ContextCreate.from_dict(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextCreate | None | Unset, data)

        context = _parse_context(d.pop("context", UNSET))

        def _parse_reply_to(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        reply_to = _parse_reply_to(d.pop("reply_to", UNSET))

        server_message_create = cls(
            from_=from_,
            to=to,
            subject=subject,
            message=message,
            context=context,
            reply_to=reply_to,
        )

        return server_message_create
