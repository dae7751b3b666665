"""The key behind a `/server` request, and the scope an operation needs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from mailslot.accounts.security import SERVER_KEY_PREFIX
from mailslot.deps import RequestBudgets, Sessions, state_part
from mailslot.errors import (
    InsufficientScope,
    InvalidServerKey,
    Unauthenticated,
    UserTokenNotAccepted,
)
from mailslot.keys import service as keys
from mailslot.keys.grants import Grants as GrantMemory
from mailslot.keys.scopes import Scope
from mailslot.keys.service import Grant
from mailslot.logs import acting_key

Grants = Annotated[GrantMemory, Depends(state_part(lambda state: state.grants))]


class _ServerKey(HTTPBearer):
    """The server key of the request (keys/grants.py: a revocation holds on every instance
    once it is answered). Spends the key's own budget (MAILSLOT_LIMIT_SERVER_KEY):
    the registration and send budgets of user routes do not apply here."""

    async def __call__(  # type: ignore[override]
        self, request: Request, grants: Grants, sessions: Sessions, budgets: RequestBudgets
    ) -> Grant:
        credentials = await super().__call__(request)
        if credentials is None:
            raise Unauthenticated("Send the server key as 'Authorization: Bearer msk_...'.")
        key = credentials.credentials
        if not key.startswith(SERVER_KEY_PREFIX):
            raise UserTokenNotAccepted(
                "Under /server only a server key (msk_...) is accepted, never a user's token."
            )
        grant = await grants.find(key)
        if grant is None:
            raise InvalidServerKey("The server key is unknown or revoked.")
        acting_key(grant.key_id)
        if grant.use_unnoted:
            async with sessions() as db:
                await keys.note_use(db, grant)
                await db.commit()
            grants.noted(key)
        await budgets.server(grant.key_id)
        return grant


ServerKey = Annotated[
    Grant,
    Depends(
        _ServerKey(
            scheme_name="ServerKey",
            description="A server key (`msk_...`) from `mailslot keys create`.",
            auto_error=False,
        )
    ),
]


def key_with(scope: Scope) -> Any:
    """A dependency: the request's key, which must hold `scope` (403 insufficient_scope)."""

    async def granted(grant: ServerKey) -> Grant:
        if scope not in grant.scopes:
            held = ", ".join(sorted(grant.scopes)) or "none"
            raise InsufficientScope(
                f"This operation needs the scope {scope.value}; key {grant.name!r} has: {held}."
            )
        return grant

    return Depends(granted)


UsersWriter = Annotated[Grant, key_with(Scope.USERS_WRITE)]
TokenMinter = Annotated[Grant, key_with(Scope.TOKENS_MINT)]
SenderAs = Annotated[Grant, key_with(Scope.MESSAGES_SEND_AS)]
MailboxReader = Annotated[Grant, key_with(Scope.MAILBOX_READ)]
AuditReader = Annotated[Grant, key_with(Scope.AUDIT_READ)]
WebhooksManager = Annotated[Grant, key_with(Scope.WEBHOOKS_MANAGE)]
Moderator = Annotated[Grant, key_with(Scope.MODERATION)]
