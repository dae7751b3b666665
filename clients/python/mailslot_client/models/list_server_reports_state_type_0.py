from typing import Literal

ListServerReportsStateType0 = Literal["open", "resolved"]

LIST_SERVER_REPORTS_STATE_TYPE_0_VALUES: set[ListServerReportsStateType0] = {
    "open",
    "resolved",
}


def check_list_server_reports_state_type_0(value: str) -> ListServerReportsStateType0:
    if value in LIST_SERVER_REPORTS_STATE_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_SERVER_REPORTS_STATE_TYPE_0_VALUES!r}")
