from typing import Literal

DeleteMessagePermanentType1 = Literal['"false"', '"true"', "0", "1", "false", "False", "true", "True"]

DELETE_MESSAGE_PERMANENT_TYPE_1_VALUES: set[DeleteMessagePermanentType1] = {
    '"false"',
    '"true"',
    "0",
    "1",
    "false",
    "False",
    "true",
    "True",
}


def check_delete_message_permanent_type_1(value: str) -> DeleteMessagePermanentType1:
    if value in DELETE_MESSAGE_PERMANENT_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DELETE_MESSAGE_PERMANENT_TYPE_1_VALUES!r}")
