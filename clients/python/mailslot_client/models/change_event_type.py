from typing import Literal

ChangeEventType = Literal["message.created", "message.deleted", "message.updated"]

CHANGE_EVENT_TYPE_VALUES: set[ChangeEventType] = {
    "message.created",
    "message.deleted",
    "message.updated",
}


def check_change_event_type(value: str) -> ChangeEventType:
    if value in CHANGE_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CHANGE_EVENT_TYPE_VALUES!r}")
