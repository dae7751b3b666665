"""What an operator does to accounts (`mailslot user ...`): list, look up, create,
deactivate and reactivate any user, reset a password, end every session. Callers own the
transaction, and after a commit that revoked tokens they have every instance forget the
user's tokens (`TokenCache.forget_user`, or `bus/oneshot.py` from a command).

Deactivation is one rule for every door: the server API deactivates a provisioned user
by external id (people.py), the CLI any user by name, both through `deactivate` here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import AccessToken, User
from mailslot.accounts.schemas import Email, Password, Username, clean_display_name
from mailslot.accounts.security import Passwords
from mailslot.accounts.service import (
    SYSTEM_USERNAME,
    Account,
    emit_user_event,
    end_sessions,
    register_user,
    username_key,
)
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import Unprocessable, UserNotFound

GENERATED_PASSWORD_BYTES = 18  # 24 URL-safe characters, 144 bits


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as an operator sees it: never the password hash."""

    id: int
    username: str
    display_name: str | None
    email: str | None
    external_id: str | None
    created_at: datetime
    deactivated_at: datetime | None

    @property
    def account(self) -> Account:
        return Account(self.id, self.username, self.email, self.created_at, self.display_name)


_RECORD = (
    User.id,
    User.username,
    User.display_name,
    User.email,
    User.external_id,
    User.created_at,
    User.deactivated_at,
)


async def list_users(
    db: Reader, *, search: str | None = None, limit: int = 100
) -> tuple[list[UserRecord], bool]:
    """Users in the order they registered, at most `limit`, and whether there are more. `search` keeps those whose username, display name, email address or
    external id contains it, whatever the case. The system account is left out."""
    query = select(*_RECORD).where(User.username_key != username_key(SYSTEM_USERNAME))
    if search:
        query = query.where(
            or_(
                *(
                    column.icontains(search, autoescape=True)
                    for column in (User.username, User.display_name, User.email, User.external_id)
                )
            )
        )
    rows = (await db.execute(query.order_by(User.id).limit(limit + 1))).all()
    return [UserRecord(*row) for row in rows[:limit]], len(rows) > limit


async def get_user(
    db: Reader, *, username: str | None = None, external_id: str | None = None
) -> UserRecord:
    """The user by username (any case) or by the host's external id; raises UserNotFound."""
    if username is not None:
        where, named = User.username_key == username_key(username), f"user {username!r}"
    elif external_id is not None:
        where, named = User.external_id == external_id, f"user with the external id {external_id!r}"
    else:
        raise ValueError("a username or an external id")
    row = (await db.execute(select(*_RECORD).where(where))).one_or_none()
    if row is None or row.username == SYSTEM_USERNAME:
        raise UserNotFound(f"There is no {named}.")
    return UserRecord(*row)


@dataclass(frozen=True, slots=True)
class Sessions:
    tokens: int  # live bearer tokens, signed in or minted
    legacy: bool  # a seed A session is started


async def count_sessions(db: Reader, user_id: int) -> Sessions:
    tokens = await db.scalar(
        select(func.count())
        .select_from(AccessToken)
        .where(AccessToken.user_id == user_id, AccessToken.expires_at > utcnow())
    )
    legacy = await db.scalar(select(User.legacy_logged_in).where(User.id == user_id))
    return Sessions(int(tokens or 0), bool(legacy))


def _valid(adapter: TypeAdapter[str], field: str, value: str) -> str:
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        detail = error.errors()[0]["msg"]
        raise Unprocessable(
            f"'{field}' {detail}.", errors=[{"pointer": f"/{field}", "detail": detail}]
        ) from None


_USERNAME: TypeAdapter[str] = TypeAdapter(Username)
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)
_PASSWORD: TypeAdapter[str] = TypeAdapter(Password)


def new_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def check_password(password: str) -> str:
    """The password if registration would take it; Unprocessable (422) otherwise."""
    return _valid(_PASSWORD, "password", password)


