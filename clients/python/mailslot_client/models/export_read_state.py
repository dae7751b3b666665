from typing import Literal

ExportReadState = Literal["done", "failed", "queued", "running"]

EXPORT_READ_STATE_VALUES: set[ExportReadState] = {
    "done",
    "failed",
    "queued",
    "running",
}


def check_export_read_state(value: str) -> ExportReadState:
    if value in EXPORT_READ_STATE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EXPORT_READ_STATE_VALUES!r}")
