from typing import Literal

WebhookDeliveryReadStatus = Literal["failed", "pending", "succeeded"]

WEBHOOK_DELIVERY_READ_STATUS_VALUES: set[WebhookDeliveryReadStatus] = {
    "failed",
    "pending",
    "succeeded",
}


def check_webhook_delivery_read_status(value: str) -> WebhookDeliveryReadStatus:
    if value in WEBHOOK_DELIVERY_READ_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_DELIVERY_READ_STATUS_VALUES!r}")
