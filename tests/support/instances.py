"""More than the session's app: another instance in-process, and the `mailslot` command
(on the test database: the `environment` fixture)."""

from __future__ import annotations

import anyio
import httpx
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from mailslot.cli import app as cli
from mailslot.config import get_settings


def serving(instance: FastAPI) -> httpx.AsyncClient:
    """A client of `instance` (started by the caller: LifespanManager)."""
    transport = httpx.ASGITransport(app=instance, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://instance.test")


async def mailslot(environment: dict[str, str], *args: str) -> Result:
    """`mailslot ARGS`, in a thread of its own: the command runs its own event loop."""

    def run() -> Result:
        get_settings.cache_clear()
        return CliRunner().invoke(cli, list(args), env=environment)

    return await anyio.to_thread.run_sync(run)
