from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.webhook_endpoint_update_event_types_item import (
    WebhookEndpointUpdateEventTypesItem,
    check_webhook_endpoint_update_event_types_item,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointUpdate")


@_attrs_define
class WebhookEndpointUpdate:
    """What to change; a field left out keeps its value (none may be `null`).

    Attributes:
        url (str | Unset): Where events are POSTed: an http(s) URL whose host has only public addresses (unless the
            operator set MAILSLOT_WEBHOOK_ALLOW_PRIVATE), without a user name, password or #fragment; 422
            `webhook_url_refused` otherwise.
        event_types (list[WebhookEndpointUpdateEventTypesItem] | Unset): The event types to receive, or `["*"]` for all
            of them, present and future: `message.created`, `message.read`, `message.unread`, `message.deleted`,
            `user.created`, `user.updated`, `user.deactivated`, `user.reactivated`, `webhook.endpoint.disabled`,
            `report.created`, `report.resolved`. Repeats count once.
        description (str | Unset): Your note about the endpoint, up to 500 characters on one line.
        enabled (bool | Unset): `true` also clears `disabled_reason` and `failing_since` of an endpoint mailslot
            disabled.
    """

    url: str | Unset = UNSET
    event_types: list[WebhookEndpointUpdateEventTypesItem] | Unset = UNSET
    description: str | Unset = UNSET
    enabled: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = []
            for event_types_item_data in self.event_types:
                event_types_item: str = event_types_item_data
                event_types.append(event_types_item)

        description = self.description

        enabled = self.enabled

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if url is not UNSET:
            field_dict["url"] = url
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url", UNSET)

        _event_types = d.pop("event_types", UNSET)
        event_types: list[WebhookEndpointUpdateEventTypesItem] | Unset = UNSET
        if _event_types is not UNSET:
            event_types = []
            for event_types_item_data in _event_types:
                event_types_item = check_webhook_endpoint_update_event_types_item(event_types_item_data)

                event_types.append(event_types_item)

        description = d.pop("description", UNSET)

        enabled = d.pop("enabled", UNSET)

        webhook_endpoint_update = cls(
            url=url,
            event_types=event_types,
            description=description,
            enabled=enabled,
        )

        return webhook_endpoint_update
