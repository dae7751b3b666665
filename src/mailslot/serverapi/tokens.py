"""Tokens for the host's users (`/server/users/{external_id}/tokens`, scope `tokens:mint`):
mint, list, revoke one, revoke all or those issued before a time. Calls into
accounts.minted; a revocation ends the tokens' live streams and, before it answers, no
instance accepts them any more."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime, BeforeValidator

from mailslot.accounts import minted
from mailslot.accounts.deps import Tokens
from mailslot.deps import DbSession
from mailslot.openapi import JSON_BODY, problems
from mailslot.serverapi.deps import TokenMinter
from mailslot.serverapi.schemas import (
    MintedTokenRead,
    TokenInfoRead,
    TokenList,
    TokenMint,
    TokensRevoked,
)
from mailslot.serverapi.users import PathExternalId

router = APIRouter(tags=["server"], responses=problems(401, 403, 404, 422, 429, 503))


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")


def _rfc3339(value: object) -> object:
    """A time as the schema says (`format: date-time`), not a number pydantic would read
    as a Unix time."""
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("must be a date-time such as 2026-12-01T00:00:00Z")
    return value


IssuedBefore = Annotated[
    AwareDatetime | None,
    BeforeValidator(_rfc3339),
    Query(description="Revoke only the tokens issued before this time (with its offset)."),
]

TokenId = Annotated[
    str, Path(max_length=32, description="The `token_id` the token was listed with.")
]


@router.post("/server/users/{external_id}/tokens", status_code=201, responses=problems(*JSON_BODY))
async def post_server_user_token(
    external_id: PathExternalId, body: TokenMint, key: TokenMinter, db: DbSession
) -> MintedTokenRead:
    """Mint a bearer token for the user, for your front end to use on the user's routes
    (and for a stream ticket: POST /users/{username}/stream-tickets). It lives
    `ttl_seconds` (one hour unless given, 30 days at most); `["read"]` as `scopes` makes
    a read-only token, refused on every change with 403 `read_only_token`. The token is
    shown this once; `token_id` names it to list and revoke. 403 `account_deactivated`
    for a deactivated user."""
    token = await minted.mint_token(
        db, external_id=external_id, ttl=body.ttl_seconds, scopes=body.scopes, label=body.label
    )
    await db.commit()
    return MintedTokenRead.model_validate(token, from_attributes=True)


@router.get("/server/users/{external_id}/tokens")
async def list_server_user_tokens(
    external_id: PathExternalId, key: TokenMinter, db: DbSession
) -> TokenList:
    """The user's live tokens, minted or from a password sign-in, newest first: their
    ids, labels, scopes and times, never the tokens."""
    tokens = await minted.list_tokens(db, external_id=external_id)
    return TokenList(
        tokens=[TokenInfoRead.model_validate(token, from_attributes=True) for token in tokens]
    )


@router.delete("/server/users/{external_id}/tokens/{token_id}", status_code=204)
async def delete_server_user_token(
    external_id: PathExternalId, token_id: TokenId, key: TokenMinter, db: DbSession, tokens: Tokens
) -> Response:
    """Revoke one token: once this answers, no instance accepts it, and the live streams
    it opened end. 404 `token_not_found` if the user has no live token by that id."""
    user_id = await minted.revoke_token(db, external_id=external_id, token_id=token_id)
    await db.commit()
    await tokens.forget_user(user_id)
    return Response(status_code=204)


@router.delete("/server/users/{external_id}/tokens")
async def delete_server_user_tokens(
    external_id: PathExternalId,
    key: TokenMinter,
    db: DbSession,
    tokens: Tokens,
    issued_before: IssuedBefore = None,
) -> TokensRevoked:
    """Revoke every token of the user, minted or signed in, or only those issued before
    `issued_before`: once this answers, no instance accepts them, and their live streams
    end. Says how many live tokens went."""
    user_id, revoked = await minted.revoke_tokens(
        db, external_id=external_id, issued_before=issued_before
    )
    await db.commit()
    await tokens.forget_user(user_id)
    return TokensRevoked(revoked=revoked)
