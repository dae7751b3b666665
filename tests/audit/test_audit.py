"""The audit trail of mailbox reads, on every engine: `GET /server/audit` (scope
audit:read) and `mailslot audit` list every key's reads, filtered by user and time, paged
by cursor; a user sees their own access log only where the operator turned it on."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import update

from mailslot.app import create_app
from mailslot.audit.models import MailboxRead
from mailslot.db.base import utcnow
from mailslot.keys import service as keys
from mailslot.state import app_state
from tests.support.factories import (
    TestUser,
    make_server_key,
    make_user,
    send,
)
from tests.support.instances import mailslot, serving
from tests.support.people import give_external_id

pytestmark = pytest.mark.anyio


async def read_twice_by_two_keys(app: FastAPI, client: httpx.AsyncClient) -> Any:
    """bob's mailbox read by two keys: a page by `support`, then a message by `billing`."""
    alice, bob = await make_user(client), await make_user(client)
    host_id = await give_external_id(app, bob.username)
    sent = await send(client, alice, bob)
    support = await make_server_key(app, "mailbox:read")
    billing = await make_server_key(app, "mailbox:read")
    listed = await client.get(
        f"/server/users/{host_id}/messages", params={"box": "inbox"}, headers=support.headers
    )
    assert listed.status_code == 200
    opened = await client.get(f"/server/messages/{sent['id']}", headers=billing.headers)
    assert opened.status_code == 200
    return alice, bob, host_id, sent, support, billing


async def trail(app: FastAPI, client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    """A page of the trail, read with a key of its own."""
    auditor = await make_server_key(app, "audit:read")
    answer = await client.get("/server/audit", params=params, headers=auditor.headers)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


async def test_the_trail_lists_every_keys_reads_of_a_mailbox_newest_first(app, client) -> None:
    alice, bob, host_id, sent, support, billing = await read_twice_by_two_keys(app, client)
    page = await trail(app, client, user=host_id)
    assert page["next_cursor"] is None
    assert [(r["key_name"], r["operation"]) for r in page["records"]] == [
        (billing.name, "get_server_message"),
        (support.name, "list_server_user_messages"),
    ]
    message, listing = page["records"]
    assert (message["message_id"], message["query"]) == (sent["id"], None)
    assert (listing["message_id"], listing["query"]) == (None, {"box": "inbox"})
    assert {r["username"] for r in page["records"]} == {bob.username}
    assert {r["external_id"] for r in page["records"]} == {host_id}
    assert message["id"] > listing["id"]
    assert message["read_at"] >= listing["read_at"]
    # the message read is in its sender's mailbox too; alice has no external id
    (alices,) = (await trail(app, client, username=alice.username.upper()))["records"]
    assert (alices["key_name"], alices["external_id"]) == (billing.name, None)


async def test_the_trail_pages_by_cursor_and_filters_by_time(app, client) -> None:
    _, _, host_id, _, support, _ = await read_twice_by_two_keys(app, client)
    for _ in range(3):
        again = await client.get(f"/server/users/{host_id}/messages", headers=support.headers)
        assert again.status_code == 200
    whole = (await trail(app, client, user=host_id))["records"]
    assert len(whole) == 5
    seen, cursor = [], None
    while True:
        page = await trail(
            app, client, user=host_id, limit=2, **({"cursor": cursor} if cursor else {})
        )
        assert len(page["records"]) <= 2
        seen += page["records"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole

    # the two oldest, a day ago
    async with app_state(app).sessions() as db:
        await db.execute(
            update(MailboxRead)
            .where(MailboxRead.id.in_([whole[-1]["id"], whole[-2]["id"]]))
            .values(read_at=utcnow() - timedelta(days=1))
        )
        await db.commit()
    hour_ago = (utcnow() - timedelta(hours=1)).isoformat()
    recent = (await trail(app, client, user=host_id, since=hour_ago))["records"]
    older = (await trail(app, client, user=host_id, until=hour_ago))["records"]
    assert [r["id"] for r in recent] == [r["id"] for r in whole[:3]]
    assert [r["id"] for r in older] == [r["id"] for r in whole[3:]]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"cursor": "junk"}, 400, "invalid_parameter"),
        ({"limit": 0}, 422, "validation_failed"),
        ({"limit": 201}, 422, "validation_failed"),
        ({"since": "last week"}, 422, "validation_failed"),
        ({"user": "has space"}, 422, "validation_failed"),
    ],
)
async def test_a_bad_query_of_the_trail_is_refused(
    app, client, params: dict[str, Any], status: int, code: str
) -> None:
    answer = await client.get(
        "/server/audit", params=params, headers=(await make_server_key(app, "audit:read")).headers
    )
    assert (answer.status_code, answer.json()["code"]) == (status, code)


