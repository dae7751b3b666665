"""A delivery worker of the test's own, over a database of this module's own (the suite's
shared app has a worker too, which must not take these deliveries), with a short retry
schedule; endpoints and events written as the outbox writes them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mailslot.background import cancel
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.db.engine import make_engine, make_session_factory
from mailslot.db.migrate import upgrade
from mailslot.webhooks import outbox, signing
from mailslot.webhooks.log import LoggedAttempt, get_delivery
from mailslot.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from mailslot.webhooks.worker import Worker
from tests.support.databases import Database, dialect_database
from tests.support.factories import add_endpoint_row

# Short enough for tests, long enough that jitter never reorders a test's expectations.
FAST = {
    "webhook_allow_private": True,
    "webhook_retry_schedule": [0, 0.2, 0.2, 0.2],
    "webhook_poll_interval": 0.05,
    "webhook_timeout": 5.0,
    "webhook_lease": 20.0,
}


@pytest.fixture(scope="module")
async def hooks_database(
    dialect: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    data = tmp_path_factory.mktemp("hooks")
    async with dialect_database(dialect, data) as database:
        await upgrade(database.make_settings(data))
        yield database


class Hooks:
    """A running worker and what a test does around it."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.worker = Worker(settings, sessions)

    async def endpoint(
        self,
        url: str,
        *,
        types: tuple[str, ...] = ("*",),
        secret: str | None = None,
    ) -> WebhookEndpoint:
        endpoint: WebhookEndpoint = await add_endpoint_row(
            self.sessions, url, *types, secret=secret
        )
        return endpoint

    async def emit(self, event_type: str = "user.created", **data: Any) -> str:
        async with self.sessions() as db:
            event_id = await outbox.emit(db, event_type, data or {"user": {"username": "ann"}})
            await db.commit()
        assert event_id is not None
        return event_id

    async def rotate(self, endpoint: WebhookEndpoint, *, grace: float) -> str:
        """A new secret, the old one signing too for `grace` seconds (as the API will)."""
        new = signing.new_secret()
        async with self.sessions() as db:
            row = await db.get_one(WebhookEndpoint, endpoint.id)
            row.previous_secret, row.secret = row.secret, new
            row.previous_secret_until = utcnow() + timedelta(seconds=grace)
            await db.commit()
        return new

    async def get_endpoint(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        async with self.sessions() as db:
            return await db.get_one(WebhookEndpoint, endpoint.id)

    async def delivery(self, event_id: str, endpoint: WebhookEndpoint) -> WebhookDelivery:
        async with self.sessions() as db:
            return (
                await db.scalars(
                    select(WebhookDelivery).where(
                        WebhookDelivery.event_id == event_id,
                        WebhookDelivery.endpoint_id == endpoint.id,
                    )
                )
            ).one()

    async def attempts(self, delivery: WebhookDelivery) -> list[LoggedAttempt]:
        """Every attempt of the delivery, oldest first, as the log shows them."""
        async with self.sessions() as db:
            detail = await get_delivery(
                db, endpoint_id=delivery.endpoint_id, event_id=delivery.event_id
            )
            return detail.attempts

    async def attempt_rows(self, delivery: WebhookDelivery) -> list[int]:
        """The numbers of the delivery's attempt rows: all but the latest attempt."""
        async with self.sessions() as db:
            rows = await db.scalars(
                select(WebhookAttempt.number)
                .where(WebhookAttempt.delivery_id == delivery.id)
                .order_by(WebhookAttempt.number)
            )
            return list(rows)

    async def settled(self, event_id: str, endpoint: WebhookEndpoint) -> WebhookDelivery | None:
        """The delivery once it is no longer pending, else None."""
        found = await self.delivery(event_id, endpoint)
        return found if found.status != "pending" else None


async def wait_for(check: Callable[[], Any], *, within: float = 10.0) -> Any:
    """Await `check()` until it returns something truthy (a generous deadline)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.02)


@pytest.fixture
def hooks(
    hooks_database: Database, tmp_path: Path
) -> Callable[..., AbstractAsyncContextManager[Hooks]]:
    """`async with hooks(**settings) as h:` a worker running over this module's database;
    every webhook row is deleted after."""

    @asynccontextmanager
    async def running(**overrides: Any) -> AsyncIterator[Hooks]:
        settings = hooks_database.make_settings(tmp_path, **(FAST | overrides))
        engine = make_engine(settings)
        hooks = Hooks(settings, make_session_factory(engine, {}))
        hooks.sessions.configure(info=hooks.worker.session_info())
        task = asyncio.create_task(hooks.worker.run())
        try:
            yield hooks
        finally:
            await cancel(task)
            async with hooks.sessions() as db:
                for table in (WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookEndpoint):
                    await db.execute(delete(table))
                await db.commit()
            await engine.dispose()

    return running
