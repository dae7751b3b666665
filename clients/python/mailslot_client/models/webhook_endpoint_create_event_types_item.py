from typing import Literal

WebhookEndpointCreateEventTypesItem = Literal[
    "*",
    "message.created",
    "message.deleted",
    "message.read",
    "message.unread",
    "report.created",
    "report.resolved",
    "user.created",
    "user.deactivated",
    "user.reactivated",
    "user.updated",
    "webhook.endpoint.disabled",
]

WEBHOOK_ENDPOINT_CREATE_EVENT_TYPES_ITEM_VALUES: set[WebhookEndpointCreateEventTypesItem] = {
    "*",
    "message.created",
    "message.deleted",
    "message.read",
    "message.unread",
    "report.created",
    "report.resolved",
    "user.created",
    "user.deactivated",
    "user.reactivated",
    "user.updated",
    "webhook.endpoint.disabled",
}


def check_webhook_endpoint_create_event_types_item(value: str) -> WebhookEndpointCreateEventTypesItem:
    if value in WEBHOOK_ENDPOINT_CREATE_EVENT_TYPES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_ENDPOINT_CREATE_EVENT_TYPES_ITEM_VALUES!r}")
