"""/server/webhooks: endpoints a host creates, lists, shows, updates, deletes and rotates
the secret of, with a `webhooks:manage` key; the subscription rows kept in step; the
secret shown only at creation and rotation; URLs that webhooks may not reach refused
(SSRF), unless the operator allows private targets. On every engine."""

from __future__ import annotations

import base64
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, insert, select, update

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.errors import WebhookUrlRefused
from mailslot.state import app_state
from mailslot.webhooks import outbox, targets
from mailslot.webhooks.endpoints import signing_secrets
from mailslot.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSubscription,
)
from tests.support.databases import make_settings
from tests.support.factories import PUBLIC_WEBHOOK_URL, TestKey, make_server_key
from tests.support.problems import problem

pytestmark = pytest.mark.anyio

ENDPOINT_ID = re.compile(r"^ep_[0-9a-f]{24}$")
MISSING = "ep_" + "0" * 24

# Each refused with MAILSLOT_WEBHOOK_ALLOW_PRIVATE off (issue 19's list, and more).
PRIVATE_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://10.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[::1]/hook",
    "http://localhost/hook",  # a name that resolves to a private address
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "http://[::ffff:a00:1]/hook",
    "http://127.1/hook",  # other spellings of 127.0.0.1
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://100.64.0.1/hook",  # shared address space
    "http://[fe80::1]/hook",  # link-local
    "http://[fd00::1]/hook",  # unique local
    "http://[::a00:1]/hook",  # IPv4-compatible IPv6 (10.0.0.1)
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "http://224.0.0.1/hook",  # multicast
]
# Refused whatever the setting.
MALFORMED_URLS = [
    "ftp://93.184.215.14/hook",
    "file:///etc/passwd",
    "gopher://93.184.215.14/",
    "http://user:pass@93.184.215.14/hook",  # userinfo
    "http://user@93.184.215.14/hook",
    "http://93.184.215.14\\@127.0.0.1/hook",  # parsers disagree on the backslash
    "http://%31%32%37.0.0.1/hook",  # an escaped host
    "http://[fe80::1%25eth0]/hook",  # an interface of this machine
    "http://93.184.215.14/hook#fragment",
    "http://93.184.215.14:0/hook",
    "http://93.184.215.14:99999/hook",
    "http://93.184.215.14/a path",
    "http://bücher.example/hook",  # not in its xn-- form
    "https://",
    "93.184.215.14/hook",
    "",
]


@pytest.fixture
async def key(app) -> TestKey:
    return await make_server_key(app, "webhooks:manage")


@pytest.fixture(scope="module")
async def open_app(settings: Settings, tmp_path_factory) -> AsyncIterator[FastAPI]:
    """The app over the same database, with MAILSLOT_WEBHOOK_ALLOW_PRIVATE on."""
    allowing = make_settings(
        tmp_path_factory.mktemp("open"),
        settings.resolved_database_url,
        webhook_allow_private=True,
    )
    app = create_app(allowing)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def open_client(open_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=open_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://mailslot.test") as client:
        yield client


async def create(
    client: httpx.AsyncClient, key: TestKey, *, status: int = 201, **body: Any
) -> dict[str, Any]:
    """POST /server/webhooks, disabled and for every event unless `body` says."""
    body = {"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "enabled": False, **body}
    answer = await client.post("/server/webhooks", json=body, headers=key.headers)
    assert answer.status_code == status, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def subscriptions(app: FastAPI, endpoint_id: str) -> list[str]:
    async with app_state(app).sessions() as db:
        rows = await db.scalars(
            select(WebhookSubscription.event_type)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookSubscription.endpoint_id)
            .where(WebhookEndpoint.public_id == endpoint_id)
            .order_by(WebhookSubscription.event_type)
        )
        return list(rows)


async def stored(app: FastAPI, endpoint_id: str) -> WebhookEndpoint | None:
    async with app_state(app).sessions() as db:
        endpoint: WebhookEndpoint | None = await db.scalar(
            select(WebhookEndpoint).where(WebhookEndpoint.public_id == endpoint_id)
        )
        return endpoint


async def count_with_url(app: FastAPI, url: str) -> int:
    async with app_state(app).sessions() as db:
        return int(
            await db.scalar(
                select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.url == url)
            )
            or 0
        )


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# Creating


