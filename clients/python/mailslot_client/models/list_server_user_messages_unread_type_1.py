from typing import Literal

ListServerUserMessagesUnreadType1 = Literal['"false"', '"true"', "0", "1", "false", "False", "true", "True"]

LIST_SERVER_USER_MESSAGES_UNREAD_TYPE_1_VALUES: set[ListServerUserMessagesUnreadType1] = {
    '"false"',
    '"true"',
    "0",
    "1",
    "false",
    "False",
    "true",
    "True",
}


def check_list_server_user_messages_unread_type_1(value: str) -> ListServerUserMessagesUnreadType1:
    if value in LIST_SERVER_USER_MESSAGES_UNREAD_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_SERVER_USER_MESSAGES_UNREAD_TYPE_1_VALUES!r}")
