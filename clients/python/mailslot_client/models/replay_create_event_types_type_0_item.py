from typing import Literal

ReplayCreateEventTypesType0Item = Literal[
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

REPLAY_CREATE_EVENT_TYPES_TYPE_0_ITEM_VALUES: set[ReplayCreateEventTypesType0Item] = {
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


def check_replay_create_event_types_type_0_item(value: str) -> ReplayCreateEventTypesType0Item:
    if value in REPLAY_CREATE_EVENT_TYPES_TYPE_0_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPLAY_CREATE_EVENT_TYPES_TYPE_0_ITEM_VALUES!r}")
