from typing import Literal

GetMessageMarkReadType1 = Literal['"false"', '"true"', "0", "1", "false", "False", "true", "True"]

GET_MESSAGE_MARK_READ_TYPE_1_VALUES: set[GetMessageMarkReadType1] = {
    '"false"',
    '"true"',
    "0",
    "1",
    "false",
    "False",
    "true",
    "True",
}


def check_get_message_mark_read_type_1(value: str) -> GetMessageMarkReadType1:
    if value in GET_MESSAGE_MARK_READ_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_MESSAGE_MARK_READ_TYPE_1_VALUES!r}")
