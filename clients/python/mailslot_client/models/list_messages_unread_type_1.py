from typing import Literal

ListMessagesUnreadType1 = Literal['"false"', '"true"', "0", "1", "false", "False", "true", "True"]

LIST_MESSAGES_UNREAD_TYPE_1_VALUES: set[ListMessagesUnreadType1] = {
    '"false"',
    '"true"',
    "0",
    "1",
    "false",
    "False",
    "true",
    "True",
}


def check_list_messages_unread_type_1(value: str) -> ListMessagesUnreadType1:
    if value in LIST_MESSAGES_UNREAD_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_MESSAGES_UNREAD_TYPE_1_VALUES!r}")
