from typing import Literal

ErasureReadMode = Literal["pseudonymize", "purge-sent"]

ERASURE_READ_MODE_VALUES: set[ErasureReadMode] = {
    "pseudonymize",
    "purge-sent",
}


def check_erasure_read_mode(value: str) -> ErasureReadMode:
    if value in ERASURE_READ_MODE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ERASURE_READ_MODE_VALUES!r}")
