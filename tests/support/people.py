"""Provisioned users in tests: what the server API's routes will do around accounts.people."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy import update

from mailslot.accounts import people
from mailslot.accounts.models import User
from mailslot.accounts.people import ExternalUser


def external_id() -> str:
    return f"cus_{uuid.uuid4().hex[:12]}"


async def give_external_id(app: FastAPI, username: str) -> str:
    """A registered user, linked to a host id (as a host adopting its existing users would)."""
    host_id = external_id()
    async with app.state.session_factory() as db:
        await db.execute(update(User).where(User.username == username).values(external_id=host_id))
        await db.commit()
    return host_id


async def deactivate(app: FastAPI, host_id: str) -> ExternalUser:
    """Deactivate, commit, then have every instance forget the user's tokens."""
    async with app.state.session_factory() as db:
        user = await people.deactivate_user(db, host_id)
        await db.commit()
    await app.state.token_cache.forget_user(user.account.id)
    return user


async def reactivate(app: FastAPI, host_id: str) -> ExternalUser:
    async with app.state.session_factory() as db:
        user = await people.reactivate_user(db, host_id)
        await db.commit()
    await app.state.token_cache.forget_user(user.account.id)
    return user