async def test_create_shows_the_secret_once(app, client, key) -> None:
    created = await create(
        client,
        key,
        event_types=["message.read", "message.created", "message.read"],
        description="Seller notifications",
    )
    assert ENDPOINT_ID.match(created["id"])
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    assert created["url"] == PUBLIC_WEBHOOK_URL
    assert created["event_types"] == ["message.created", "message.read"]
    assert created["description"] == "Seller notifications"
    assert created["enabled"] is False
    assert created["disabled_reason"] is None
    assert created["failing_since"] is None
    assert created["previous_secret_expires_at"] is None
    assert created["created_at"] == created["updated_at"]
    assert await subscriptions(app, created["id"]) == ["message.created", "message.read"]

    shown = await client.get(f"/server/webhooks/{created['id']}", headers=key.headers)
    assert shown.status_code == 200
    assert shown.json() == {k: v for k, v in created.items() if k != "secret"}
    listed = await client.get("/server/webhooks", headers=key.headers)
    assert created["id"] in [endpoint["id"] for endpoint in listed.json()["endpoints"]]
    for answer in (shown, listed):
        assert '"secret"' not in answer.text
        assert created["secret"] not in answer.text


async def test_create_is_enabled_by_default(app, client, key) -> None:
    created = await create(client, key, enabled=True, event_types=["user.deactivated"])
    try:
        assert created["enabled"] is True
        assert created["description"] == ""
    finally:
        gone = await client.delete(f"/server/webhooks/{created['id']}", headers=key.headers)
        assert gone.status_code == 204


async def test_every_event_is_star_alone(app, client, key) -> None:
    created = await create(client, key, event_types=["message.read", "*", "*"])
    assert created["event_types"] == ["*"]
    assert await subscriptions(app, created["id"]) == ["*"]


async def test_an_unknown_event_type_is_named(client, key) -> None:
    answer = await client.post(
        "/server/webhooks",
        json={"url": PUBLIC_WEBHOOK_URL, "event_types": ["message.read", "message.sent"]},
        headers=key.headers,
    )
    body = problem(answer, 422, "validation_failed")
    assert "message.sent" in body["detail"]
    assert body["errors"][0]["pointer"] == "/body/event_types/1"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"event_types": ["*"]}, "/body/url"),
        ({"url": PUBLIC_WEBHOOK_URL}, "/body/event_types"),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": []}, "/body/event_types"),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": "*"}, "/body/event_types"),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": [7]}, "/body/event_types/0"),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"] * 1000}, "/body/event_types"),
        ({"url": 7, "event_types": ["*"]}, "/body/url"),
        ({"url": "https://93.184.215.14/" + "a" * 2048, "event_types": ["*"]}, "/body/url"),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "description": "d" * 501}, None),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "description": "a\nb"}, None),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "enabled": "maybe"}, None),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "secret": "whsec_AAAA"}, None),
        ({"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "id": MISSING}, None),
        ([], "/body"),
    ],
)
async def test_a_malformed_body_is_refused(client, key, body: Any, pointer: str | None) -> None:
    answer = await client.post("/server/webhooks", json=body, headers=key.headers)
    refused = problem(answer, 422, "validation_failed")
    if pointer is not None:
        assert refused["errors"][0]["pointer"] == pointer


async def test_a_body_that_is_not_json_is_refused(client, key) -> None:
    answer = await client.post(
        "/server/webhooks",
        content=b'{"url": ',
        headers={**key.headers, "Content-Type": "application/json"},
    )
    problem(answer, 400, "malformed_json")


