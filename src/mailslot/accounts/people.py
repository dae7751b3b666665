"""Users a host application provisions by its own ids (issue 18): upsert, one or a batch,
look-up, deactivation and reactivation; and a user's own display name. Callers own the
transaction, and after a commit that changed a user they have every instance forget the
user's tokens (`TokenCache.forget_user`): cached accounts carry the display name, and a
deactivated user's tokens must stop at once.

A provisioned user has no password: password sign-in fails for them exactly as a wrong
password does (`service.authenticate`). Registration budgets are the entry point's
business: nothing here spends them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from sqlalchemy import select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import admin
from mailslot.accounts.models import User, UsernameHold
from mailslot.accounts.schemas import (
    EXTERNAL_ID_PATTERN,
    GROUP_PATTERN,
    MAX_GROUPS,
    check_custom,
    clean_display_name,
)
from mailslot.accounts.service import (
    NO_PASSWORD,
    Account,
    email_key,
    emit_user_event,
    insert_user,
    possible_username,
    username_key,
)
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader
from mailslot.errors import AppError, EmailTaken, Unprocessable, UsernameTaken, UserNotFound

Outcome = Literal["created", "updated", "unchanged"]
MAX_BATCH = 100
_EXTERNAL_ID = re.compile(EXTERNAL_ID_PATTERN)
_GROUP = re.compile(GROUP_PATTERN)
# A derived username leaves room for a `-<n>` suffix within the 64 characters allowed.
_DERIVED_BASE = 55
_SUFFIXES = 20


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP
"""An argument left as the user has it."""


@dataclass(frozen=True, slots=True)
class ExternalUser:
    """A provisioned user as the server API shows it."""

    account: Account
    external_id: str
    custom: dict[str, object] | None
    deactivated_at: datetime | None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExternalUserItem:
    """One user of a batch upsert: the arguments of `upsert_external_user`."""

    external_id: str
    display_name: str | None
    username: str | None = None
    email: str | _Keep | None = KEEP
    custom: dict[str, object] | _Keep | None = KEEP
    groups: list[str] | _Keep | None = KEEP


_COLUMNS = (
    User.id,
    User.username,
    User.email,
    User.created_at,
    User.display_name,
    User.external_id,
    User.custom,
    User.deactivated_at,
    User.groups,
)


def _external_user(row: Any) -> ExternalUser:
    return ExternalUser(
        Account(*row[:5]), row.external_id, row.custom, row.deactivated_at, tuple(row.groups or ())
    )


def _groups(groups: list[str] | None) -> list[str] | None:
    """Groups as stored: sorted, each once, None for none; Unprocessable (422) for a
    malformed name or more than MAX_GROUPS."""
    unique = sorted(set(groups or ()))
    for index, name in enumerate(groups or ()):
        if not isinstance(name, str) or _GROUP.fullmatch(name) is None:
            raise Unprocessable(
                f"{name!r} is not a group name: 1 to 64 letters, digits or `_ . : -`, "
                "starting with a letter or digit.",
                errors=[{"pointer": f"/body/groups/{index}", "detail": "malformed group name"}],
            )
    if len(unique) > MAX_GROUPS:
        raise _invalid("groups", f"holds at most {MAX_GROUPS} groups")
    return unique or None


def _invalid(field: str, detail: str) -> Unprocessable:
    return Unprocessable(
        f"'{field}' {detail}.", errors=[{"pointer": f"/body/{field}", "detail": detail}]
    )


def _checked(field: str, check: Any, value: Any) -> Any:
    """`check(value)`, its ValueError a 422 naming the field: the server API's schemas
    check the same, so a caller that skipped them gets the same answer."""
    try:
        return check(value)
    except ValueError as error:
        raise _invalid(field, str(error)) from None


async def find_external_user(db: AsyncSession, external_id: str) -> ExternalUser | None:
    if _EXTERNAL_ID.fullmatch(external_id) is None:
        return None
    row = (await db.execute(select(*_COLUMNS).where(User.external_id == external_id))).one_or_none()
    return _external_user(row) if row else None


async def user_ids(db: Reader, external_ids: Sequence[str]) -> dict[str, int]:
    """The ids of the users with these external ids, by external id; those without a user
    are left out."""
    rows = await db.execute(
        select(User.external_id, User.id).where(User.external_id.in_(set(external_ids)))
    )
    return {external_id: user_id for external_id, user_id in rows if external_id is not None}


async def get_external_user(db: AsyncSession, external_id: str) -> ExternalUser:
    user = await find_external_user(db, external_id)
    if user is None:
        raise UserNotFound(f"There is no user with the external id {external_id!r}.")
    return user


def derived_username_base(external_id: str) -> str:
    """The username an external id suggests: runs of characters a username cannot hold
    become `-`, and it starts with a letter or digit ("user" when nothing is left)."""
    base = re.sub(r"[^A-Za-z0-9_.\-]+", "-", external_id)
    base = re.sub(r"^[^A-Za-z0-9]+", "", base)[:_DERIVED_BASE].rstrip("-")
    return base or "user"


async def _derive_username(db: AsyncSession, external_id: str) -> str:
    """The first free of `base`, `base-2`, ... `base-20` (one query), else `base-` and
    eight random hex digits. A name held after an erasure is not free."""
    base = derived_username_base(external_id)
    candidates = [base, *(f"{base}-{n}" for n in range(2, _SUFFIXES + 1))]
    keys = [username_key(name) for name in candidates]
    taken = set(
        (
            await db.scalars(
                union(
                    select(User.username_key).where(User.username_key.in_(keys)),
                    select(UsernameHold.username_key).where(
                        UsernameHold.username_key.in_(keys), UsernameHold.held_until > utcnow()
                    ),
                )
            )
        ).all()
    )
    for name in candidates:
        if username_key(name) not in taken:
            return name
    return f"{base}-{secrets.token_hex(4)}"


async def _require_email_free(db: AsyncSession, email: str, user_id: int | None) -> None:
    owner = await db.scalar(select(User.id).where(User.email_key == email_key(email)))
    if owner is not None and owner != user_id:
        raise EmailTaken("That email address belongs to another account.")


async def upsert_external_user(
    db: AsyncSession,
    *,
    external_id: str,
    display_name: str | None,
    username: str | None = None,
    email: str | _Keep | None = KEEP,
    custom: dict[str, object] | _Keep | None = KEEP,
    groups: list[str] | _Keep | None = KEEP,
) -> tuple[ExternalUser, Outcome]:
    """Create the user the host knows as `external_id`, without a password, or bring it up
    to date. `username` is taken at creation (derived from the external id when None,
    made unique with a suffix); it never changes after, so another one is a 422. `email`,
    `custom` and `groups` left as KEEP keep their value (none, at creation); None clears
    them. Groups are kept sorted, each once; a malformed one, or more than MAX_GROUPS, is
    a 422.
    Raises UsernameTaken or EmailTaken (409) for a name or address of another user, and
    Unprocessable (422) naming the field for a malformed external id, display name or
    username, or a `custom` over 4 KiB. A deactivated user stays deactivated."""
    item = _valid(ExternalUserItem(external_id, display_name, username, email, custom, groups))
    return await _upsert(db, item, await find_external_user(db, external_id))


def _valid(item: ExternalUserItem) -> ExternalUserItem:
    """The item with its display name trimmed; Unprocessable (422) naming a bad field."""
    if _EXTERNAL_ID.fullmatch(item.external_id) is None:
        raise Unprocessable(
            "The external id must be 1 to 128 letters, digits or `_ . : @ | + = -`.",
            errors=[{"pointer": "/path/external_id", "detail": "malformed external id"}],
        )
    if isinstance(item.custom, dict):
        _checked("custom", check_custom, item.custom)
    if item.username is not None and not possible_username(item.username):
        raise _invalid("username", "is not a valid username")
    if item.groups is not KEEP:
        item = replace(item, groups=_groups(item.groups))
    if item.display_name is None:
        return item
    return replace(
        item, display_name=_checked("display_name", clean_display_name, item.display_name)
    )


async def _upsert(
    db: AsyncSession, item: ExternalUserItem, found: ExternalUser | None
) -> tuple[ExternalUser, Outcome]:
    if found is None:
        return await _create(db, item), "created"
    return await _update(db, found, item)


async def _create(db: AsyncSession, item: ExternalUserItem) -> ExternalUser:
    email = None if item.email is KEEP else item.email
    custom = None if item.custom is KEEP else item.custom
    groups = None if item.groups is KEEP else item.groups
    username = item.username
    if username is not None:
        if await db.scalar(select(User.id).where(User.username_key == username_key(username))):
            raise UsernameTaken(f"The username {username!r} is taken.")
    else:
        username = await _derive_username(db, item.external_id)
    if email is not None:
        await _require_email_free(db, email, None)
    account = await insert_user(
        db,
        username=username,
        email=email,
        password_hash=NO_PASSWORD,
        external_id=item.external_id,
        display_name=item.display_name,
        custom=custom,
        groups=groups,
    )
    return ExternalUser(account, item.external_id, custom, None, tuple(groups or ()))


async def _update(
    db: AsyncSession, found: ExternalUser, item: ExternalUserItem
) -> tuple[ExternalUser, Outcome]:
    values = _changes(found, item)
    if not values:
        return found, "unchanged"
    account = found.account
    if values.get("email") is not None:
        await _require_email_free(db, values["email"], account.id)
    try:
        await db.execute(update(User).where(User.id == account.id).values(**values))
    except IntegrityError:
        raise EmailTaken("That email address belongs to another account.") from None
    row = (await db.execute(select(*_COLUMNS).where(User.id == account.id))).one()
    user = _external_user(row)
    await _emit(db, "user.updated", user)
    return user, "updated"


async def _emit(db: AsyncSession, event_type: str, user: ExternalUser) -> None:
    await emit_user_event(
        db,
        event_type,
        user.account,
        external_id=user.external_id,
        custom=user.custom,
        deactivated_at=user.deactivated_at,
        groups=list(user.groups),
    )


async def emit_user_updated(db: AsyncSession, user_id: int) -> None:
    """Write the `user.updated` webhook event of a user who changed their own profile
    (display name, email address), as it is now in the transaction."""
    await admin.emit_user_change(db, "user.updated", user_id)


def _changes(found: ExternalUser, item: ExternalUserItem) -> dict[str, Any]:
    """The columns `item` changes; Unprocessable (422) for another username."""
    account, email = found.account, item.email
    if item.username is not None and username_key(item.username) != username_key(account.username):
        raise _invalid("username", f"is {account.username!r} and never changes")
    values: dict[str, Any] = {}
    if item.display_name != account.display_name:
        values["display_name"] = item.display_name
    if email is not KEEP and email != account.email:
        values.update(email=email, email_key=email_key(email) if email else None)
    if item.custom is not KEEP and item.custom != found.custom:
        values["custom"] = item.custom
    if item.groups is not KEEP and tuple(item.groups or ()) != found.groups:
        values["groups"] = item.groups
    return values


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item of a batch: its user and outcome, or the problem it raised."""

    external_id: str
    user: ExternalUser | None = None
    outcome: Outcome | None = None
    error: AppError | None = None


