from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_record_query_type_0 import AuditRecordQueryType0


T = TypeVar("T", bound="AuditRecord")


@_attrs_define
class AuditRecord:
    """
    Attributes:
        id (int):
        read_at (datetime.datetime):
        key_id (int):
        key_name (str): The server key that read (`mailslot keys list`).
        external_id (None | str): Whose mailbox: your id for the user.
        username (str):
        operation (str): What was read: `list_server_user_messages` (a page of the mailbox, `query`) or
            `get_server_message` (`message_id`).
        message_id (int | None):
        query (AuditRecordQueryType0 | None): The listing's parameters as given.
    """

    id: int
    read_at: datetime.datetime
    key_id: int
    key_name: str
    external_id: None | str
    username: str
    operation: str
    message_id: int | None
    query: AuditRecordQueryType0 | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_record_query_type_0 import AuditRecordQueryType0  # noqa: PLC0415

        id = self.id

        read_at = self.read_at.isoformat()

        key_id = self.key_id

        key_name = self.key_name

        external_id: None | str
        external_id = self.external_id

        username = self.username

        operation = self.operation

        message_id: int | None
        message_id = self.message_id

        query: dict[str, Any] | None
        if isinstance(self.query, AuditRecordQueryType0):
            query = self.query.to_dict()
        else:
            query = self.query

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "read_at": read_at,
                "key_id": key_id,
                "key_name": key_name,
                "external_id": external_id,
                "username": username,
                "operation": operation,
                "message_id": message_id,
                "query": query,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_record_query_type_0 import AuditRecordQueryType0  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        read_at = datetime.datetime.fromisoformat(d.pop("read_at"))

        key_id = d.pop("key_id")

        key_name = d.pop("key_name")

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("external_id"))

        username = d.pop("username")

        operation = d.pop("operation")

        def _parse_message_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        message_id = _parse_message_id(d.pop("message_id"))

        def _parse_query(data: object) -> AuditRecordQueryType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                query_type_0 = AuditRecordQueryType0.from_dict(data)

                return query_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditRecordQueryType0 | None, data)

        query = _parse_query(d.pop("query"))

        audit_record = cls(
            id=id,
            read_at=read_at,
            key_id=key_id,
            key_name=key_name,
            external_id=external_id,
            username=username,
            operation=operation,
            message_id=message_id,
            query=query,
        )

        audit_record.additional_properties = d
        return audit_record

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
