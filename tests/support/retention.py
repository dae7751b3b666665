"""Retention tests' parts: an app with MAILSLOT_RETENTION_DAYS on a database of its own
(the job deletes everyone's old mail, and the tests count exactly), and backdating."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select, update

from mailslot.app import create_app
from mailslot.db.base import utcnow
from mailslot.db.migrate import upgrade
from mailslot.messages.models import Message
from mailslot.state import app_state
from tests.support.databases import dialect_database

DAYS = 30


@asynccontextmanager
async def retained_app(dialect: str, root: Path, **overrides: object) -> AsyncIterator[FastAPI]:
    """An app keeping mail DAYS days, running no job of its own, on a new database."""
    async with dialect_database(dialect, root) as database:
        settings = database.make_settings(
            root, retention_days=DAYS, retention_interval=0, **overrides
        )
        await upgrade(settings)
        app = create_app(settings)
        async with LifespanManager(app):
            yield app


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as client:
        yield client


async def age(app: FastAPI, *message_ids: int, days: int = DAYS + 1) -> None:
    """Backdate messages by `days`, as if sent that long ago."""
    async with app_state(app).sessions() as db:
        await db.execute(
            update(Message)
            .where(Message.id.in_(message_ids))
            .values(created_at=utcnow() - timedelta(days=days))
        )
        await db.commit()


async def stored(app: FastAPI, *message_ids: int) -> set[int]:
    """Those of the messages still in the database, hidden or not."""
    async with app_state(app).sessions() as db:
        return set(await db.scalars(select(Message.id).where(Message.id.in_(message_ids))))