async def upsert_external_users(
    db: AsyncSession, items: Sequence[ExternalUserItem]
) -> list[ItemResult]:
    """Upsert up to MAX_BATCH users, in order, each in a savepoint of the caller's
    transaction: an item that raises is rolled back alone and reported with its problem,
    and the others go on (one commit for the batch, the caller's). The users the batch
    names are read first, in one statement, so an item that changes nothing (a host
    syncing again) costs no statement, and one refused by its fields none either. Raises
    Unprocessable (422) for more than MAX_BATCH items."""
    if len(items) > MAX_BATCH:
        raise Unprocessable(
            f"A batch holds at most {MAX_BATCH} users, not {len(items)}.",
            errors=[{"pointer": "/body/users", "detail": f"at most {MAX_BATCH} items"}],
        )
    named = [item.external_id for item in items if _EXTERNAL_ID.fullmatch(item.external_id)]
    rows = await db.execute(select(*_COLUMNS).where(User.external_id.in_(named)))
    known = {row.external_id: _external_user(row) for row in rows}
    results = []
    for item in items:
        try:
            valid = _valid(item)
            found = known.get(valid.external_id)
            if found is not None and not _changes(found, valid):
                results.append(ItemResult(item.external_id, found, "unchanged"))
                continue
            async with db.begin_nested():
                user, outcome = await _upsert(db, valid, found)
        except AppError as error:
            results.append(ItemResult(item.external_id, error=error))
        else:
            known[valid.external_id] = user
            results.append(ItemResult(item.external_id, user, outcome))
    return results


