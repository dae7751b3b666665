from typing import Literal

MessagesUpdateReadType1 = Literal['"false"', '"true"', "0", "1", "false", "False", "true", "True"]

MESSAGES_UPDATE_READ_TYPE_1_VALUES: set[MessagesUpdateReadType1] = {
    '"false"',
    '"true"',
    "0",
    "1",
    "false",
    "False",
    "true",
    "True",
}


def check_messages_update_read_type_1(value: str) -> MessagesUpdateReadType1:
    if value in MESSAGES_UPDATE_READ_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MESSAGES_UPDATE_READ_TYPE_1_VALUES!r}")