# Addresses webhooks may reach


@pytest.mark.parametrize("url", PRIVATE_URLS + MALFORMED_URLS)
async def test_a_url_webhooks_may_not_reach_is_refused(app, client, key, url: str) -> None:
    answer = await client.post(
        "/server/webhooks", json={"url": url, "event_types": ["*"]}, headers=key.headers
    )
    if url:
        problem(answer, 422, "webhook_url_refused")
    else:
        problem(answer, 422, "validation_failed")  # below the schema's minimum length
    assert await count_with_url(app, url) == 0


@pytest.mark.parametrize("url", PRIVATE_URLS)
async def test_private_urls_are_allowed_when_the_operator_allows(
    open_app, open_client, key, url: str
) -> None:
    created = await create(open_client, key, url=url)
    assert created["url"] == url
    gone = await open_client.delete(f"/server/webhooks/{created['id']}", headers=key.headers)
    assert gone.status_code == 204


@pytest.mark.parametrize("url", MALFORMED_URLS[:-1])
async def test_malformed_urls_are_refused_even_when_private_ones_are_allowed(
    open_client, key, url: str
) -> None:
    answer = await open_client.post(
        "/server/webhooks", json={"url": url, "event_types": ["*"]}, headers=key.headers
    )
    problem(answer, 422, "webhook_url_refused")


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What names resolve to, for this test: a list of addresses, an OSError to raise,
    or "slow" (never answers)."""
    answers: dict[str, Any] = {}

    async def lookup(host: str, port: int) -> list[str]:
        answer = answers.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if answer == "slow":
            await anyio.sleep(10)
        if isinstance(answer, OSError):
            raise answer
        return list(answer)

    monkeypatch.setattr(targets, "lookup", lookup)
    monkeypatch.setattr(targets, "RESOLVE_SECONDS", 0.05)
    return answers


async def test_a_name_with_any_private_address_is_refused(app, client, key, resolver) -> None:
    resolver["mixed.example"] = ["93.184.215.14", "10.0.0.1"]
    resolver["public.example"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    url = "https://mixed.example/hook"
    refused = problem(
        await client.post(
            "/server/webhooks", json={"url": url, "event_types": ["*"]}, headers=key.headers
        ),
        422,
        "webhook_url_refused",
    )
    assert "10.0.0.1" in refused["detail"]
    created = await create(client, key, url="https://public.example/hook")
    assert created["url"] == "https://public.example/hook"


@pytest.mark.parametrize("answer", [None, "slow"])
async def test_a_name_that_does_not_resolve_is_refused(
    app, client, key, resolver, answer: Any
) -> None:
    if answer is not None:
        resolver["nowhere.example"] = answer
    with anyio.fail_after(2):
        refused = await client.post(
            "/server/webhooks",
            json={"url": "https://nowhere.example/hook", "event_types": ["*"]},
            headers=key.headers,
        )
    assert "does not resolve" in problem(refused, 422, "webhook_url_refused")["detail"]


async def test_resolve_gives_the_addresses_to_connect_to(resolver) -> None:
    resolver["public.example"] = ["93.184.215.14"]
    resolver["private.example"] = ["10.0.0.1"]
    public = targets.parse("https://public.example:8443/hook")
    assert (public.host, public.port, public.scheme) == ("public.example", 8443, "https")
    assert await targets.resolve(public, allow_private=False) == ["93.184.215.14"]
    private = targets.parse("http://private.example/hook")
    assert private.port == 80
    with pytest.raises(WebhookUrlRefused):
        await targets.resolve(private, allow_private=False)
    assert await targets.resolve(private, allow_private=True) == ["10.0.0.1"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("::ffff:93.184.215.14", True),
        ("2002:5db8:d70e::", True),  # 6to4 of a public address
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 (an address judged, not one bound)
        ("0.1.2.3", False),
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("224.0.0.1", False),
        ("::", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("fec0::1", False),  # site-local
        ("ff02::1", False),
        ("2001:db8::1", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("::ffff:10.0.0.1", False),
        ("::10.0.0.1", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b:1::1", False),
        ("2002:a9fe:a9fe::", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert targets.is_public(address) is public


# Showing and listing


async def test_an_unknown_id_is_not_found(client, key) -> None:
    for webhook_id in (MISSING, "nope", "ep_%00", "ep_" + "f" * 200):
        for method, path, body in (
            ("GET", "", None),
            ("PATCH", "", {"description": "x"}),
            ("DELETE", "", None),
            ("POST", "/rotate-secret", {}),
        ):
            answer = await client.request(
                method, f"/server/webhooks/{webhook_id}{path}", json=body, headers=key.headers
            )
            problem(answer, 404, "webhook_not_found")


async def test_the_list_pages_newest_first(client, key) -> None:
    made = [(await create(client, key, description=f"page {n}"))["id"] for n in range(3)]
    seen: list[str] = []
    cursor: str | None = None
    while not set(made) <= set(seen):
        params: dict[str, Any] = {"per_page": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/server/webhooks", params=params, headers=key.headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["endpoints"]) <= 2
        seen += [endpoint["id"] for endpoint in body["endpoints"]]
        cursor = body["next_cursor"]
        assert cursor is not None or set(made) <= set(seen)
    assert [endpoint for endpoint in seen if endpoint in made] == made[::-1]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"cursor": "not-a-cursor"}, 400, "invalid_parameter"),
        ({"cursor": "x" * 65}, 422, "validation_failed"),
        ({"per_page": 0}, 422, "validation_failed"),
        ({"per_page": 101}, 422, "validation_failed"),
        ({"per_page": "many"}, 422, "validation_failed"),
    ],
)
async def test_a_bad_listing_query_is_refused(
    client, key, query: dict[str, Any], status: int, code: str
) -> None:
    problem(await client.get("/server/webhooks", params=query, headers=key.headers), status, code)


# Updating


async def test_patch_changes_what_is_given(app, client, key) -> None:
    created = await create(client, key, event_types=["message.created"], description="before")
    answer = await client.patch(
        f"/server/webhooks/{created['id']}",
        json={
            "url": "https://93.184.215.14/other",
            "event_types": ["user.updated", "user.created", "user.created"],
        },
        headers=key.headers,
    )
    assert answer.status_code == 200, answer.text
    patched = answer.json()
    assert "secret" not in patched
    assert patched["url"] == "https://93.184.215.14/other"
    assert patched["event_types"] == ["user.created", "user.updated"]
    assert patched["description"] == "before"
    assert patched["enabled"] is False
    assert _time(patched["updated_at"]) > _time(created["updated_at"])
    assert patched["created_at"] == created["created_at"]
    assert await subscriptions(app, created["id"]) == ["user.created", "user.updated"]

    same = await client.patch(f"/server/webhooks/{created['id']}", json={}, headers=key.headers)
    assert same.status_code == 200
    assert same.json() == patched  # nothing changed: updated_at stays


async def test_patch_with_a_refused_url_changes_nothing(app, client, key) -> None:
    created = await create(client, key, event_types=["message.read"])
    answer = await client.patch(
        f"/server/webhooks/{created['id']}",
        json={"url": "http://169.254.169.254/", "event_types": ["*"], "enabled": True},
        headers=key.headers,
    )
    problem(answer, 422, "webhook_url_refused")
    shown = await client.get(f"/server/webhooks/{created['id']}", headers=key.headers)
    assert shown.json() == {k: v for k, v in created.items() if k != "secret"}
    assert await subscriptions(app, created["id"]) == ["message.read"]


@pytest.mark.parametrize(
    "body",
    [
        {"url": None},
        {"event_types": None},
        {"description": None},
        {"enabled": None},
        {"event_types": []},
        {"event_types": ["message.sent"]},
        {"description": "d" * 501},
        {"secret": "whsec_AAAA"},
        {"disabled_reason": None},
    ],
)
async def test_a_malformed_patch_is_refused(client, key, body: dict[str, Any]) -> None:
    created = await create(client, key)
    answer = await client.patch(f"/server/webhooks/{created['id']}", json=body, headers=key.headers)
    problem(answer, 422, "validation_failed")


async def test_enabling_clears_what_mailslot_disabled_it_for(app, client, key) -> None:
    created = await create(client, key, enabled=True, event_types=["message.read"])
    try:
        failing = utcnow() - timedelta(days=5)
        async with app_state(app).sessions() as db:  # as the delivery worker does
            await db.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.public_id == created["id"])
                .values(enabled=False, disabled_reason="410 Gone", failing_since=failing)
            )
            await db.commit()
        shown = (await client.get(f"/server/webhooks/{created['id']}", headers=key.headers)).json()
        assert shown["enabled"] is False
        assert shown["disabled_reason"] == "410 Gone"
        assert _time(shown["failing_since"]) == failing

        described = await client.patch(
            f"/server/webhooks/{created['id']}", json={"description": "x"}, headers=key.headers
        )
        assert described.json()["disabled_reason"] == "410 Gone"  # still disabled, still why

        enabled = await client.patch(
            f"/server/webhooks/{created['id']}", json={"enabled": True}, headers=key.headers
        )
        assert enabled.status_code == 200
        assert enabled.json()["enabled"] is True
        assert enabled.json()["disabled_reason"] is None
        assert enabled.json()["failing_since"] is None

        disabled = await client.patch(
            f"/server/webhooks/{created['id']}", json={"enabled": False}, headers=key.headers
        )
        assert disabled.json()["enabled"] is False
        assert disabled.json()["disabled_reason"] is None  # by the host: no reason
    finally:
        await client.delete(f"/server/webhooks/{created['id']}", headers=key.headers)


async def test_concurrent_changes_never_half_write(app, client, key) -> None:
    created = await create(client, key)
    choices = [["message.created"], ["message.read", "user.created"], ["*"], ["user.updated"]]
    answers: list[httpx.Response] = []

    async def patch(event_types: list[str]) -> None:
        answers.append(
            await client.patch(
                f"/server/webhooks/{created['id']}",
                json={"event_types": event_types},
                headers=key.headers,
            )
        )

    async def rotate() -> None:
        answers.append(
            await client.post(
                f"/server/webhooks/{created['id']}/rotate-secret", json={}, headers=key.headers
            )
        )

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            for event_types in choices * 2:
                group.start_soon(patch, event_types)
            group.start_soon(rotate)
    assert [answer.status_code for answer in answers] == [200] * len(answers)
    shown = (await client.get(f"/server/webhooks/{created['id']}", headers=key.headers)).json()
    assert shown["event_types"] in choices
    assert await subscriptions(app, created["id"]) == shown["event_types"]


# Deleting


async def test_delete_takes_the_deliveries_with_it(app, client, key) -> None:
    created = await create(client, key, enabled=True, event_types=["user.reactivated"])
    async with app_state(app).sessions() as db:
        endpoint_id = await db.scalar(
            select(WebhookEndpoint.id).where(WebhookEndpoint.public_id == created["id"])
        )
        event_id = await outbox.emit(db, "user.reactivated", {"external_id": "x"})
        assert event_id is not None
        delivery_id = await db.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.event_id == event_id
            )
        )
        assert delivery_id is not None
        await db.execute(
            insert(WebhookAttempt).values(
                delivery_id=delivery_id, number=1, started_at=utcnow(), latency_ms=3
            )
        )
        await db.commit()

    gone = await client.delete(f"/server/webhooks/{created['id']}", headers=key.headers)
    assert gone.status_code == 204
    assert gone.content == b""
    async with app_state(app).sessions() as db:
        for table, column in (
            (WebhookDelivery, WebhookDelivery.endpoint_id),
            (WebhookSubscription, WebhookSubscription.endpoint_id),
            (WebhookEndpoint, WebhookEndpoint.id),
        ):
            left = await db.scalar(
                select(func.count()).select_from(table).where(column == endpoint_id)
            )
            assert left == 0, table
        attempts = await db.scalar(
            select(func.count())
            .select_from(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
        )
        assert attempts == 0
    problem(
        await client.get(f"/server/webhooks/{created['id']}", headers=key.headers),
        404,
        "webhook_not_found",
    )
    problem(
        await client.delete(f"/server/webhooks/{created['id']}", headers=key.headers),
        404,
        "webhook_not_found",
    )


# Rotating the secret


async def test_rotation_signs_with_both_secrets_during_the_grace(app, client, key) -> None:
    created = await create(client, key)
    before = utcnow()
    answer = await client.post(
        f"/server/webhooks/{created['id']}/rotate-secret",
        json={"grace_seconds": 3600},
        headers=key.headers,
    )
    assert answer.status_code == 200, answer.text
    rotated = answer.json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]
    until = _time(rotated["previous_secret_expires_at"])
    assert before + timedelta(seconds=3600) <= until <= utcnow() + timedelta(seconds=3600)
    shown = (await client.get(f"/server/webhooks/{created['id']}", headers=key.headers)).json()
    assert shown["previous_secret_expires_at"] == rotated["previous_secret_expires_at"]
    assert "secret" not in shown

    endpoint = await stored(app, created["id"])
    assert endpoint is not None
    assert endpoint.secret == rotated["secret"]
    assert endpoint.previous_secret == created["secret"]
    assert signing_secrets(endpoint, utcnow()) == [rotated["secret"], created["secret"]]
    assert signing_secrets(endpoint, until) == [rotated["secret"]]


async def test_rotation_without_grace_drops_the_previous_secret(app, client, key) -> None:
    created = await create(client, key)
    first = await client.post(
        f"/server/webhooks/{created['id']}/rotate-secret", json={}, headers=key.headers
    )
    until = _time(first.json()["previous_secret_expires_at"])
    assert timedelta(hours=23, minutes=59) < until - utcnow() <= timedelta(hours=24)  # a day
    second = await client.post(
        f"/server/webhooks/{created['id']}/rotate-secret",
        json={"grace_seconds": 0},
        headers=key.headers,
    )
    assert second.json()["previous_secret_expires_at"] is None
    endpoint = await stored(app, created["id"])
    assert endpoint is not None
    assert endpoint.previous_secret is None
    assert signing_secrets(endpoint, utcnow()) == [second.json()["secret"]]


@pytest.mark.parametrize(
    "body",
    [
        {"grace_seconds": -1},
        {"grace_seconds": 7 * 86400 + 1},
        {"grace_seconds": "a day"},
        {"grace_seconds": None},
        {"grace": 60},
    ],
)
async def test_a_bad_grace_is_refused(client, key, body: dict[str, Any]) -> None:
    created = await create(client, key)
    answer = await client.post(
        f"/server/webhooks/{created['id']}/rotate-secret", json=body, headers=key.headers
    )
    problem(answer, 422, "validation_failed")


@dataclass
class Secrets:
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None


def test_signing_secrets_are_current_first_then_previous_in_grace() -> None:
    now = utcnow()
    assert signing_secrets(Secrets("new", None, None), now) == ["new"]
    assert signing_secrets(Secrets("new", "old", now + timedelta(seconds=1)), now) == [
        "new",
        "old",
    ]
    assert signing_secrets(Secrets("new", "old", now), now) == ["new"]
    assert signing_secrets(Secrets("new", "old", None), now) == ["new"]
