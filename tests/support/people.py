"""Provisioned users in tests: what the server API's routes will do around accounts.people."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts import people
from mailslot.accounts.models import User
from mailslot.accounts.people import ExternalUser
from mailslot.state import app_state


def external_id() -> str:
    return f"cus_{uuid.uuid4().hex[:12]}"


async def give_external_id(app: FastAPI, username: str) -> str:
    """A registered user, linked to a host id (as a host adopting its existing users would)."""
    host_id = external_id()
    async with app_state(app).sessions() as db:
        await db.execute(update(User).where(User.username == username).values(external_id=host_id))
        await db.commit()
    return host_id


async def deactivate(app: FastAPI, host_id: str) -> ExternalUser:
    """Deactivate, commit, then have every instance forget the user's tokens."""
    return await _change(app, people.deactivate_user, host_id)


async def reactivate(app: FastAPI, host_id: str) -> ExternalUser:
    return await _change(app, people.reactivate_user, host_id)


async def _change(
    app: FastAPI, change: Callable[[AsyncSession, str], Awaitable[ExternalUser]], host_id: str
) -> ExternalUser:
    async with app_state(app).sessions() as db:
        user = await change(db, host_id)
        await db.commit()
    await app_state(app).token_cache.forget_user(user.account.id)
    return user