async def test_reading_the_trail_needs_audit_read_not_mailbox_read(app, client) -> None:
    reader = await make_server_key(app, "mailbox:read")
    answer = await client.get("/server/audit", headers=reader.headers)
    assert (answer.status_code, answer.json()["code"]) == (403, "insufficient_scope")
    assert "audit:read" in answer.json()["detail"]


async def test_the_command_lists_the_trail_with_its_filters(app, client, environment) -> None:
    _, bob, host_id, sent, support, billing = await read_twice_by_two_keys(app, client)
    listed = await mailslot(environment, "audit", "--user", host_id)
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.stdout.splitlines() if bob.username in line]
    assert len(lines) == 2
    assert billing.name in lines[0]
    assert f"message {sent['id']}" in lines[0]
    assert support.name in lines[1]
    assert 'list {"box": "inbox"}' in lines[1]

    newest = await mailslot(environment, "audit", "--username", bob.username, "--limit", "1")
    assert newest.exit_code == 0, newest.output
    shown = [line.split() for line in newest.stdout.splitlines() if bob.username in line]
    assert shown == [lines[0].split()]
    assert "more" in newest.stdout

    as_json = await mailslot(environment, "audit", "--user", host_id, "--json")
    assert as_json.exit_code == 0, as_json.output
    trail = json.loads(as_json.stdout)
    assert trail["more"] is False
    assert [(r["key"], r["username"], r["external_id"]) for r in trail["reads"]] == [
        (billing.name, bob.username, host_id),
        (support.name, bob.username, host_id),
    ]
    assert trail["reads"][0]["message_id"] == sent["id"]
    assert trail["reads"][1]["query"] == {"box": "inbox"}

    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    later = await mailslot(environment, "audit", "--user", host_id, "--since", tomorrow)
    assert later.exit_code == 0, later.output
    assert bob.username not in later.stdout

    refused = await mailslot(environment, "audit", "--since", "yesterday")
    assert refused.exit_code == 2
    assert "ISO 8601" in refused.output


async def access_log(client: httpx.AsyncClient, user: TestUser, **params: Any) -> httpx.Response:
    return await client.get(
        f"/users/{user.username}/access-log", params=params, headers=user.headers
    )


async def test_a_user_sees_who_read_their_mailbox_where_the_operator_shows_it(
    app, client, settings, tmp_path
) -> None:
    alice, bob, _, sent, support, billing = await read_twice_by_two_keys(app, client)
    showing = create_app(
        settings.model_copy(update={"data_dir": tmp_path, "audit_show_users": True})
    )
    async with LifespanManager(showing), serving(showing) as shown:
        answer = await access_log(shown, bob)
        assert answer.status_code == 200, answer.text
        entries = answer.json()["entries"]
        assert [(e["key_name"], e["operation"], e["message_id"]) for e in entries] == [
            (billing.name, "get_server_message", sent["id"]),
            (support.name, "list_server_user_messages", None),
        ]
        assert set(entries[0]) == {"read_at", "key_name", "operation", "message_id"}
        first = (await access_log(shown, bob, limit=1)).json()
        rest = (await access_log(shown, bob, cursor=first["next_cursor"])).json()
        assert first["entries"] + rest["entries"] == entries
        assert rest["next_cursor"] is None
        (alices,) = (await access_log(shown, alice)).json()["entries"]
        assert alices["key_name"] == billing.name
        stranger = await client.get(f"/users/{bob.username}/access-log", headers=alice.headers)
        assert (stranger.status_code, stranger.json()["code"]) == (403, "not_your_mailbox")

    hidden = await access_log(client, bob)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "access_log_off")


async def test_a_mailbox_never_read_has_an_empty_access_log(settings, tmp_path) -> None:
    showing = create_app(
        settings.model_copy(update={"data_dir": tmp_path, "audit_show_users": True})
    )
    async with LifespanManager(showing), serving(showing) as shown:
        carol = await make_user(shown)
        answer = await access_log(shown, carol)
        assert answer.json() == {"entries": [], "next_cursor": None}


async def test_a_revoked_key_keeps_its_name_in_the_trail(app, client) -> None:
    _, _, host_id, _, support, _ = await read_twice_by_two_keys(app, client)
    async with app_state(app).sessions() as db:
        await keys.revoke_key(db, name=support.name)
        await db.commit()
    records = (await trail(app, client, user=host_id))["records"]
    assert [r["key_name"] for r in records][-1] == support.name
