from typing import Literal

ReportReadState = Literal["open", "resolved"]

REPORT_READ_STATE_VALUES: set[ReportReadState] = {
    "open",
    "resolved",
}


def check_report_read_state(value: str) -> ReportReadState:
    if value in REPORT_READ_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_READ_STATE_VALUES!r}")
