"""The matrix's cells make webhook endpoints: none outlives its cell."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from tests.support.factories import forget_webhook_endpoints


@pytest.fixture
async def app(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The session's app; every webhook endpoint deleted after the test."""
    yield app
    await forget_webhook_endpoints(app)
