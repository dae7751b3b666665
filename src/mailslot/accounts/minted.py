"""Tokens a host application mints for its users (issue 18): mint, list and revoke, by the
user's external id. Callers own the transaction. A revocation ends the streams the tokens
opened once `db` commits (`end_sessions`); after the commit the caller has every instance
forget the user's tokens (`TokenCache.forget_user`), so no instance accepts them again.

A minted token is an ordinary bearer token (the user's routes take it as they take a
sign-in's) with the scopes and label the host gave; it is stored only as its hash, and
named by its public `token_id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import READ_SCOPE, WRITE_SCOPE, AccessToken
from mailslot.accounts.people import get_external_user
from mailslot.accounts.security import new_token, token_digest
from mailslot.accounts.service import end_sessions, new_token_id
from mailslot.db.base import utcnow
from mailslot.errors import AccountDeactivated, TokenNotFound, Unprocessable

DEFAULT_TTL = 3600
MAX_TTL = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class MintedToken:
    """A new token: the only time `access_token` is seen."""

    access_token: str
    token_id: str
    user_id: int
    label: str | None
    scopes: list[str]
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A live token as the server API lists it: never the token."""

    token_id: str
    label: str | None
    scopes: list[str]
    created_at: datetime
    expires_at: datetime


async def mint_token(
    db: AsyncSession,
    *,
    external_id: str,
    ttl: int = DEFAULT_TTL,
    scopes: Sequence[str],
    label: str | None = None,
) -> MintedToken:
    """A bearer token for the user, valid `ttl` seconds (1 to MAX_TTL, else Unprocessable),
    with `scopes`: `read` alone makes a read-only token; `write` implies `read`. Raises
    UserNotFound for an unknown external id, AccountDeactivated (403) for a deactivated
    user, Unprocessable for no known scope."""
    if not 1 <= ttl <= MAX_TTL:
        raise Unprocessable(
            f"'ttl_seconds' must be 1 to {MAX_TTL} (30 days), not {ttl}.",
            errors=[{"pointer": "/body/ttl_seconds", "detail": f"at most {MAX_TTL}"}],
        )
    granted = {READ_SCOPE, WRITE_SCOPE} if WRITE_SCOPE in scopes else set(scopes)
    if granted != {READ_SCOPE} and granted != {READ_SCOPE, WRITE_SCOPE}:
        raise Unprocessable(
            "A token's scopes are 'read' and 'write'.",
            errors=[{"pointer": "/body/scopes", "detail": "'read' and/or 'write'"}],
        )
    user = await get_external_user(db, external_id)
    if user.deactivated_at is not None:
        raise AccountDeactivated(
            f"The user {external_id!r} is deactivated: reactivate them to mint a token."
        )
    token, token_id, now = new_token(), new_token_id(), utcnow()
    expires_at = now + timedelta(seconds=ttl)
    ordered = sorted(granted)
    # A deactivation racing this insert deletes the row or, committed first, makes the
    # token's user inactive: the look-ups refuse a deactivated user's tokens either way.
    await db.execute(
        insert(AccessToken).values(
            token_hash=token_digest(token),
            user_id=user.account.id,
            created_at=now,
            expires_at=expires_at,
            token_id=token_id,
            scopes=" ".join(ordered),
            label=label,
        )
    )
    return MintedToken(token, token_id, user.account.id, label, ordered, now, expires_at)


async def list_tokens(db: AsyncSession, *, external_id: str) -> list[TokenInfo]:
    """The user's live tokens, minted or signed in, newest first. Raises UserNotFound."""
    user = await get_external_user(db, external_id)
    rows = await db.execute(
        select(
            AccessToken.token_id,
            AccessToken.label,
            AccessToken.scopes,
            AccessToken.created_at,
            AccessToken.expires_at,
        )
        .where(AccessToken.user_id == user.account.id, AccessToken.expires_at > utcnow())
        .order_by(AccessToken.created_at.desc(), AccessToken.token_id)
    )
    return [
        TokenInfo(row.token_id, row.label, row.scopes.split(), row.created_at, row.expires_at)
        for row in rows
    ]


async def revoke_token(db: AsyncSession, *, external_id: str, token_id: str) -> int:
    """Revoke one of the user's tokens; returns the user's id. Raises UserNotFound, and
    TokenNotFound when the user has no live token by that id."""
    user = await get_external_user(db, external_id)
    revoked = await db.execute(
        delete(AccessToken)
        .where(
            AccessToken.user_id == user.account.id,
            AccessToken.token_id == token_id,
            AccessToken.expires_at > utcnow(),
        )
        .returning(AccessToken.token_id)
    )
    if revoked.first() is None:
        raise TokenNotFound(f"The user {external_id!r} has no live token {token_id!r}.")
    end_sessions(db, user.account.id)
    return user.account.id


async def revoke_tokens(
    db: AsyncSession, *, external_id: str, issued_before: datetime | None = None
) -> tuple[int, int]:
    """Revoke every token of the user (minted or signed in), or those issued before
    `issued_before`; returns the user's id and how many live tokens went. Raises
    UserNotFound."""
    user = await get_external_user(db, external_id)
    now = utcnow()
    statement = delete(AccessToken).where(AccessToken.user_id == user.account.id)
    if issued_before is not None:
        statement = statement.where(AccessToken.created_at < issued_before)
    revoked = await db.execute(statement.returning(AccessToken.expires_at))
    live = sum(1 for (expires_at,) in revoked if expires_at > now)
    end_sessions(db, user.account.id)
    return user.account.id, live
