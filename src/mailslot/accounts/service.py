"""Registration, sign-in and tokens. Callers own the transaction."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import WRITE_SCOPE, AccessToken, StreamTicket, User, UsernameHold
from mailslot.accounts.schemas import USERNAME_PATTERN, UserEventData
from mailslot.accounts.security import (
    CredentialDigests,
    Passwords,
    new_token,
    token_digest,
)
from mailslot.bus.events import SESSION_ENDED, Event, publish_on_commit
from mailslot.db.base import UTCDateTime, utcnow
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import Reader
from mailslot.errors import (
    AccountDeactivated,
    AccountSuspended,
    EmailTaken,
    InvalidCredentials,
    ReceiverDeactivated,
    UnknownReceiver,
    UsernameHeld,
    UsernameTaken,
    UserNotFound,
    WrongPassword,
)
from mailslot.webhooks import outbox


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the services pass it around: never the password hash."""

    id: int
    username: str
    email: str | None
    created_at: datetime
    display_name: str | None = None
    # True when the request's token has only the `read` scope: it may list, read and
    # stream, and accounts.deps refuses it every change (403 read_only_token).
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Verified:
    """An account whose password `authenticate` accepted, and the hash it was checked
    against. What is made from it (a token, a seed A session, a new password) is written
    only while that hash is still the user's, in the statement that writes it: once a
    password change has committed, nothing more is granted to the old password."""

    user: Account
    password_hash: str


_ACCOUNT_COLUMNS = (User.id, User.username, User.email, User.created_at, User.display_name)
# The email's unique constraint, as db/base.py's naming convention names it.
_EMAIL_UNIQUE = "uq_user_account_email_key"
_USERNAME = re.compile(USERNAME_PATTERN)
# The password hash of a user without a password (provisioned by a host application):
# no argon2 hash looks like it, and `authenticate` checks it as it checks a missing user.
NO_PASSWORD = "!"  # noqa: S105 (a marker, not a secret)


def username_key(username: str) -> str:
    return username.casefold()


# The platform's own account (accounts/system.py): a name no one can register, since
# USERNAME_PATTERN refuses `@`, so it never collides with a user's.
SYSTEM_USERNAME = "@system"


# The name an erased account is shown by (rights/erasure): registration refuses names that
# begin so, so no one can pass for an erased account.
TOMBSTONE_PREFIX = "deleted-user-"


def possible_username(username: str) -> bool:
    """Whether a user could have this name: any other (a NUL byte, which PostgreSQL
    refuses outright) is unknown without asking the database."""
    return _USERNAME.fullmatch(username) is not None


def email_key(email: str) -> str:
    return email.casefold()


async def register_user(
    db: AsyncSession,
    passwords: Passwords,
    *,
    username: str,
    email: str | None,
    password: str,
    display_name: str | None = None,
) -> Account:
    """Create a user; raises UsernameTaken or EmailTaken (409)."""
    # Hash before touching the database, so no transaction waits on argon2.
    password_hash = await passwords.hash(password)
    key = username_key(username)
    if await db.scalar(select(User.id).where(User.username_key == key)) is not None:
        raise UsernameTaken(f"The username {username!r} is taken.")
    if (
        email is not None
        and await db.scalar(select(User.id).where(User.email_key == email_key(email))) is not None
    ):
        raise EmailTaken("That email address belongs to another account.")
    return await insert_user(
        db, username=username, email=email, password_hash=password_hash, display_name=display_name
    )


