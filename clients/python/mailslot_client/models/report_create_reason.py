from typing import Literal

ReportCreateReason = Literal["harassment", "inappropriate", "other", "spam"]

REPORT_CREATE_REASON_VALUES: set[ReportCreateReason] = {
    "harassment",
    "inappropriate",
    "other",
    "spam",
}


def check_report_create_reason(value: str) -> ReportCreateReason:
    if value in REPORT_CREATE_REASON_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_CREATE_REASON_VALUES!r}")
