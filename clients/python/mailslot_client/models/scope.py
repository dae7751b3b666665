from typing import Literal

Scope = Literal[
    "audit:read", "mailbox:read", "messages:send_as", "moderation", "tokens:mint", "users:write", "webhooks:manage"
]

SCOPE_VALUES: set[Scope] = {
    "audit:read",
    "mailbox:read",
    "messages:send_as",
    "moderation",
    "tokens:mint",
    "users:write",
    "webhooks:manage",
}


def check_scope(value: str) -> Scope:
    if value in SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SCOPE_VALUES!r}")
