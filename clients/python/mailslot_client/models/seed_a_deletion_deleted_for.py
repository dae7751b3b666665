from typing import Literal

SeedADeletionDeletedFor = Literal["everyone", "you"]

SEED_A_DELETION_DELETED_FOR_VALUES: set[SeedADeletionDeletedFor] = {
    "everyone",
    "you",
}


def check_seed_a_deletion_deleted_for(value: str) -> SeedADeletionDeletedFor:
    if value in SEED_A_DELETION_DELETED_FOR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEED_A_DELETION_DELETED_FOR_VALUES!r}")
