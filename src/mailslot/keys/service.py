"""Server keys: make, list, revoke, and recognise one.

A key is `msk_` and 256 random bits; only its SHA-256 is stored. Each request under
`/server` looks its key up in the database (one indexed read), or in the memory of
keys/grants.py, which a revocation's note clears on every instance before the revocation
is answered."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.security import SERVER_KEY_PREFIX, token_digest
from mailslot.db.base import utcnow
from mailslot.db.direct import DirectQuery
from mailslot.db.engine import Reader
from mailslot.keys.models import ServerKey

KEY_BYTES = 32  # 256 bits
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# last_used_at is for an operator deciding whether a key is still needed: to the minute
# is enough, and a busy key writes once a minute instead of once a request.
LAST_USED_PRECISION = timedelta(minutes=1)


class Scope(StrEnum):
    """What a key may do. A key holds one or more."""

    USERS_WRITE = "users:write"  # provision, update, deactivate users
    TOKENS_MINT = "tokens:mint"  # issue and revoke users' tokens
    MESSAGES_SEND_AS = "messages:send_as"  # send as a user or as the platform
    MAILBOX_READ = "mailbox:read"  # read any mailbox (audited)
    AUDIT_READ = "audit:read"  # list the audit trail of mailbox reads
    WEBHOOKS_MANAGE = "webhooks:manage"
    MODERATION = "moderation"


class KeyRefused(ValueError):
    """A key cannot be made or revoked as asked (the CLI prints why)."""


@dataclass(frozen=True, slots=True)
class Grant:
    """The key behind a request: who it is (for budgets and the audit) and what it may do."""

    key_id: int
    name: str
    scopes: frozenset[Scope]
    # Its last_used_at is older than LAST_USED_PRECISION: note_use is due.
    use_unnoted: bool = False


@dataclass(frozen=True, slots=True)
class KeyInfo:
    name: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def parse_scopes(words: list[str] | tuple[str, ...]) -> tuple[Scope, ...]:
    """The scopes named, in Scope order, each once; KeyRefused names an unknown one."""
    known = {scope.value: scope for scope in Scope}
    unknown = sorted(set(words) - known.keys())
    if unknown:
        raise KeyRefused(f"unknown scope {unknown[0]!r}: use {', '.join(known)}")
    if not words:
        raise KeyRefused("give a key at least one scope")
    return tuple(scope for scope in Scope if scope.value in words)


async def create_key(db: AsyncSession, *, name: str, scopes: tuple[Scope, ...]) -> str:
    """A new key named `name`; returns the key, which is never readable again."""
    if not NAME.match(name):
        raise KeyRefused(f"{name!r} is not a key name: 1-64 of A-Z a-z 0-9 . _ -")
    key = SERVER_KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    db.add(
        ServerKey(
            name=name,
            key_hash=token_digest(key),
            scopes=" ".join(scopes),
            created_at=utcnow(),
        )
    )
    try:
        await db.flush()
    except IntegrityError:
        raise KeyRefused(f"a key named {name!r} exists (revoked keys keep their name)") from None
    return key


async def list_keys(db: AsyncSession) -> list[KeyInfo]:
    rows = await db.scalars(select(ServerKey).order_by(ServerKey.created_at, ServerKey.id))
    return [
        KeyInfo(
            name=row.name,
            scopes=tuple(Scope(word) for word in row.scopes.split()),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )
        for row in rows
    ]


async def revoke_key(db: AsyncSession, *, name: str) -> int:
    """Revoke the active key `name`; returns its id (for the note that has every instance
    forget it, once this commits)."""
    revoked: int | None = await db.scalar(
        update(ServerKey)
        .where(ServerKey.name == name, ServerKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(ServerKey.id)
    )
    if revoked is None:
        raise KeyRefused(f"no active key named {name!r}")
    return revoked


# Every /server request runs it: built once, run on the driver (db.direct).
_GRANT = DirectQuery(
    select(ServerKey.id, ServerKey.name, ServerKey.scopes, ServerKey.last_used_at).where(
        ServerKey.key_hash == bindparam("key_hash"), ServerKey.revoked_at.is_(None)
    )
)


@dataclass(frozen=True, slots=True)
class ActiveKey:
    """An active key's row, as requests need it."""

    key_id: int
    name: str
    scopes: frozenset[Scope]
    last_used_at: datetime | None

    def grant(self) -> Grant:
        stale = self.last_used_at is None or utcnow() - self.last_used_at >= LAST_USED_PRECISION
        return Grant(self.key_id, self.name, self.scopes, stale)


async def find_key(db: Reader, digest: bytes) -> ActiveKey | None:
    """The active key whose hash is `digest` (accounts.security.token_digest), or None."""
    rows = await _GRANT.all(db, {"key_hash": digest})
    if not rows:
        return None
    row = rows[0]
    scopes = frozenset(Scope(word) for word in row.scopes.split())
    return ActiveKey(row.id, row.name, scopes, row.last_used_at)


async def note_use(db: AsyncSession, grant: Grant) -> None:
    """Record that the key was used now (the caller commits)."""
    await db.execute(
        update(ServerKey).where(ServerKey.id == grant.key_id).values(last_used_at=utcnow())
    )
