from typing import Literal

SanctionChangeReadKind = Literal["deactivated", "shadow_banned", "suspended"]

SANCTION_CHANGE_READ_KIND_VALUES: set[SanctionChangeReadKind] = {
    "deactivated",
    "shadow_banned",
    "suspended",
}


def check_sanction_change_read_kind(value: str) -> SanctionChangeReadKind:
    if value in SANCTION_CHANGE_READ_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SANCTION_CHANGE_READ_KIND_VALUES!r}")
