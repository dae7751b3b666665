"""`make bench`'s database-alone rows (bench/alone.py) run the service's own statements:
what pgbench's send script stores is what a send through the API stores, its outbox's
events included."""

from __future__ import annotations

import subprocess

import asyncpg
import pytest
from bench import alone
from bench.harness import run_pgbench
from sqlalchemy.engine import make_url

from mailslot.config import Settings
from mailslot.state import app_state
from mailslot.webhooks import endpoints
from tests.support.factories import make_user, make_webhook, unique_name

pytestmark = pytest.mark.anyio


@pytest.fixture
def program(dialect: str) -> str:
    if dialect != "postgres":
        pytest.skip("pgbench drives PostgreSQL")
    found = alone.pgbench()
    if found is None:
        pytest.skip("no pgbench (Debian's postgresql-client has it)")
    return found


def pgbench(program: str, settings: Settings, script: str, *arguments: str) -> str:
    return subprocess.run(
        alone.command(program, settings.resolved_database_url, *arguments, "--file=/dev/stdin"),
        input=script,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


async def connect(settings: Settings) -> asyncpg.Connection:
    return await asyncpg.connect(
        make_url(settings.resolved_database_url)
        .set(drivername="postgresql")
        .render_as_string(False)
    )


async def test_the_send_script_stores_what_a_send_stores(client, settings, program) -> None:
    prefix = unique_name("alone")
    senders = [await make_user(client, f"{prefix}s{n}") for n in range(2)]
    receivers = [await make_user(client, f"{prefix}r{n}") for n in range(2)]
    # An endpoint an earlier test left enabled turns the plain form into a no-op.
    connection = await connect(settings)
    try:
        hooked = await connection.fetchval(
            "SELECT EXISTS (SELECT FROM webhook_endpoint WHERE enabled)"
        )
    finally:
        await connection.close()
    script = alone.send_script(f"{prefix}s", f"{prefix}r", 2, hooked=hooked)

    pgbench(program, settings, script, "--client=2", "--transactions=3")

    for sender, receiver in zip(senders, receivers, strict=True):
        inbox = (
            await client.get(f"/users/{receiver.username}/messages", headers=receiver.headers)
        ).json()
        assert [(m["sender"], m["receivers"], m["subject"]) for m in inbox["messages"]] == [
            (sender.username, [receiver.username], "bench")
        ] * 3
        sent = (
            await client.get(f"/users/{sender.username}/messages?box=sent", headers=sender.headers)
        ).json()
        assert [m["id"] for m in sent["messages"]] == [m["id"] for m in inbox["messages"]]
        for user, box in ((receiver, "inbox"), (sender, "sent")):
            feed = (
                await client.get(f"/users/{user.username}/changes", headers=user.headers)
            ).json()
            created = [c for c in feed["changes"] if c["type"] == "message.created"]
            assert [c["data"]["box"] for c in created] == [box] * 3
            assert [c["data"]["id"] for c in created] == sorted(m["id"] for m in inbox["messages"])
            assert [c["id"] for c in created] == [1, 2, 3]  # each user's log, gapless


async def test_the_hooked_send_script_writes_the_outbox_while_an_endpoint_is_enabled(
    app, client, settings, program
) -> None:
    """The outbox's database-alone row (bench/webhooks.py): each send of the hooked form
    writes its receiver's message.created event and one delivery to the enabled endpoint."""
    prefix = unique_name("hooked")
    for n in range(2):
        await make_user(client, f"{prefix}s{n}")
        await make_user(client, f"{prefix}r{n}")
    endpoint = await make_webhook(app, enabled=True)
    try:
        script = alone.send_script(f"{prefix}s", f"{prefix}r", 2, hooked=True)
        pgbench(program, settings, script, "--client=2", "--transactions=3")
        connection = await connect(settings)
        try:
            written = await connection.fetch(
                """
                SELECT owner.username, event.type, event.seq, delivery.status
                FROM webhook_event AS event
                JOIN user_account AS owner ON owner.id = event.user_id
                JOIN webhook_delivery AS delivery ON delivery.event_id = event.id
                JOIN webhook_endpoint ON webhook_endpoint.id = delivery.endpoint_id
                WHERE webhook_endpoint.public_id = $1
                ORDER BY owner.username, event.seq
                """,
                endpoint,
            )
        finally:
            await connection.close()
    finally:
        async with app_state(app).sessions() as db:
            await endpoints.delete_endpoint(db, endpoint)
            await db.commit()

    # The receivers' inbox entries are events; the senders' sent entries are not.
    assert [tuple(row) for row in written] == [
        (f"{prefix}r{n}", "message.created", seq, "pending") for n in range(2) for seq in (1, 2, 3)
    ]


async def test_the_list_script_runs_and_its_row_reads_pgbench_figures(
    client, settings, program
) -> None:
    reader = await make_user(client)
    connection = await connect(settings)
    try:
        reader_id = await connection.fetchval(
            "SELECT id FROM user_account WHERE username = $1", reader.username
        )
    finally:
        await connection.close()

    result = run_pgbench(
        "list, database alone",
        settings.resolved_database_url,
        alone.list_script(reader_id),
        connections=2,
        duration=1,
        warmup=1,
    )

    assert result.errors == 0
    assert result.requests > 0
    assert result.rps > 0
    assert 0 < result.p50_ms <= result.p99_ms
