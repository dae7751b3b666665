from typing import Literal

TokenMintScopesItem = Literal["read", "write"]

TOKEN_MINT_SCOPES_ITEM_VALUES: set[TokenMintScopesItem] = {
    "read",
    "write",
}


def check_token_mint_scopes_item(value: str) -> TokenMintScopesItem:
    if value in TOKEN_MINT_SCOPES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TOKEN_MINT_SCOPES_ITEM_VALUES!r}")
