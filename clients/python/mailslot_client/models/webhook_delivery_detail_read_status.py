from typing import Literal

WebhookDeliveryDetailReadStatus = Literal["failed", "pending", "succeeded"]

WEBHOOK_DELIVERY_DETAIL_READ_STATUS_VALUES: set[WebhookDeliveryDetailReadStatus] = {
    "failed",
    "pending",
    "succeeded",
}


def check_webhook_delivery_detail_read_status(value: str) -> WebhookDeliveryDetailReadStatus:
    if value in WEBHOOK_DELIVERY_DETAIL_READ_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_DELIVERY_DETAIL_READ_STATUS_VALUES!r}")
