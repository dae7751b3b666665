"""Reading any mailbox with a server key, on every engine: the same pages as the user's own
list, one message with its receivers' copies, and an audit record written before each
read (and none for a request refused)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mailslot.accounts.models import User
from mailslot.audit import service as audit
from mailslot.audit.models import MailboxRead
from mailslot.keys.models import ServerKey
from mailslot.state import app_state
from tests.support.factories import (
    TestKey,
    TestUser,
    make_server_key,
    make_user,
    send,
)
from tests.support.people import deactivate, give_external_id
from tests.support.statements import statements

pytestmark = pytest.mark.anyio


async def records_of(app: FastAPI, user: TestUser) -> list[Any]:
    """The user's audit records, oldest first."""
    async with app_state(app).sessions() as db:
        rows = await db.execute(
            select(MailboxRead)
            .join(User, User.id == MailboxRead.user_id)
            .where(User.username == user.username)
            .order_by(MailboxRead.id)
        )
        return list(rows.scalars())


async def server_list(
    client: httpx.AsyncClient, key: TestKey, host_id: str, **params: Any
) -> httpx.Response:
    return await client.get(f"/server/users/{host_id}/messages", params=params, headers=key.headers)


async def own_list(client: httpx.AsyncClient, user: TestUser, **params: Any) -> httpx.Response:
    return await client.get(f"/users/{user.username}/messages", params=params, headers=user.headers)


async def test_a_page_read_with_a_key_is_the_users_own_page_and_is_recorded(app, client) -> None:
    alice, bob = await make_user(client), await make_user(client)
    host_id = await give_external_id(app, bob.username)
    sent = await send(client, alice, bob, subject="about order A-1")
    key = await make_server_key(app, "mailbox:read")

    answer = await server_list(client, key, host_id)
    assert answer.status_code == 200, answer.text
    assert answer.json() == (await own_list(client, bob)).json()
    assert answer.json()["messages"][0]["id"] == sent["id"]

    (record,) = await records_of(app, bob)
    assert record.operation == "list_server_user_messages"
    assert record.message_id is None
    assert record.query == {}
    assert record.read_at is not None
    again = await server_list(client, key, host_id, box="sent", per_page="5")
    assert again.status_code == 200
    assert [r.query for r in await records_of(app, bob)] == [{}, {"box": "sent", "per_page": 5}]


async def test_filters_and_cursors_answer_as_on_the_users_own_list(app, client) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    host_id = await give_external_id(app, bob.username)
    for n in range(5):
        await send(client, alice, bob, subject=f"invoice {n}", message=f"total {n}")
    await send(client, carol, bob, subject="lunch")
    await send(client, bob, carol, subject="reply")
    key = await make_server_key(app, "mailbox:read")
    first = (await own_list(client, bob, per_page=2)).json()
    queries: list[dict[str, Any]] = [
        {},
        {"box": "sent"},
        {"unread": "true"},
        {"q": "invoice"},
        {"from": alice.username},
        {"to": carol.username, "box": "sent"},
        {"per_page": 2},
        {"per_page": 2, "cursor": first["next_cursor"]},
        {"per_page": 2, "page": 2},
        {"thread": first["messages"][0]["thread_id"]},
    ]
    for query in queries:
        theirs = await own_list(client, bob, **query)
        ours = await server_list(client, key, host_id, **query)
        assert (ours.status_code, ours.json()) == (200, theirs.json()), query
    assert first["next_cursor"] is not None
    assert len(await records_of(app, bob)) == len(queries)


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"cursor": "not-a-cursor"}, 400, "invalid_parameter"),
        ({"cursor": "bTE6MQ", "page": 2}, 400, "invalid_parameter"),
        ({"box": "sent", "unread": "true"}, 400, "invalid_parameter"),
        ({"q": " ".join(f"w{n}" for n in range(40))}, 400, "invalid_parameter"),
        ({"per_page": 0}, 422, "validation_failed"),
        ({"box": "outbox"}, 422, "validation_failed"),
        ({"after": "yesterday"}, 422, "validation_failed"),
    ],
)
async def test_a_query_the_user_list_refuses_is_refused_alike_and_not_recorded(
    app, client, query: dict[str, Any], status: int, code: str
) -> None:
    bob = await make_user(client)
    host_id = await give_external_id(app, bob.username)
    key = await make_server_key(app, "mailbox:read")
    theirs = await own_list(client, bob, **query)
    ours = await server_list(client, key, host_id, **query)
    assert (ours.status_code, ours.json()["code"]) == (status, code)
    assert theirs.status_code == status
    assert ours.json()["detail"] == theirs.json()["detail"]
    assert await records_of(app, bob) == []


