from typing import Literal

MessageUpdateReadType1 = Literal['"false"', '"true"', "0", "1", "false", "False", "true", "True"]

MESSAGE_UPDATE_READ_TYPE_1_VALUES: set[MessageUpdateReadType1] = {
    '"false"',
    '"true"',
    "0",
    "1",
    "false",
    "False",
    "true",
    "True",
}


def check_message_update_read_type_1(value: str) -> MessageUpdateReadType1:
    if value in MESSAGE_UPDATE_READ_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MESSAGE_UPDATE_READ_TYPE_1_VALUES!r}")
