from typing import Literal

DeleteServerUserModeType0 = Literal["pseudonymize", "purge-sent"]

DELETE_SERVER_USER_MODE_TYPE_0_VALUES: set[DeleteServerUserModeType0] = {
    "pseudonymize",
    "purge-sent",
}


def check_delete_server_user_mode_type_0(value: str) -> DeleteServerUserModeType0:
    if value in DELETE_SERVER_USER_MODE_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DELETE_SERVER_USER_MODE_TYPE_0_VALUES!r}")
