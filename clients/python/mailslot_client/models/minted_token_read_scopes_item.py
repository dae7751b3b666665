from typing import Literal

MintedTokenReadScopesItem = Literal["read", "write"]

MINTED_TOKEN_READ_SCOPES_ITEM_VALUES: set[MintedTokenReadScopesItem] = {
    "read",
    "write",
}


def check_minted_token_read_scopes_item(value: str) -> MintedTokenReadScopesItem:
    if value in MINTED_TOKEN_READ_SCOPES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MINTED_TOKEN_READ_SCOPES_ITEM_VALUES!r}")