async def create_user(
    db: AsyncSession,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    email: str | None = None,
    display_name: str | None = None,
) -> UserRecord:
    """Register a user as `POST /users` does, with the same checks (Unprocessable, 422,
    naming the field), and a display name. Raises UsernameTaken or EmailTaken (409)."""
    username = _valid(_USERNAME, "username", username)
    email = None if email is None else _valid(_EMAIL, "email", email)
    if display_name is not None:
        try:
            display_name = clean_display_name(display_name)
        except ValueError as error:
            raise Unprocessable(
                f"'display_name' {error}.",
                errors=[{"pointer": "/display_name", "detail": str(error)}],
            ) from None
    account = await register_user(
        db,
        passwords,
        username=username,
        email=email,
        password=check_password(password),
        display_name=display_name,
    )
    return UserRecord(
        account.id, account.username, display_name, account.email, None, account.created_at, None
    )


async def end_all_sessions(db: AsyncSession, user_id: int) -> int:
    """Revoke every bearer token of the user (signed in or minted; their stream tickets
    go with them) and end the seed A session; returns how many live tokens went. The
    user's streams end on every instance once `db` commits (`end_sessions`)."""
    now = utcnow()
    revoked = await db.execute(
        delete(AccessToken).where(AccessToken.user_id == user_id).returning(AccessToken.expires_at)
    )
    live = sum(1 for (expires_at,) in revoked if expires_at > now)
    await db.execute(
        update(User)
        .where(User.id == user_id)
        .values(legacy_logged_in=False, legacy_session_digest=None)
    )
    end_sessions(db, user_id)
    return live


async def emit_user_change(db: AsyncSession, event_type: str, user_id: int) -> None:
    """Write a `user.*` webhook event of the user as they are now in the transaction."""
    row = (
        await db.execute(select(*_RECORD, User.custom, User.groups).where(User.id == user_id))
    ).one()
    record = UserRecord(*row[:7])
    await emit_user_event(
        db,
        event_type,
        record.account,
        external_id=record.external_id,
        custom=row.custom,
        deactivated_at=record.deactivated_at,
        groups=row.groups,
    )


async def deactivate(db: AsyncSession, user_id: int) -> datetime | None:
    """Deactivate the user; returns when, or None if they were deactivated already (then
    nothing changes). Every token and stream ticket is revoked and the seed A session
    ends (`end_all_sessions`); sign-in is refused (AccountDeactivated) and so are sends
    to them (ReceiverDeactivated) until `reactivate`. Their messages stay where they are.
    Writes the `user.deactivated` webhook event."""
    now = utcnow()
    changed = await db.execute(
        update(User)
        .where(User.id == user_id, User.deactivated_at.is_(None))
        .values(deactivated_at=now)
        .returning(User.id)
    )
    if changed.first() is None:
        return None
    await end_all_sessions(db, user_id)
    await emit_user_change(db, "user.deactivated", user_id)
    return now


async def reactivate(db: AsyncSession, user_id: int) -> bool:
    """Let the user sign in and receive again; the tokens revoked stay revoked. Returns
    False when they were active (nothing changes). Writes the `user.reactivated` event."""
    changed = await db.execute(
        update(User)
        .where(User.id == user_id, User.deactivated_at.is_not(None))
        .values(deactivated_at=None)
        .returning(User.id)
    )
    if changed.first() is None:
        return False
    await emit_user_change(db, "user.reactivated", user_id)
    return True


async def reset_password(
    db: AsyncSession, passwords: Passwords, *, user_id: int, password: str
) -> int:
    """Give the user this password (Unprocessable, 422, for one registration refuses),
    and sign them out everywhere (`end_all_sessions`); returns how many live tokens went.
    Hashed before the transaction writes anything."""
    password_hash = await passwords.hash(check_password(password))
    changed = await db.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash)
        .returning(User.id)
    )
    if changed.first() is None:
        raise UserNotFound(f"There is no user with the id {user_id}.")
    return await end_all_sessions(db, user_id)
