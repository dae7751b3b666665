from typing import Literal

BatchItemResultOutcomeType0 = Literal["created", "unchanged", "updated"]

BATCH_ITEM_RESULT_OUTCOME_TYPE_0_VALUES: set[BatchItemResultOutcomeType0] = {
    "created",
    "unchanged",
    "updated",
}


def check_batch_item_result_outcome_type_0(value: str) -> BatchItemResultOutcomeType0:
    if value in BATCH_ITEM_RESULT_OUTCOME_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {BATCH_ITEM_RESULT_OUTCOME_TYPE_0_VALUES!r}")