async def insert_user(
    db: AsyncSession,
    *,
    username: str,
    email: str | None,
    password_hash: str,
    **columns: Any,
) -> Account:
    """Insert a user whose username and email were found free, and its `user.created`
    webhook event; raises UsernameTaken or EmailTaken (409) when a concurrent insert took
    one first (or, for a provisioned user, its external id: `columns` are the host's).
    Never raises IntegrityError. Raises UsernameHeld (409) for the username of an account
    erased less than MAILSLOT_ERASED_USERNAME_HOLD_DAYS ago, or one that passes for one."""
    now = utcnow()
    await require_not_held(db, username, now=now)
    try:
        user_id = (
            await db.execute(
                insert(User)
                .values(
                    username=username,
                    username_key=username_key(username),
                    email=email,
                    email_key=email_key(email) if email else None,
                    password_hash=password_hash,
                    created_at=now,
                    **columns,
                )
                .returning(User.id)
            )
        ).scalar_one()
    except IntegrityError as error:
        if violates_email(error):
            raise EmailTaken("That email address belongs to another account.") from None
        raise UsernameTaken(f"The username {username!r} is taken.") from None
    account = Account(user_id, username, email, now, columns.get("display_name"))
    await emit_user_event(
        db,
        "user.created",
        account,
        external_id=columns.get("external_id"),
        custom=columns.get("custom"),
        deactivated_at=None,
        groups=columns.get("groups"),
    )
    return account


async def require_not_held(db: AsyncSession, username: str, *, now: datetime) -> None:
    """Raises UsernameHeld (409) while the username is held after an erasure, and for a
    name in the tombstones' form."""
    key = username_key(username)
    if key.startswith(TOMBSTONE_PREFIX):
        raise UsernameHeld(f"Usernames beginning {TOMBSTONE_PREFIX!r} are reserved.")
    held = await db.scalar(
        select(UsernameHold.held_until).where(
            UsernameHold.username_key == key, UsernameHold.held_until > now
        )
    )
    if held is not None:
        raise UsernameHeld(
            f"The username {username!r} belonged to an erased account; it is free again "
            f"after {held:%Y-%m-%d}."
        )


async def hold_username(db: AsyncSession, key: str, *, until: datetime) -> None:
    """Refuse the username (its `username_key`) to registration until `until`."""
    await db.execute(delete(UsernameHold).where(UsernameHold.username_key == key))
    await db.execute(insert(UsernameHold).values(username_key=key, held_until=until))


