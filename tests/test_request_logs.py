"""JSON log lines of requests: the access line's fields, the request's id and actor on every
line logged while it is served, and the audit stream's records of administrative acts."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from sqlalchemy import select

from mailslot.accounts.deps import CurrentUser
from mailslot.accounts.models import User
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.keys.models import ServerKey
from mailslot.logs import JsonFormatter
from mailslot.state import app_state
from tests.support.factories import PUBLIC_WEBHOOK_URL, make_server_key, make_user, send
from tests.support.instances import serving

pytestmark = pytest.mark.anyio

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    """The JSON lines every logger writes from here on, as `mailslot serve` writes them;
    but the test client's own (httpx)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [
            line
            for line in map(json.loads, stream.getvalue().splitlines())
            if line["logger"] != "httpx"
        ]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def one(lines: list[dict[str, Any]], **wanted: object) -> dict[str, Any]:
    (found,) = [line for line in lines if wanted.items() <= line.items()]
    return found


async def user_id(app: FastAPI, username: str) -> int:
    async with app_state(app).sessions() as db:
        found = await db.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


async def key_id(app: FastAPI, name: str) -> int:
    async with app_state(app).sessions() as db:
        found = await db.scalar(select(ServerKey.id).where(ServerKey.name == name))
    assert found is not None
    return found


async def test_the_access_line_names_the_route_and_the_user_never_the_path(
    app, client, json_lines: Lines
) -> None:
    alice = await make_user(client)
    request_id = f"proxy-{uuid.uuid4().hex}"
    answer = await client.get(
        f"/users/{alice.username}/messages?password=CANARY",
        headers=alice.headers | {"X-Request-ID": request_id},
    )
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == request_id
    anonymous = await client.get("/healthz")
    missing = await client.get(f"/nowhere/{alice.username}")

    lines = json_lines()
    line = one(lines, logger="mailslot.access", request_id=request_id)
    assert line["route"] == "/users/{username}/messages"
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "info")
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["user"] == await user_id(app, alice.username)
    assert "server_key" not in line
    assert line["event"].endswith(f"GET /users/{{username}}/messages 200 {line['duration_ms']}ms")
    made = one(lines, logger="mailslot.access", request_id=anonymous.headers["x-request-id"])
    assert (made["route"], made["status"]) == ("/healthz", 200)
    assert len(made["request_id"]) == 32  # made here: none was sent
    assert "user" not in made
    unknown = one(lines, logger="mailslot.access", request_id=missing.headers["x-request-id"])
    assert (unknown["route"], unknown["status"]) == (None, 404)
    text = "\n".join(json.dumps(line) for line in lines)
    assert alice.username not in text
    assert "CANARY" not in text
    assert alice.token not in text


async def test_every_line_of_a_request_names_it_and_its_user(
    settings: Settings, tmp_path, json_lines: Lines
) -> None:
    """A line from any logger, in the request's task or in a task it starts."""
    instance = create_app(settings.model_copy(update={"data_dir": tmp_path}))
    probe = APIRouter()
    log = logging.getLogger("tests.probe")

    @probe.post("/probe")
    async def post_probe(user: CurrentUser) -> dict[str, str]:
        log.info("handler")
        await asyncio.to_thread(log.info, "in a thread")
        await asyncio.create_task(_log_later(log))
        return {}

    instance.include_router(probe)
    async with LifespanManager(instance), serving(instance) as client:
        alice = await make_user(client)
        answer = await client.post("/probe", headers=alice.headers)
        assert answer.status_code == 200
        alice_id = await user_id(instance, alice.username)
    request_id = answer.headers["x-request-id"]
    lines = [line for line in json_lines() if line["logger"] == "tests.probe"]
    by_event = {line["event"]: line for line in lines}
    assert by_event.keys() == {"handler", "in a thread", "in a task"}
    for line in lines:
        assert (line["request_id"], line["user"]) == (request_id, alice_id)
    outside = one(json_lines(), logger="mailslot.access", request_id=request_id)
    assert outside["route"] == "/probe"


async def _log_later(log: logging.Logger) -> None:
    await asyncio.sleep(0)
    log.info("in a task")


