from typing import Literal

ReportResolveAction = Literal["delete_message", "dismiss", "shadow_ban_sender", "suspend_sender"]

REPORT_RESOLVE_ACTION_VALUES: set[ReportResolveAction] = {
    "delete_message",
    "dismiss",
    "shadow_ban_sender",
    "suspend_sender",
}


def check_report_resolve_action(value: str) -> ReportResolveAction:
    if value in REPORT_RESOLVE_ACTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_RESOLVE_ACTION_VALUES!r}")
