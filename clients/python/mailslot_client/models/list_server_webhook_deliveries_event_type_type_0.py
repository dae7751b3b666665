from typing import Literal

ListServerWebhookDeliveriesEventTypeType0 = Literal[
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

LIST_SERVER_WEBHOOK_DELIVERIES_EVENT_TYPE_TYPE_0_VALUES: set[ListServerWebhookDeliveriesEventTypeType0] = {
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


def check_list_server_webhook_deliveries_event_type_type_0(value: str) -> ListServerWebhookDeliveriesEventTypeType0:
    if value in LIST_SERVER_WEBHOOK_DELIVERIES_EVENT_TYPE_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_SERVER_WEBHOOK_DELIVERIES_EVENT_TYPE_TYPE_0_VALUES!r}"
    )