async def deactivate_user(db: AsyncSession, external_id: str) -> ExternalUser:
    """Deactivate the user (again: harmless) as `admin.deactivate` says: tokens revoked,
    streams ended on every instance once `db` commits, sign-in and sends to them refused
    until `reactivate_user`; the `user.deactivated` webhook event (not when it was
    deactivated already). Raises UserNotFound for an unknown external id."""
    user = await get_external_user(db, external_id)
    if user.deactivated_at is not None:
        return user
    now = await admin.deactivate(db, user.account.id)
    return replace(user, deactivated_at=now)


async def reactivate_user(db: AsyncSession, external_id: str) -> ExternalUser:
    """Let the user sign in and receive again; the tokens revoked stay revoked. Writes
    the `user.reactivated` webhook event (not when it was active). Raises UserNotFound
    for an unknown external id."""
    user = await get_external_user(db, external_id)
    if user.deactivated_at is None:
        return user
    await admin.reactivate(db, user.account.id)
    return replace(user, deactivated_at=None)


async def set_display_name(db: AsyncSession, *, user: Account, display_name: str | None) -> Account:
    """Set (None: remove) the user's own display name; raises Unprocessable (422) for a
    blank one, one over 100 characters or one with control characters."""
    if display_name is not None:
        display_name = _checked("display_name", clean_display_name, display_name)
    await db.execute(update(User).where(User.id == user.id).values(display_name=display_name))
    return Account(user.id, user.username, user.email, user.created_at, display_name)
