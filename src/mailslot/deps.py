"""What handlers receive, as Annotated aliases: the session, the settings, the hashers,
the request budgets and the client address.

Every dependency is `async def`, even those that never await: FastAPI runs a plain `def`
dependency in a worker thread, a thread hop per request for a dictionary lookup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from mailslot.accounts.security import CredentialDigests, Passwords
from mailslot.config import Settings
from mailslot.ratelimit import RateLimits


async def _db_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Entry points own the transaction: handlers commit; whatever is left rolls back here.
    async with request.app.state.session_factory() as session:
        yield session


async def _read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.read_engine.connect() as connection:
        yield connection


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


async def _limits(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.limits
    return limits


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


async def _credential_digests(request: Request) -> CredentialDigests:
    digests: CredentialDigests = request.app.state.credential_digests
    return digests


DbSession = Annotated[AsyncSession, Depends(_db_session)]
# For handlers that never write (db/engine.py `read_only`): no transaction round trips.
ReadDb = Annotated[AsyncConnection, Depends(_read_connection)]
AppSettings = Annotated[Settings, Depends(_settings)]
PasswordHasher = Annotated[Passwords, Depends(_passwords)]
Limits = Annotated[RateLimits, Depends(_limits)]
ClientAddress = Annotated[str, Depends(client_address)]
SessionDigests = Annotated[CredentialDigests, Depends(_credential_digests)]
