from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.context_create import ContextCreate


T = TypeVar("T", bound="MessageCreate")


@_attrs_define
class MessageCreate:
    """Give `receiver` (seed B) or `receivers` (up to 100), not both. A reply
    (`reply_to`) may give neither: it goes to the other participants of the message
    it answers. So may a send with a `context_token`: it goes to the token's
    participants.

        Attributes:
            message (str):
            receiver (None | str | Unset):
            receivers (list[str] | None | Unset):
            subject (None | str | Unset): Required, but for a reply (which then takes the subject of the message it answers)
                and for a message with a `context` or `context_token` (which then takes the context's ref).
            reply_to (int | None | Unset): The id of a message in your mailbox you answer.
            context (ContextCreate | None | Unset): What the message is about; a reply carries its thread's.
            context_token (None | str | Unset): A `ctx_` token a host minted: the message goes to its participants under its
                context. Instead of `context`.
    """

    message: str
    receiver: None | str | Unset = UNSET
    receivers: list[str] | None | Unset = UNSET
    subject: None | str | Unset = UNSET
    reply_to: int | None | Unset = UNSET
    context: ContextCreate | None | Unset = UNSET
    context_token: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_create import ContextCreate  # noqa: PLC0415

        message = self.message

        receiver: None | str | Unset
        if isinstance(self.receiver, Unset):
            receiver = UNSET
        else:
            receiver = self.receiver

        receivers: list[str] | None | Unset
        if isinstance(self.receivers, Unset):
            receivers = UNSET
        elif isinstance(self.receivers, list):
            receivers = self.receivers

        else:
            receivers = self.receivers

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        reply_to: int | None | Unset
        if isinstance(self.reply_to, Unset):
            reply_to = UNSET
        else:
            reply_to = self.reply_to

        context: dict[str, Any] | None | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        elif isinstance(self.context, ContextCreate):
            context = self.context.to_dict()
        else:
            context = self.context

        context_token: None | str | Unset
        if isinstance(self.context_token, Unset):
            context_token = UNSET
        else:
            context_token = self.context_token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "message": message,
            }
        )
        if receiver is not UNSET:
            field_dict["receiver"] = receiver
        if receivers is not UNSET:
            field_dict["receivers"] = receivers
        if subject is not UNSET:
            field_dict["subject"] = subject
        if reply_to is not UNSET:
            field_dict["reply_to"] = reply_to
        if context is not UNSET:
            field_dict["context"] = context
        if context_token is not UNSET:
            field_dict["context_token"] = context_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_create import ContextCreate  # noqa: PLC0415

        d = dict(src_dict)
        message = d.pop("message")

        def _parse_receiver(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        receiver = _parse_receiver(d.pop("receiver", UNSET))

        def _parse_receivers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                receivers_type_0 = cast(list[str], data)

                return receivers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        receivers = _parse_receivers(d.pop("receivers", UNSET))

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        def _parse_reply_to(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        reply_to = _parse_reply_to(d.pop("reply_to", UNSET))

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

        def _parse_context_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        context_token = _parse_context_token(d.pop("context_token", UNSET))

        message_create = cls(
            message=message,
            receiver=receiver,
            receivers=receivers,
            subject=subject,
            reply_to=reply_to,
            context=context,
            context_token=context_token,
        )

        return message_create
