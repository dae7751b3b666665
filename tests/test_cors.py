"""CORS: an allow-list, empty by default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from mailslot.app import create_app
from mailslot.config import Settings
from tests.realtime.conftest import asgi_get
from tests.support.factories import make_user

pytestmark = pytest.mark.anyio

LISTED = "https://app.example.com"
OTHER = "https://evil.example.net"


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_no_origin_is_allowed_by_default(client, dialect) -> None:
    answer = await client.options("/users/alice/messages", headers=preflight(LISTED))
    assert "access-control-allow-origin" not in answer.headers
    simple = await client.get("/healthz", headers={"Origin": LISTED})
    assert "access-control-allow-origin" not in simple.headers


async def test_listed_origins_only(settings) -> None:
    async with client_for(settings.model_copy(update={"cors_origins": [LISTED]})) as client:
        allowed = await client.options("/users/alice/messages", headers=preflight(LISTED))
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == LISTED
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in allowed.headers
        refused = await client.options("/users/alice/messages", headers=preflight(OTHER))
        assert "access-control-allow-origin" not in refused.headers
        simple = await client.get("/healthz", headers={"Origin": LISTED})
        assert simple.headers["access-control-allow-origin"] == LISTED
        assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
        other = await client.get("/healthz", headers={"Origin": OTHER})
        assert "access-control-allow-origin" not in other.headers


def test_origins_are_read_as_a_comma_separated_list(monkeypatch) -> None:
    monkeypatch.setenv("MAILSLOT_CORS_ORIGINS", f"{LISTED}, https://two.example")
    assert Settings().cors_origins == [LISTED, "https://two.example"]
    monkeypatch.setenv("MAILSLOT_CORS_ORIGINS", "")
    assert Settings().cors_origins == []


async def test_an_event_stream_carries_the_cors_headers(settings) -> None:
    """A stream runs after the CORS layer has returned (realtime/deferred.py), with
    the send that layer wrapped: a page on a listed origin may still read it."""
    app = create_app(settings.model_copy(update={"cors_origins": [LISTED]}))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            user = await make_user(client)
        headers = {**user.headers, "Origin": LISTED}
        async with asgi_get(app, f"/users/{user.username}/events", headers=headers) as stream:
            assert stream.status == 200
            assert stream.headers["access-control-allow-origin"] == LISTED
            assert stream.headers["x-request-id"]
