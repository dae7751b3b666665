"""What a server key may do: the scopes, apart from the service so that the `mailslot`
command names them without importing the database layer."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """What a key may do. A key holds one or more."""

    USERS_WRITE = "users:write"  # provision, update, deactivate users
    TOKENS_MINT = "tokens:mint"  # issue and revoke users' tokens
    MESSAGES_SEND_AS = "messages:send_as"  # send as a user or as the platform
    MAILBOX_READ = "mailbox:read"  # read any mailbox (audited)
    AUDIT_READ = "audit:read"  # list the audit trail of mailbox reads
    WEBHOOKS_MANAGE = "webhooks:manage"
    MODERATION = "moderation"
