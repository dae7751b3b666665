from typing import Literal

ReportReadReason = Literal["harassment", "inappropriate", "other", "spam"]

REPORT_READ_REASON_VALUES: set[ReportReadReason] = {
    "harassment",
    "inappropriate",
    "other",
    "spam",
}


def check_report_read_reason(value: str) -> ReportReadReason:
    if value in REPORT_READ_REASON_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_READ_REASON_VALUES!r}")
