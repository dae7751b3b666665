from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.webhook_endpoint_create_event_types_item import (
    WebhookEndpointCreateEventTypesItem,
    check_webhook_endpoint_create_event_types_item,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointCreate")


@_attrs_define
class WebhookEndpointCreate:
    """
    Attributes:
        url (str): Where events are POSTed: an http(s) URL whose host has only public addresses (unless the operator set
            MAILSLOT_WEBHOOK_ALLOW_PRIVATE), without a user name, password or #fragment; 422 `webhook_url_refused`
            otherwise.
        event_types (list[WebhookEndpointCreateEventTypesItem]): The event types to receive, or `["*"]` for all of them,
            present and future: `message.created`, `message.read`, `message.unread`, `message.deleted`, `user.created`,
            `user.updated`, `user.deactivated`, `user.reactivated`, `webhook.endpoint.disabled`, `report.created`,
            `report.resolved`. Repeats count once.
        description (str | Unset): Your note about the endpoint, up to 500 characters on one line. Default: ''.
        enabled (bool | Unset): `false`: nothing is sent to it until enabled. Default: True.
    """

    url: str
    event_types: list[WebhookEndpointCreateEventTypesItem]
    description: str | Unset = ""
    enabled: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        event_types = []
        for event_types_item_data in self.event_types:
            event_types_item: str = event_types_item_data
            event_types.append(event_types_item)

        description = self.description

        enabled = self.enabled

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "event_types": event_types,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        event_types = []
        _event_types = d.pop("event_types")
        for event_types_item_data in _event_types:
            event_types_item = check_webhook_endpoint_create_event_types_item(event_types_item_data)

            event_types.append(event_types_item)

        description = d.pop("description", UNSET)

        enabled = d.pop("enabled", UNSET)

        webhook_endpoint_create = cls(
            url=url,
            event_types=event_types,
            description=description,
            enabled=enabled,
        )

        return webhook_endpoint_create
