from typing import Literal

DeliveryReadBoxType0 = Literal["inbox", "trash"]

DELIVERY_READ_BOX_TYPE_0_VALUES: set[DeliveryReadBoxType0] = {
    "inbox",
    "trash",
}


def check_delivery_read_box_type_0(value: str) -> DeliveryReadBoxType0:
    if value in DELIVERY_READ_BOX_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DELIVERY_READ_BOX_TYPE_0_VALUES!r}")
