from typing import Literal

ListSystemMessagesBox = Literal["inbox", "sent"]

LIST_SYSTEM_MESSAGES_BOX_VALUES: set[ListSystemMessagesBox] = {
    "inbox",
    "sent",
}


def check_list_system_messages_box(value: str) -> ListSystemMessagesBox:
    if value in LIST_SYSTEM_MESSAGES_BOX_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_SYSTEM_MESSAGES_BOX_VALUES!r}")
