from typing import Literal

ReportCreatedState = Literal["open", "resolved"]

REPORT_CREATED_STATE_VALUES: set[ReportCreatedState] = {
    "open",
    "resolved",
}


def check_report_created_state(value: str) -> ReportCreatedState:
    if value in REPORT_CREATED_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_CREATED_STATE_VALUES!r}")
