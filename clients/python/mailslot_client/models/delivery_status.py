from typing import Literal

DeliveryStatus = Literal["blocked", "deactivated", "delivered", "policy_denied", "unknown_user", "withheld"]

DELIVERY_STATUS_VALUES: set[DeliveryStatus] = {
    "blocked",
    "deactivated",
    "delivered",
    "policy_denied",
    "unknown_user",
    "withheld",
}


def check_delivery_status(value: str) -> DeliveryStatus:
    if value in DELIVERY_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DELIVERY_STATUS_VALUES!r}")
