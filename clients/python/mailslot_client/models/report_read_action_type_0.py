from typing import Literal

ReportReadActionType0 = Literal["delete_message", "dismiss", "shadow_ban_sender", "suspend_sender"]

REPORT_READ_ACTION_TYPE_0_VALUES: set[ReportReadActionType0] = {
    "delete_message",
    "dismiss",
    "shadow_ban_sender",
    "suspend_sender",
}


def check_report_read_action_type_0(value: str) -> ReportReadActionType0:
    if value in REPORT_READ_ACTION_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_READ_ACTION_TYPE_0_VALUES!r}")
