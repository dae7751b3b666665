"""Registration, sign-in and tokens. Callers own the transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import AccessToken, User
from mailslot.accounts.schemas import USERNAME_PATTERN
from mailslot.accounts.security import Passwords, new_token, token_digest
from mailslot.db.base import utcnow
from mailslot.errors import (
    EmailTaken,
    InvalidCredentials,
    UnknownReceiver,
    UsernameTaken,
    UserNotFound,
)
from mailslot.ratelimit import current_client


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the services pass it around: never the password hash."""

    id: int
    username: str
    email: str | None
    created_at: datetime


_ACCOUNT_COLUMNS = (User.id, User.username, User.email, User.created_at)
_USERNAME = re.compile(USERNAME_PATTERN)


def username_key(username: str) -> str:
    return username.casefold()


def _possible(username: str) -> bool:
    """Whether a user could have this name: any other (a NUL byte, which PostgreSQL
    refuses outright) is unknown without asking the database."""
    return _USERNAME.fullmatch(username) is not None


def _email_key(email: str) -> str:
    return email.casefold()


async def register_user(
    db: AsyncSession, passwords: Passwords, *, username: str, email: str | None, password: str
) -> Account:
    """Create a user; raises UsernameTaken or EmailTaken (409)."""
    # Hash before touching the database, so no transaction waits on argon2.
    password_hash = await passwords.hash(password)
    key = username_key(username)
    if await db.scalar(select(User.id).where(User.username_key == key)) is not None:
        raise UsernameTaken(f"The username {username!r} is taken.")
    if (
        email is not None
        and await db.scalar(select(User.id).where(User.email_key == _email_key(email))) is not None
    ):
        raise EmailTaken("That email address belongs to another account.")
    now = utcnow()
    try:
        user_id = (
            await db.execute(
                insert(User)
                .values(
                    username=username,
                    username_key=key,
                    email=email,
                    email_key=_email_key(email) if email else None,
                    password_hash=password_hash,
                    created_at=now,
                )
                .returning(User.id)
            )
        ).scalar_one()
    except IntegrityError:
        # A concurrent registration won the race for the same name.
        raise UsernameTaken(f"The username {username!r} is taken.") from None
    return Account(id=user_id, username=username, email=email, created_at=now)


async def find_user(db: AsyncSession, username: str) -> Account | None:
    if not _possible(username):
        return None
    row = (
        await db.execute(
            select(*_ACCOUNT_COLUMNS).where(User.username_key == username_key(username))
        )
    ).one_or_none()
    return Account(*row) if row else None


async def get_user(db: AsyncSession, username: str) -> Account:
    user = await find_user(db, username)
    if user is None:
        raise UserNotFound(f"There is no user {username!r}.")
    return user


async def require_users(db: AsyncSession, usernames: list[str]) -> list[Account]:
    """The accounts for these names, in order; raises UnknownReceiver naming every
    name that is not registered."""
    keys = [username_key(name) if _possible(name) else "" for name in usernames]
    rows = (
        await db.execute(
            select(*_ACCOUNT_COLUMNS, User.username_key).where(User.username_key.in_(keys))
        )
    ).all()
    by_key = {row.username_key: Account(*row[:4]) for row in rows}
    unknown = [name for name, key in zip(usernames, keys, strict=True) if key not in by_key]
    if unknown:
        raise UnknownReceiver(
            "No user is registered as " + ", ".join(repr(name) for name in unknown) + ".",
            errors=[
                {"pointer": "/body/receivers", "detail": f"unknown user {name!r}"}
                for name in unknown
            ],
        )
    return [by_key[key] for key in keys]


async def authenticate(
    db: AsyncSession,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    client: str | None = None,
) -> Account:
    """The account if the password is right; raises InvalidCredentials otherwise, with the
    same answer and cost for an unknown user as for a wrong password, and TooManyRequests
    (429) once the failed sign-in budget of the account or of the client address is spent.
    Every door that checks a password comes through here, so they share one budget.
    `client` defaults to the address of the request being served."""
    key = username_key(username)
    async with passwords.throttle.attempt(key, client or current_client.get()):
        row = (
            (
                await db.execute(
                    select(*_ACCOUNT_COLUMNS, User.password_hash).where(User.username_key == key)
                )
            ).one_or_none()
            if _possible(username)
            else None
        )
        # End the read before hashing: no snapshot or SQLite lock is held while argon2 runs.
        await db.rollback()
        hashed = row.password_hash if row else None
        if not await passwords.verify(hashed, password) or row is None:
            raise InvalidCredentials("The username or password is incorrect.")
    return Account(*row[:4])


async def issue_token(db: AsyncSession, user: Account, *, ttl: int) -> str:
    token = new_token()
    now = utcnow()
    await db.execute(
        insert(AccessToken).values(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    return token


async def find_token_user(db: AsyncSession, token: str) -> Account | None:
    """The owner of a live token, or None for an unknown, expired or revoked one."""
    row = (
        await db.execute(
            select(*_ACCOUNT_COLUMNS)
            .join(AccessToken, AccessToken.user_id == User.id)
            .where(AccessToken.token_hash == token_digest(token), AccessToken.expires_at > utcnow())
        )
    ).one_or_none()
    return Account(*row) if row else None


async def revoke_token(db: AsyncSession, token: str) -> None:
    await db.execute(delete(AccessToken).where(AccessToken.token_hash == token_digest(token)))
