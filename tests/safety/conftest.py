"""Fixtures of the safety tests: the live app (streams) and no webhook endpoint left."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from tests.realtime.conftest import live_app, live_client, live_settings
from tests.support.factories import forget_webhook_endpoints

__all__ = ["live_app", "live_client", "live_settings"]


@pytest.fixture
async def app(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The session's app; every webhook endpoint deleted after the test."""
    yield app
    await forget_webhook_endpoints(app)
