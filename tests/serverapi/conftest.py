"""Fixtures of the server API's tests."""

from __future__ import annotations

import pytest

from tests.support.factories import TestKey, make_server_key


@pytest.fixture
async def key(app) -> TestKey:
    """A server key holding `users:write` and `tokens:mint`."""
    return await make_server_key(app, "users:write", "tokens:mint")
