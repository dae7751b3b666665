from typing import Literal

ListServerWebhookDeliveriesStatusType0 = Literal["failed", "pending", "succeeded"]

LIST_SERVER_WEBHOOK_DELIVERIES_STATUS_TYPE_0_VALUES: set[ListServerWebhookDeliveriesStatusType0] = {
    "failed",
    "pending",
    "succeeded",
}


def check_list_server_webhook_deliveries_status_type_0(value: str) -> ListServerWebhookDeliveriesStatusType0:
    if value in LIST_SERVER_WEBHOOK_DELIVERIES_STATUS_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_SERVER_WEBHOOK_DELIVERIES_STATUS_TYPE_0_VALUES!r}"
    )
