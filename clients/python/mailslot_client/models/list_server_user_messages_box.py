from typing import Literal

ListServerUserMessagesBox = Literal["inbox", "sent", "trash"]

LIST_SERVER_USER_MESSAGES_BOX_VALUES: set[ListServerUserMessagesBox] = {
    "inbox",
    "sent",
    "trash",
}


def check_list_server_user_messages_box(value: str) -> ListServerUserMessagesBox:
    if value in LIST_SERVER_USER_MESSAGES_BOX_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_SERVER_USER_MESSAGES_BOX_VALUES!r}")