async def test_an_unknown_external_id_is_404_and_a_malformed_one_422(app, client) -> None:
    key = await make_server_key(app, "mailbox:read")
    unknown = await server_list(client, key, "cus_nobody_has_this")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "user_not_found")
    assert "cus_nobody_has_this" in unknown.json()["detail"]
    malformed = await server_list(client, key, "no spaces allowed")
    assert (malformed.status_code, malformed.json()["code"]) == (422, "validation_failed")
    async with app_state(app).sessions() as db:
        by_key = select(func.count()).select_from(MailboxRead).join(ServerKey)
        assert await db.scalar(by_key.where(ServerKey.name == key.name)) == 0


async def test_a_message_read_shows_each_receivers_copy_and_is_recorded_for_each(
    app, client
) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    bob_id = await give_external_id(app, bob.username)
    sent = await send(client, alice, bob, carol, subject="dispute")
    opened = await client.get(f"/users/{bob.username}/messages/{sent['id']}", headers=bob.headers)
    assert opened.status_code == 200
    trashed = await client.delete(
        f"/users/{carol.username}/messages/{sent['id']}", headers=carol.headers
    )
    assert trashed.status_code == 204
    key = await make_server_key(app, "mailbox:read")

    answer = await client.get(f"/server/messages/{sent['id']}", headers=key.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    as_sent = (
        await client.get(f"/users/{alice.username}/messages/{sent['id']}", headers=alice.headers)
    ).json()
    assert {k: v for k, v in body.items() if k != "deliveries"} == as_sent
    assert [(d["username"], d["external_id"], d["box"]) for d in body["deliveries"]] == [
        (bob.username, bob_id, "inbox"),
        (carol.username, None, "trash"),
    ]
    assert body["deliveries"][0]["read_at"] == opened.json()["read_at"]
    assert body["deliveries"][1]["read_at"] is None

    for user in (alice, bob, carol):
        (record,) = await records_of(app, user)
        assert (record.operation, record.message_id) == ("get_server_message", sent["id"])


async def test_a_missing_message_or_one_deleted_for_everyone_is_404_and_unrecorded(
    app, client
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    deleted = await client.delete(
        f"/users/{alice.username}/messages/{sent['id']}", headers=alice.headers
    )
    assert deleted.status_code == 204
    key = await make_server_key(app, "mailbox:read")
    for message_id in (sent["id"], 2**62):
        answer = await client.get(f"/server/messages/{message_id}", headers=key.headers)
        assert (answer.status_code, answer.json()["code"]) == (404, "message_not_found")
    out_of_range = await client.get(f"/server/messages/{2**63}", headers=key.headers)
    assert out_of_range.status_code == 422
    assert await records_of(app, alice) == await records_of(app, bob) == []


async def test_a_key_without_mailbox_read_reads_nothing_and_writes_nothing(app, client) -> None:
    bob = await make_user(client)
    host_id = await give_external_id(app, bob.username)
    sent = await send(client, bob, bob)
    key = await make_server_key(app, "users:write", "audit:read")
    for answer in (
        await server_list(client, key, host_id),
        await client.get(f"/server/messages/{sent['id']}", headers=key.headers),
    ):
        assert (answer.status_code, answer.json()["code"]) == (403, "insufficient_scope")
        assert "mailbox:read" in answer.json()["detail"]
    assert await records_of(app, bob) == []


def _counted(seen: list[str], credential: str) -> list[str]:
    """The statements of a request, its credential's look-up apart (and transaction
    control), so that a key's and a token's requests compare. The app's job runner may
    poll on the same engine meanwhile (every 5 s): its claim is no request's."""
    return [
        sql
        for sql in seen
        if credential not in sql
        and sql.split()[0].upper() not in ("BEGIN", "COMMIT")
        and "FROM job" not in sql
    ]


@pytest.mark.parametrize("query", [{}, {"box": "sent"}, {"from": "SENDER", "q": "invoice"}])
async def test_a_server_page_costs_the_users_page_and_one_insert(
    app, client, query: dict[str, Any]
) -> None:
    """The user's own page and the server's run the same statements, the credential's
    look-up apart, plus the audit record's INSERT (which finds the user by external id
    too): one statement more, whatever the query."""
    alice, bob = await make_user(client), await make_user(client)
    host_id = await give_external_id(app, bob.username)
    for n in range(3):
        await send(client, alice, bob, subject=f"invoice {n}")
    query = {k: alice.username if v == "SENDER" else v for k, v in query.items()}
    key = await make_server_key(app, "mailbox:read")
    await server_list(client, key, host_id)  # the key's last use is noted once a minute
    await own_list(client, bob)
    with statements(app) as own:
        assert (await own_list(client, bob, **query)).status_code == 200
    with statements(app) as server:
        assert (await server_list(client, key, host_id, **query)).status_code == 200
    ours, theirs = _counted(server, "server_key"), _counted(own, "access_token")
    assert theirs
    inserts = [sql for sql in ours if "mailbox_read" in sql]
    assert len(inserts) == 1
    assert inserts[0].lstrip().upper().startswith("INSERT")
    assert [sql for sql in ours if sql not in inserts] == theirs


async def test_no_page_is_read_when_its_record_cannot_be_written(
    app, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record comes first: when its transaction fails, the mailbox is not read."""
    alice, bob = await make_user(client), await make_user(client)
    host_id = await give_external_id(app, bob.username)
    await send(client, alice, bob)
    key = await make_server_key(app, "mailbox:read")
    await server_list(client, key, host_id)  # the key's last use is noted once a minute

    async def failing_commit(self: AsyncSession) -> None:
        raise RuntimeError("injected: the audit record's commit fails")

    with statements(app, "delivery") as read, monkeypatch.context() as patched:
        patched.setattr(AsyncSession, "commit", failing_commit)
        answer = await server_list(client, key, host_id)
    assert answer.status_code == 500
    assert answer.json()["code"] == "internal_error"
    assert read == []


async def test_a_deactivated_users_mailbox_is_still_read_and_recorded(app, client) -> None:
    """Support reads a dispute after the host deactivated the account: the mail stays."""
    alice, bob = await make_user(client), await make_user(client)
    host_id = await give_external_id(app, bob.username)
    sent = await send(client, alice, bob)
    await deactivate(app, host_id)
    key = await make_server_key(app, "mailbox:read")
    answer = await server_list(client, key, host_id)
    assert answer.status_code == 200, answer.text
    assert [m["id"] for m in answer.json()["messages"]] == [sent["id"]]
    assert [r.operation for r in await records_of(app, bob)] == ["list_server_user_messages"]


async def test_the_record_commits_itself_on_postgresql(app, client, dialect) -> None:
    """PostgreSQL: the record's one statement runs outside a transaction (no BEGIN and
    COMMIT round trips), so it is committed before the session's commit is even called."""
    if dialect != "postgres":
        pytest.skip("SQLite's sessions begin with their connection (BEGIN IMMEDIATE)")
    bob = await make_user(client)
    host_id = await give_external_id(app, bob.username)
    key = await make_server_key(app, "mailbox:read")
    async with app_state(app).sessions() as db:
        key_id = (await db.scalars(select(ServerKey.id).where(ServerKey.name == key.name))).one()
    async with app_state(app).sessions() as db:
        mailbox = await audit.record_mailbox_read(
            db, key_id=key_id, operation="test", external_id=host_id, query={"box": "sent"}
        )
        assert mailbox is not None
        raw = await (await db.connection()).get_raw_connection()
        assert raw.driver_connection is not None
        assert not raw.driver_connection.is_in_transaction()
        async with app_state(app).reads.connect() as other:
            seen = await other.scalar(
                select(MailboxRead.query).where(MailboxRead.user_id == mailbox.id)
            )
    assert seen == {"box": "sent"}
