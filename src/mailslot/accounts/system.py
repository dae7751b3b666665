"""The platform's own account, the sender of a host's `from: "system"` messages (issue 18).

It is a user row named SYSTEM_USERNAME, a name registration and provisioning refuse, with
no password (NO_PASSWORD, as a provisioned user has), no email and no external id: no
door can sign it in (password sign-in finds no such name, seed A likewise, and a host
mints tokens only for an external id). It is
created on first use, and shows the operator's MAILSLOT_SYSTEM_DISPLAY_NAME as its display
name, brought up to date whenever the server API uses it. Callers own the transaction.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import User
from mailslot.accounts.service import NO_PASSWORD, SYSTEM_USERNAME, Account, username_key
from mailslot.db.base import utcnow
from mailslot.db.engine import Reader, dialect_name

SYSTEM_KEY = username_key(SYSTEM_USERNAME)
ACCOUNT_COLUMNS = (User.id, User.username, User.email, User.created_at, User.display_name)


def is_system(username: str) -> bool:
    return username_key(username) == SYSTEM_KEY


async def system_account(
    db: AsyncSession, *, display_name: str, found: Account | None = None
) -> Account:
    """The system account showing `display_name`: `found` (the caller's read of the row,
    which saves a query), else read here; created if it does not exist yet (a concurrent
    creation is harmless: ON CONFLICT DO NOTHING)."""
    account = found or await find_system_account(db)
    if account is None:
        insert = postgresql.insert if dialect_name(db) == "postgresql" else sqlite.insert
        await db.execute(
            insert(User)
            .values(
                username=SYSTEM_USERNAME,
                username_key=SYSTEM_KEY,
                password_hash=NO_PASSWORD,
                created_at=utcnow(),
                display_name=display_name,
            )
            .on_conflict_do_nothing(index_elements=["username_key"])
        )
        # Inserted, or by a concurrent first use: there now.
        row = (
            await db.execute(select(*ACCOUNT_COLUMNS).where(User.username_key == SYSTEM_KEY))
        ).one()
        account = Account(*row)
    if account.display_name != display_name:
        await db.execute(
            update(User).where(User.id == account.id).values(display_name=display_name)
        )
        account = Account(
            account.id, account.username, account.email, account.created_at, display_name
        )
    return account


async def find_system_account(db: Reader) -> Account | None:
    """The system account, None until its first use."""
    row = (
        await db.execute(select(*ACCOUNT_COLUMNS).where(User.username_key == SYSTEM_KEY))
    ).one_or_none()
    return None if row is None else Account(*row)