async def purge_username_holds(db: AsyncSession, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` username holds that ended by `now`; returns how many."""
    return await _purge_expired(db, UsernameHold.username_key, UsernameHold.held_until, now, limit)


async def emit_user_event(
    db: AsyncSession,
    event_type: str,
    account: Account,
    *,
    external_id: str | None,
    custom: dict[str, object] | None,
    deactivated_at: datetime | None,
    groups: list[str] | None = None,
) -> None:
    """Write a `user.*` webhook event in the caller's transaction (webhooks/outbox.py),
    carrying the user as the server API shows it (UserEventData); nothing is written when
    no endpoint subscribes."""
    data = UserEventData(
        external_id=external_id,
        username=account.username,
        display_name=account.display_name,
        email=account.email,
        custom=custom,
        groups=groups or [],
        created_at=account.created_at,
        deactivated_at=deactivated_at,
    ).model_dump(mode="json")
    await outbox.emit(db, event_type, data, user_id=account.id)


def violates_email(error: IntegrityError) -> bool:
    """Whether the uniqueness violated is the email's: PostgreSQL names the constraint
    (on asyncpg's error, the driver error's cause); SQLite names the column in its
    message ("UNIQUE constraint failed: user_account.email_key")."""
    constraint: str | None = getattr(error.orig and error.orig.__cause__, "constraint_name", None)
    if constraint is not None:
        return constraint == _EMAIL_UNIQUE
    return f"{User.__tablename__}.{User.email_key.key}" in str(error.orig)


async def find_user(db: Reader, username: str) -> Account | None:
    if not possible_username(username):
        return None
    row = (
        await db.execute(
            select(*_ACCOUNT_COLUMNS).where(User.username_key == username_key(username))
        )
    ).one_or_none()
    return Account(*row) if row else None


async def find_user_by_id(db: Reader, user_id: int) -> Account | None:
    row = (await db.execute(select(*_ACCOUNT_COLUMNS).where(User.id == user_id))).one_or_none()
    return Account(*row) if row else None


async def get_user(db: Reader, username: str) -> Account:
    user = await find_user(db, username)
    if user is None:
        raise UserNotFound(f"There is no user {username!r}.")
    return user


async def usernames_by_id(db: Reader, user_ids: list[int]) -> dict[int, str]:
    """The usernames of those of `user_ids` who are registered."""
    rows = await db.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    return {row.id: row.username for row in rows}


def lookup_keys(usernames: list[str]) -> list[str]:
    """Each name's username_key, in order; "", which is no user's key, for a name no
    user could have (the system account's aside: messages.service decides whether it may
    receive)."""
    return [
        username_key(name) if possible_username(name) or name == SYSTEM_USERNAME else ""
        for name in usernames
    ]


def unknown_receiver(unknown: list[str]) -> UnknownReceiver:
    """The refusal naming every receiver that is not registered, in the order given."""
    return UnknownReceiver(
        "No user is registered as " + ", ".join(repr(name) for name in unknown) + ".",
        errors=[
            {"pointer": "/body/receivers", "detail": f"unknown user {name!r}"} for name in unknown
        ],
    )


def sender_suspended() -> AccountSuspended:
    """The refusal of a send by a suspended user (safety/sanctions.py)."""
    return AccountSuspended(
        "Your account is suspended: you can sign in and read your mail, not send."
    )


def receiver_deactivated(inactive: list[str]) -> ReceiverDeactivated:
    """The refusal naming every deactivated receiver, in the order given."""
    return ReceiverDeactivated(
        "The account of " + ", ".join(repr(name) for name in inactive) + " is deactivated.",
        errors=[
            {"pointer": "/body/receivers", "detail": f"deactivated user {name!r}"}
            for name in inactive
        ],
    )


async def authenticate(
    db: AsyncSession,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    client: str | None,
    session_digests: CredentialDigests | None = None,
) -> Verified:
    """The account, and the hash it was checked against, if the password is right; raises
    InvalidCredentials otherwise, with the same answer and cost for an unknown user as for
    a wrong password, and TooManyRequests (429) once the failed sign-in budget of the
    account or of the client address is spent. A user without a password (provisioned by
    a host application) is refused as a wrong password is, at the same cost; a deactivated
    user who gave the right password gets AccountDeactivated (403).

    Every password check of every door (native sign-in, seed A) comes through here, so
    they share one budget; `client` is the address the check came from (None: unknown,
    only the account's budget counts).
    With `session_digests`, a started seed A session's keyed hash may vouch for the
    password instead of argon2; anything that does not match it still pays for argon2."""
    key = username_key(username)
    # The throttle refuses before any check: a digest match is a right password too, and
    # must not let a throttled account in.
    async with passwords.throttle.attempt(key, client):
        row = (
            (
                await db.execute(
                    select(
                        *_ACCOUNT_COLUMNS,
                        User.password_hash,
                        User.legacy_session_digest,
                        User.deactivated_at,
                    ).where(User.username_key == key)
                )
            ).one_or_none()
            if possible_username(username)
            else None
        )
        # End the read before hashing: no snapshot or SQLite lock is held while argon2 runs.
        await db.rollback()
        if (
            row is not None
            and session_digests is not None
            and row.legacy_session_digest is not None
            and session_digests.matches(
                row.legacy_session_digest,
                user_id=row.id,
                password_hash=row.password_hash,
                password=password,
            )
        ):
            return _verified(row)
        hashed = row.password_hash if row and row.password_hash != NO_PASSWORD else None
        # No hash (an unknown user, or one provisioned without a password) still pays for
        # one verification, and fails.
        if not await passwords.verify(hashed, password) or row is None:
            raise InvalidCredentials("The username or password is incorrect.")
    verified = _verified(row)
    if passwords.is_legacy(verified.password_hash):
        return await _rehash(db, passwords, verified, password=password)
    return verified


async def _rehash(
    db: AsyncSession, passwords: Passwords, verified: Verified, *, password: str
) -> Verified:
    """Replace a bcrypt hash imported from seed B with argon2id at the sign-in that proved
    the password, in the caller's transaction (every door commits its sign-in): after a
    user's first sign-in no bcrypt hash of theirs remains. When another sign-in replaced
    it first, the hash stored now decides (InvalidCredentials if it no longer matches)."""
    new_hash = await passwords.hash(password)
    changed = await db.execute(
        update(User)
        .where(User.id == verified.user.id, User.password_hash == verified.password_hash)
        .values(password_hash=new_hash)
        .returning(User.id)
    )
    if changed.first() is not None:
        return replace(verified, password_hash=new_hash)
    current = await db.scalar(select(User.password_hash).where(User.id == verified.user.id))
    if current is None or not await passwords.verify(current, password):
        raise _password_changed()
    return replace(verified, password_hash=current)


def _verified(row: Any) -> Verified:
    """The sign-in of a row whose password was right: refused while deactivated (only
    someone who knows the password learns that the account is)."""
    if row.deactivated_at is not None:
        raise AccountDeactivated(f"The account {row.username} is deactivated.")
    return Verified(Account(*row[:5]), row.password_hash)


def _while_verified(verified: Verified, *columns: Any) -> Select[Any]:
    """`columns` from the verified user's row, if its password hash is still the one
    checked. FOR SHARE on PostgreSQL: a password change in progress holds the row, so this
    waits for its commit and, under READ COMMITTED, re-checks the hash on the row it
    committed (no match: nothing is granted); a change that comes later waits for this
    transaction, then deletes what it wrote. SQLite runs one write transaction at a time."""
    return (
        select(*columns)
        .where(
            User.id == verified.user.id,
            User.password_hash == verified.password_hash,
            User.deactivated_at.is_(None),
        )
        .with_for_update(read=True)
    )


def _password_changed() -> InvalidCredentials:
    # The password was right when checked, but a change has committed since: it is the
    # old one now.
    return InvalidCredentials("The username or password is incorrect.")


async def require_password(
    db: AsyncSession, passwords: Passwords, *, user: Account, password: str, client: str | None
) -> Verified:
    """Raises WrongPassword (403) unless this is the signed-in user's password. Goes through
    `authenticate`, so it counts like any other password check."""
    try:
        return await authenticate(
            db, passwords, username=user.username, password=password, client=client
        )
    except InvalidCredentials:
        raise WrongPassword("The current password is incorrect.") from None


async def start_legacy_session(
    db: AsyncSession, session_digests: CredentialDigests, verified: Verified, *, password: str
) -> None:
    """Start the user's seed A session and keep the keyed hash of the credentials that
    started it: `password`, the one `authenticate` accepted for `verified`. Raises
    InvalidCredentials if the password changed (or the account went) since."""
    user, password_hash = verified.user, verified.password_hash
    digest = session_digests.of(user_id=user.id, password_hash=password_hash, password=password)
    # On PostgreSQL an UPDATE waiting for a password change re-checks its WHERE on the
    # changed row, so it needs no lock of its own.
    started = await db.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == password_hash)
        .values(legacy_logged_in=True, legacy_session_digest=digest)
        .returning(User.id)
    )
    if started.first() is None:
        raise _password_changed()


async def end_legacy_session(db: AsyncSession, *, user: Account) -> None:
    """End the user's seed A session and drop its keyed hash."""
    await db.execute(
        update(User)
        .where(User.id == user.id)
        .values(legacy_logged_in=False, legacy_session_digest=None)
    )


async def has_legacy_session(db: AsyncSession, verified: Verified) -> bool:
    """Whether the user's seed A session is started; raises InvalidCredentials if the
    password changed since it was verified, so no request checked after a change has
    committed passes with the old password."""
    row = (
        await db.execute(
            select(User.legacy_logged_in).where(
                User.id == verified.user.id, User.password_hash == verified.password_hash
            )
        )
    ).one_or_none()
    if row is None:
        raise _password_changed()
    return bool(row.legacy_logged_in)


async def set_email(db: AsyncSession, *, user: Account, email: str) -> Account:
    """Give the account an email address; raises EmailTaken (409) when another account
    has it, whatever its case."""
    key = email_key(email)
    owner = await db.scalar(select(User.id).where(User.email_key == key))
    if owner is not None and owner != user.id:
        raise EmailTaken("That email address belongs to another account.")
    try:
        await db.execute(update(User).where(User.id == user.id).values(email=email, email_key=key))
    except IntegrityError:
        # A concurrent change won the race for the same address.
        raise EmailTaken("That email address belongs to another account.") from None
    return replace(user, email=email)


async def set_password(
    db: AsyncSession,
    passwords: Passwords,
    verified: Verified,
    *,
    password: str,
    keep_token: str | None = None,
) -> None:
    """Change the password `verified` was checked against; raises WrongPassword (403) if
        another change committed since. Ends the seed A session (its keyed hash goes with it)
        and revokes every bearer token of the user except `keep_token`, the one the change was
        made with: whoever knew the old password is signed out everywhere else, and the streams
    those tokens opened end (`end_sessions`). Credentials
        being made from the old password meanwhile are refused or deleted (`_while_verified`)."""
    user = verified.user
    password_hash = await passwords.hash(password)
    changed = await db.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == verified.password_hash)
        .values(password_hash=password_hash, legacy_logged_in=False, legacy_session_digest=None)
        .returning(User.id)
    )
    if changed.first() is None:
        raise WrongPassword("The current password is incorrect.")
    others = delete(AccessToken).where(AccessToken.user_id == user.id)
    if keep_token is not None:
        others = others.where(AccessToken.token_hash != token_digest(keep_token))
    await db.execute(others)
    end_sessions(db, user.id)  # the streams of the others end


def new_token_id() -> str:
    """A token's public id: `tok_` and 24 hex digits."""
    return f"tok_{secrets.token_hex(12)}"


async def issue_token(db: AsyncSession, verified: Verified, *, ttl: int) -> str:
    """A bearer token for the verified user, valid `ttl` seconds, with every scope;
    raises InvalidCredentials if the password changed since it was verified."""
    token = new_token()
    now = utcnow()
    issued = await db.execute(
        insert(AccessToken)
        .from_select(
            ["token_hash", "user_id", "created_at", "expires_at", "token_id"],
            _while_verified(
                verified,
                literal(token_digest(token), AccessToken.token_hash.type),
                User.id,
                literal(now, UTCDateTime()),
                literal(now + timedelta(seconds=ttl), UTCDateTime()),
                literal(new_token_id(), AccessToken.token_id.type),
            ),
        )
        .returning(AccessToken.user_id)
    )
    if issued.first() is None:
        raise _password_changed()
    return token


# Authenticated requests run this when the token is not cached: built once, run on the
# driver with parameters.
_TOKEN_OWNER = DirectQuery(
    select(*_ACCOUNT_COLUMNS, AccessToken.expires_at, AccessToken.scopes)
    .join(AccessToken, AccessToken.user_id == User.id)
    .where(
        AccessToken.token_hash == bindparam("token_hash"),
        AccessToken.expires_at > bindparam("now", type_=UTCDateTime()),
        # Deactivation deletes the tokens too; this refuses one issued in a race with it.
        User.deactivated_at.is_(None),
    )
)


async def find_token_owner(db: Reader, digest: bytes) -> tuple[Account, datetime] | None:
    """The owner of a live token, as the token presents it (`read_only` without the
    `write` scope), and when it expires; None for an unknown, expired or revoked one.
    `digest` is the token's `token_digest`."""
    rows = await _TOKEN_OWNER.all(db, {"token_hash": digest, "now": utcnow()})
    if not rows:
        return None
    row = rows[0]
    account = Account(*row[:5])
    if WRITE_SCOPE not in row.scopes.split():
        account = replace(account, read_only=True)
    return account, row.expires_at


async def purge_expired_tokens(db: AsyncSession, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` bearer tokens expired by `now` (their stream tickets go with
    them); returns how many. Walks the expiry index, oldest first."""
    return await _purge_expired(db, AccessToken.token_hash, AccessToken.expires_at, now, limit)


async def purge_expired_stream_tickets(db: AsyncSession, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` stream tickets expired by `now`, unredeemed; returns how many."""
    return await _purge_expired(db, StreamTicket.ticket_hash, StreamTicket.expires_at, now, limit)


async def _purge_expired(
    db: AsyncSession, key: Any, expires_at: Any, now: datetime, limit: int
) -> int:
    batch = select(key).where(expires_at <= now).order_by(expires_at).limit(limit)
    result = await db.execute(delete(key.table).where(key.in_(batch)).returning(key))
    return len(result.all())


async def sign_out(db: AsyncSession, user: Account, token: str) -> None:
    """Revoke the user's `token`; the streams it opened end once `db` commits."""
    await db.execute(delete(AccessToken).where(AccessToken.token_hash == token_digest(token)))
    end_sessions(db, user.id)


async def sign_out_everywhere(db: AsyncSession, user: Account) -> int:
    """Revoke every token of the user; returns how many were live. Their streams end once
    `db` commits."""
    revoked = await db.execute(
        delete(AccessToken).where(AccessToken.user_id == user.id).returning(AccessToken.expires_at)
    )
    now = utcnow()
    live = sum(1 for (expires_at,) in revoked if expires_at > now)
    end_sessions(db, user.id)
    return live


def end_sessions(db: AsyncSession, user_id: int) -> None:
    """Once `db` commits, every open stream of the user, on every instance, checks its
    token again, and those whose token this transaction revoked end. The caller, after the
    commit, also has every instance forget the user's tokens (`TokenCache.forget_user`)."""
    publish_on_commit(db, [Event(user_id, SESSION_ENDED, 0)])


@dataclass(frozen=True, slots=True)
class Grant:
    """What a live stream was opened with: the user, and the token it lives and dies by."""

    user: Account
    token_hash: bytes
    expires_at: datetime


async def _find_grant(db: AsyncSession, token_hash: bytes) -> Grant | None:
    row = (
        await db.execute(
            select(*_ACCOUNT_COLUMNS, AccessToken.expires_at)
            .join(AccessToken, AccessToken.user_id == User.id)
            .where(
                AccessToken.token_hash == token_hash,
                AccessToken.expires_at > utcnow(),
                User.deactivated_at.is_(None),
            )
        )
    ).one_or_none()
    return Grant(Account(*row[:5]), token_hash, row.expires_at) if row else None


async def find_token_grant(db: AsyncSession, token: str) -> Grant | None:
    return await _find_grant(db, token_digest(token))


async def grant_is_live(db: AsyncSession, grant: Grant) -> bool:
    """Whether the grant's token is still signed in."""
    return await _find_grant(db, grant.token_hash) is not None


async def issue_stream_ticket(db: AsyncSession, token: str, *, ttl: int) -> str:
    """A single-use ticket, valid `ttl` seconds, that opens a stream as this token's user.
    Only its hash is stored; it dies with the token."""
    now = utcnow()
    await db.execute(delete(StreamTicket).where(StreamTicket.expires_at <= now))
    ticket = new_token()
    await db.execute(
        insert(StreamTicket).values(
            ticket_hash=token_digest(ticket),
            token_hash=token_digest(token),
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    return ticket


async def redeem_stream_ticket(db: AsyncSession, ticket: str) -> Grant | None:
    """The grant behind a live ticket, which is used up by this call (one DELETE, so two
    instances cannot both redeem it); None for an unknown, used or expired ticket."""
    row = (
        await db.execute(
            delete(StreamTicket)
            .where(StreamTicket.ticket_hash == token_digest(ticket))
            .returning(StreamTicket.token_hash, StreamTicket.expires_at)
        )
    ).one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return await _find_grant(db, row.token_hash)
