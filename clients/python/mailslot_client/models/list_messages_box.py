from typing import Literal

ListMessagesBox = Literal["inbox", "sent", "trash"]

LIST_MESSAGES_BOX_VALUES: set[ListMessagesBox] = {
    "inbox",
    "sent",
    "trash",
}


def check_list_messages_box(value: str) -> ListMessagesBox:
    if value in LIST_MESSAGES_BOX_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_MESSAGES_BOX_VALUES!r}")
