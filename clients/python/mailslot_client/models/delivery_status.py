from typing import Literal

DeliveryStatus = Literal["deactivated", "delivered", "unknown_user"]

DELIVERY_STATUS_VALUES: set[DeliveryStatus] = {
    "deactivated",
    "delivered",
    "unknown_user",
}


def check_delivery_status(value: str) -> DeliveryStatus:
    if value in DELIVERY_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DELIVERY_STATUS_VALUES!r}")
