"""The signed-in user, from the bearer token; the password hasher and seed A's session
digests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from mailslot.accounts.security import SERVER_KEY_PREFIX, CredentialDigests, Passwords
from mailslot.accounts.service import Account, username_key
from mailslot.accounts.tokencache import TokenCache
from mailslot.deps import state_part
from mailslot.errors import (
    InvalidToken,
    NotYourMailbox,
    ReadOnlyToken,
    ServerKeyNotAccepted,
    Unauthenticated,
)
from mailslot.logs import acting_user
from mailslot.state import AppState

# auto_error=False: a missing token gets our problem+json 401, not FastAPI's own body.
bearer = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)

BearerToken = Annotated[str | None, Depends(bearer)]


def require_token(token: str | None) -> str:
    if not token:
        raise Unauthenticated("Sign in and send the token as 'Authorization: Bearer <token>'.")
    if token.startswith(SERVER_KEY_PREFIX):
        raise ServerKeyNotAccepted(
            "A server key acts only under /server; a user's routes take that user's token "
            "(POST /server/users/{external_id}/tokens mints one)."
        )
    return token


Tokens = Annotated[TokenCache, Depends(state_part(lambda state: state.token_cache))]
PasswordHasher = Annotated[Passwords, Depends(state_part(lambda state: state.passwords))]
SessionDigests = Annotated[
    CredentialDigests, Depends(state_part(lambda state: state.credential_digests))
]


# Methods that change nothing: a read-only token may call them on any user route.
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _SignedIn(OAuth2PasswordBearer):
    """The user of the request's bearer token. One dependency for FastAPI to solve on every
    authenticated request, where a function of `bearer` would be two; as the scheme
    itself, it still documents the security scheme in OpenAPI.

    A token with only the `read` scope (a host's read-only widget) is refused here on
    every method but GET, HEAD and OPTIONS, so a new route that changes something is
    closed to it without a word; a route that changes nothing of the mailbox although
    it is a POST or a DELETE says so by taking `CurrentUserAnyScope` instead."""

    def __init__(self, *, any_scope: bool) -> None:
        super().__init__(tokenUrl="/token", scheme_name=bearer.scheme_name, auto_error=False)
        self._any_scope = any_scope

    async def __call__(self, request: Request) -> Account:  # type: ignore[override]
        token = await super().__call__(request)
        state: AppState = request.app.state.mailslot
        user = await state.token_cache.user_for(require_token(token))
        if user is None:
            raise InvalidToken("The token is unknown, expired or signed out.")
        acting_user(user.id)
        if user.read_only and not self._any_scope and request.method not in _READING_METHODS:
            raise ReadOnlyToken(
                "This token has only the read scope: it may list, read and stream, "
                "not change anything."
            )
        return user


CurrentUser = Annotated[Account, Depends(_SignedIn(any_scope=False))]
# For the routes that change nothing of the mailbox although they are not GETs: signing
# out, and a stream ticket for EventSource.
CurrentUserAnyScope = Annotated[Account, Depends(_SignedIn(any_scope=True))]


def require_self(user: Account, username: str) -> None:
    """A token acts only on its own user's resources (403 otherwise)."""
    if username_key(username) != username_key(user.username):
        raise NotYourMailbox(f"This token belongs to {user.username}, not to {username}.")
