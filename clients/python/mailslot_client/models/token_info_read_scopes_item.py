from typing import Literal

TokenInfoReadScopesItem = Literal["read", "write"]

TOKEN_INFO_READ_SCOPES_ITEM_VALUES: set[TokenInfoReadScopesItem] = {
    "read",
    "write",
}


def check_token_info_read_scopes_item(value: str) -> TokenInfoReadScopesItem:
    if value in TOKEN_INFO_READ_SCOPES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TOKEN_INFO_READ_SCOPES_ITEM_VALUES!r}")
