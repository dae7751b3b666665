"""D2: PostgreSQL crashes and restarts under a send load, on a private cluster. While it is
down clients get 503 with Retry-After, mailslot recovers by itself, and no acknowledged
message is lost; with synchronous_commit=off the same check does see loss."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from tests.fault.harness import OK, SendLoad, Verdict, check, read_everything, register
from tests.fault.postgres import PrivatePostgres
from tests.support.servers import MailslotServer

pytestmark = [pytest.mark.process, pytest.mark.anyio, pytest.mark.timeout(120)]

RATE = 50  # sends a second


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    postgres = PrivatePostgres().init()
    try:
        postgres.start()
        postgres.sql("CREATE DATABASE mailslot")
        env = {**os.environ, "MAILSLOT_DATABASE_URL": postgres.url}
        subprocess.run(
            [sys.executable, "-m", "mailslot", "db", "upgrade"], env=env, check=True, timeout=60
        )
        yield postgres
    finally:
        postgres.destroy()


async def crash_under_load(
    cluster: PrivatePostgres,
    data: Path,
    env: dict[str, str],
    *,
    down_for: float,
    crashes: int = 1,
) -> tuple[SendLoad, Verdict, dict[str, float], MailslotServer]:
    server = MailslotServer(data, env={"MAILSLOT_DATABASE_URL": cluster.url, **env})
    await anyio.to_thread.run_sync(server.start)
    try:
        sink = await anyio.to_thread.run_sync(register, server.url)
        senders = [await anyio.to_thread.run_sync(register, server.url) for _ in range(3)]
        load = SendLoad(targets=lambda: [server.url], senders=senders, sink=sink, rate=RATE)
        stop = anyio.Event()
        moments: dict[str, float] = {}
        async with anyio.create_task_group() as group:
            group.start_soon(load.run, stop)
            for _ in range(crashes):
                await anyio.sleep(1.5)
                moments["down"] = await anyio.to_thread.run_sync(cluster.crash)
                await anyio.sleep(down_for)
                moments["ready"] = await anyio.to_thread.run_sync(cluster.start)
            await anyio.sleep(2.5)
            stop.set()
        stored = await anyio.to_thread.run_sync(read_everything, server.url, sink)
    finally:
        server.stop()
    return load, check(load.history, stored), moments, server


def report(name: str, load: SendLoad, verdict: Verdict) -> None:
    outcomes = Counter((op.outcome, op.status or op.error) for op in load.history)
    sys.stdout.write(f"\n{name}: {verdict}\n  outcomes: {dict(outcomes)}\n")


async def test_a_database_crash_loses_nothing_and_answers_503(cluster, tmp_path) -> None:
    assert cluster.sql("SHOW synchronous_commit") == "on"
    assert cluster.sql("SHOW fsync") == "on"
    load, verdict, moments, server = await crash_under_load(
        cluster, tmp_path / "data", {"MAILSLOT_RATE_LIMITS": "off"}, down_for=1.0
    )
    report("D2 PostgreSQL immediate restart", load, verdict)
    assert verdict.valid, verdict
    assert verdict.lost == []
    assert verdict.acknowledged >= 100, verdict
    # mailslot itself never went away: every answer came from it, none took over 5 s.
    assert server.log().count("Started server process") == 1
    assert not [op for op in load.history if op.error], "transport errors: mailslot went away"
    assert max(op.ended - op.started for op in load.history) < 5
    # Anything but a 201 was a 503 with Retry-After.
    refused = [op for op in load.history if op.outcome != OK]
    assert refused, "the crash did not reach any request"
    assert {op.status for op in refused} == {503}
    assert all(op.retry_after for op in refused)
    # Back within 2 s of the database accepting connections, with no restart of mailslot.
    after = [op.ended for op in load.history if op.outcome == OK and op.started >= moments["ready"]]
    assert after, "no send succeeded after the database came back"
    recovery = min(after) - moments["ready"]
    sys.stdout.write(f"  first 201 {recovery:.2f} s after the database accepted connections\n")
    assert recovery <= 2.0


async def test_the_check_sees_loss_with_synchronous_commit_off(cluster, tmp_path) -> None:
    """Negative control: asynchronous commit acknowledges before the WAL is written, so an
    immediate shutdown loses the acknowledged sends of the last, partial WAL page (the WAL
    writer is woken for each full page). wal_writer_delay is raised from 200 ms to 10 s, its
    maximum, so the timer never writes that page first. Three crashes, so that the check
    does not depend on where one crash falls in its page."""
    cluster.sql("ALTER SYSTEM SET synchronous_commit = off")
    cluster.sql("ALTER SYSTEM SET wal_writer_delay = '10s'")
    cluster.sql("SELECT pg_reload_conf()")
    try:
        assert cluster.sql("SHOW synchronous_commit") == "off"
        load, verdict, _, _ = await crash_under_load(
            cluster,
            tmp_path / "data",
            {"MAILSLOT_RATE_LIMITS": "off", "MAILSLOT_ALLOW_UNSAFE_DURABILITY": "true"},
            down_for=0.2,
            crashes=3,  # each loses 0 to ~6 sends (one WAL page): three never all lose 0
        )
    finally:
        cluster.sql("ALTER SYSTEM RESET ALL")
        cluster.sql("SELECT pg_reload_conf()")
    report("D2 negative control, synchronous_commit=off", load, verdict)
    assert verdict.lost, f"the check saw no loss: {verdict}"
    assert not verdict.unexpected
    assert not verdict.duplicated