async def test_a_messaging_policy_change_is_audited_by_its_key(
    app, client, json_lines: Lines
) -> None:
    key = await make_server_key(app, "moderation")
    acting = await key_id(app, key.name)
    rules = {"reply_only": ["students"], "allow": [{"from": "*", "to": "teachers"}]}
    policy = "/server/policy/messaging"
    try:
        assert (await client.put(policy, json=rules, headers=key.headers)).is_success
        assert (await client.get(policy, headers=key.headers)).is_success  # a read: no record
    finally:
        assert (await client.put(policy, json={}, headers=key.headers)).is_success
    records = [line for line in json_lines() if line["logger"] == "mailslot.audit"]
    assert [(r["action"], r["rules"], r["server_key"]) for r in records] == [
        ("policy.messaging_set", 2, acting),
        ("policy.messaging_set", 0, acting),
    ]


async def test_administrative_acts_through_the_server_api_are_audited(
    app, client, json_lines: Lines
) -> None:
    key = await make_server_key(app, "users:write", "webhooks:manage", "mailbox:read")
    acting = await key_id(app, key.name)
    # A host's own id may be an email address: it never reaches a log line.
    host_id = f"{uuid.uuid4().hex[:10]}@shop.example"
    path = f"/server/users/{host_id}"
    assert (await client.put(path, json={"display_name": "A"}, headers=key.headers)).is_success
    assert (await client.put(path, json={"display_name": "B"}, headers=key.headers)).is_success
    assert (await client.put(path, json={"display_name": "B"}, headers=key.headers)).is_success
    batch = await client.post(
        "/server/users/batch",
        json={"users": [{"external_id": f"cus_{uuid.uuid4().hex[:10]}", "display_name": "C"}]},
        headers=key.headers,
    )
    assert batch.status_code == 200, batch.text
    assert (await client.post(f"{path}/deactivate", headers=key.headers)).is_success
    assert (await client.post(f"{path}/reactivate", headers=key.headers)).is_success
    read = await client.get(f"{path}/messages", headers=key.headers)
    assert read.status_code == 200, read.text
    provisioned = await client.get(path, headers=key.headers)
    user = await user_id(app, provisioned.json()["username"])
    batched = await user_id(app, batch.json()["results"][0]["user"]["username"])

    alice, bob = await make_user(client), await make_user(client)
    message = await send(client, alice, bob, subject="CANARY-subject", message="CANARY-body")
    assert (await client.get(f"/server/messages/{message['id']}", headers=key.headers)).is_success

    created = await client.post(
        "/server/webhooks",
        json={"url": PUBLIC_WEBHOOK_URL, "event_types": ["*"], "enabled": False},
        headers=key.headers,
    )
    assert created.status_code == 201, created.text
    webhook = created.json()["id"]
    changed = await client.patch(
        f"/server/webhooks/{webhook}",
        json={"description": "orders", "event_types": ["message.created"]},
        headers=key.headers,
    )
    assert changed.status_code == 200, changed.text
    rotated = await client.post(
        f"/server/webhooks/{webhook}/rotate-secret", json={}, headers=key.headers
    )
    assert rotated.status_code == 200, rotated.text
    assert (await client.delete(f"/server/webhooks/{webhook}", headers=key.headers)).is_success

    records = [line for line in json_lines() if line["logger"] == "mailslot.audit"]
    assert all(record["server_key"] == acting for record in records)
    assert all(record["request_id"] for record in records)
    assert [{k: v for k, v in r.items() if k not in COMMON} for r in records] == [
        {"action": "user.provisioned", "user_id": user},
        {"action": "user.updated", "user_id": user},
        {"action": "user.provisioned", "user_id": batched},
        {"action": "user.deactivated", "user_id": user},
        {"action": "user.reactivated", "user_id": user},
        {"action": "mailbox.read", "user_id": user},
        {"action": "message.read", "message_id": message["id"]},
        {"action": "webhook.created", "webhook_id": webhook},
        {
            "action": "webhook.updated",
            "webhook_id": webhook,
            "changed": ["description", "event_types"],
        },
        {"action": "webhook.secret_rotated", "webhook_id": webhook},
        {"action": "webhook.deleted", "webhook_id": webhook},
    ]
    assert all(record["event"].startswith(record["action"] + " ") for record in records)
    text = json.dumps(json_lines())
    for secret in (key.key, host_id, created.json()["secret"], rotated.json()["secret"]):
        assert secret not in text
    assert "CANARY" not in text


COMMON = {"time", "level", "logger", "event", "request_id", "server_key", "instance"}
