"""Registration, sign-in, sign-out and profiles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response

from mailslot.accounts import people, service
from mailslot.accounts.deps import (
    BearerToken,
    CurrentUser,
    CurrentUserAnyScope,
    PasswordHasher,
    Tokens,
    require_self,
    require_token,
)
from mailslot.accounts.schemas import (
    SignedOutEverywhere,
    TokenCreate,
    TokenRead,
    UserCreate,
    UserPublic,
    UserRead,
    UserUpdate,
)
from mailslot.deps import (
    AppSettings,
    ClientAddress,
    DbSession,
    Reads,
    RequestBudgets,
)
from mailslot.logs import acting_user
from mailslot.openapi import JSON_BODY, problems

# Every route here reaches the database, which may be unavailable (503).
router = APIRouter(tags=["accounts"], responses=problems(503))


@router.post("/users", status_code=201, responses=problems(409, 429, *JSON_BODY))
async def post_user(
    body: UserCreate,
    db: DbSession,
    passwords: PasswordHasher,
    budgets: RequestBudgets,
    client: ClientAddress,
) -> UserRead:
    """Register a user. The answer never carries the password or its hash. Registrations
    are budgeted per client address (429 with `Retry-After`)."""
    passwords.require_policy(body.password)
    await budgets.register(client)
    user = await service.register_user(
        db, passwords, username=body.username, email=str(body.email), password=body.password
    )
    await db.commit()
    return _user_read(user)


def _user_read(user: service.Account) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        email=user.email,
        created_at=user.created_at,
        display_name=user.display_name,
    )


async def _sign_in(
    db: DbSession,
    passwords: PasswordHasher,
    settings: AppSettings,
    client: ClientAddress,
    username: str,
    password: str,
) -> TokenRead:
    verified = await service.authenticate(
        db, passwords, username=username, password=password, client=client
    )
    acting_user(verified.user.id)
    token = await service.issue_token(db, verified, ttl=settings.token_ttl)
    await db.commit()
    return TokenRead(access_token=token, expires_in=settings.token_ttl)


@router.post("/users/{username}/token", responses=problems(401, 429, *JSON_BODY))
async def post_token(
    username: str,
    body: TokenCreate,
    db: DbSession,
    passwords: PasswordHasher,
    settings: AppSettings,
    client: ClientAddress,
) -> TokenRead:
    """Sign in: exchange the password for a bearer token. A wrong password, an unknown
    user and a user provisioned without a password get the same 401; the right password
    of a deactivated account gets 403 `account_deactivated`."""
    return await _sign_in(db, passwords, settings, client, username, body.password)


@router.post("/token", responses=problems(401, 429, *JSON_BODY))
async def post_oauth_token(
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    db: DbSession,
    passwords: PasswordHasher,
    settings: AppSettings,
    client: ClientAddress,
) -> TokenRead:
    """Sign in with the OAuth2 password form (what the Authorize button of /docs sends)."""
    return await _sign_in(db, passwords, settings, client, username, password)


@router.delete("/users/{username}/token", status_code=204, responses=problems(401, 403))
async def delete_token(
    username: str, user: CurrentUserAnyScope, token: BearerToken, db: DbSession, tokens: Tokens
) -> Response:
    """Sign out: the presented token stops working at once, and the live streams it
    opened end, on every instance. A read-only token may sign itself out."""
    require_self(user, username)
    await service.sign_out(db, user, require_token(token))
    await db.commit()
    await tokens.forget_user(user.id)  # answered once no instance still accepts it
    return Response(status_code=204)


@router.delete("/users/{username}/tokens", responses=problems(401, 403))
async def delete_tokens(
    username: str, user: CurrentUser, db: DbSession, tokens: Tokens
) -> SignedOutEverywhere:
    """Sign out everywhere: every token of yours stops working at once, this one
    included, and the live streams they opened end, on every instance."""
    require_self(user, username)
    revoked = await service.sign_out_everywhere(db, user)
    await db.commit()
    await tokens.forget_user(user.id)
    return SignedOutEverywhere(revoked=revoked)


@router.get("/users/{username}", responses=problems(401, 404))
async def get_user(username: str, user: CurrentUser, reads: Reads) -> UserRead | UserPublic:
    """Your own profile; for another user, only that the username exists and its display
    name."""
    if service.username_key(username) == service.username_key(user.username):
        return _user_read(user)
    async with reads.connect() as db:
        other = await service.get_user(db, username)
    return UserPublic(username=other.username, display_name=other.display_name)


@router.patch("/users/{username}", responses=problems(401, 403, 409, 429, *JSON_BODY))
async def patch_user(
    username: str,
    body: UserUpdate,
    user: CurrentUser,
    token: BearerToken,
    db: DbSession,
    passwords: PasswordHasher,
    tokens: Tokens,
    client: ClientAddress,
) -> UserRead:
    """Set your display name (`null` removes it), your email address (accounts made
    through seed A's `//signup` have none) and/or change your password.
    `current_password` is required for the email address and the password, not for the
    display name alone. A new password ends your seed A session and signs out every other
    bearer token; the token of this request stays valid."""
    require_self(user, username)
    if body.password is not None:
        passwords.require_policy(body.password)
    if body.email is not None or body.password is not None:
        verified = await service.require_password(
            db, passwords, user=user, password=body.current_password, client=client
        )
        if body.password is not None:
            await service.set_password(
                db, passwords, verified, password=body.password, keep_token=token
            )  # the streams of the other tokens end too
        if body.email is not None:
            user = await service.set_email(db, user=user, email=str(body.email))
    if body.sets_display_name:
        user = await people.set_display_name(db, user=user, display_name=body.display_name)
    if body.email is not None or body.sets_display_name:
        await people.emit_user_updated(db, user.id)
    await db.commit()
    # Other tokens end, and no instance keeps the old email or display name.
    await tokens.forget_user(user.id)
    return _user_read(user)
