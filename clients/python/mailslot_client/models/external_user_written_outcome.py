from typing import Literal

ExternalUserWrittenOutcome = Literal["created", "unchanged", "updated"]

EXTERNAL_USER_WRITTEN_OUTCOME_VALUES: set[ExternalUserWrittenOutcome] = {
    "created",
    "unchanged",
    "updated",
}


def check_external_user_written_outcome(value: str) -> ExternalUserWrittenOutcome:
    if value in EXTERNAL_USER_WRITTEN_OUTCOME_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EXTERNAL_USER_WRITTEN_OUTCOME_VALUES!r}")
