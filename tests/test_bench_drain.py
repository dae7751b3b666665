"""The in-process drain bench (bench/drain.py): a worker delivers every queued event to the
nginx receiver, and the round says what that cost."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from bench import drain
from bench.harness import database_cpu, database_cpu_since
from bench.receiver import NGINX
from bench.seed import POSTGRES_ADMIN

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.process,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed: make test installs it"),
]


async def test_a_round_delivers_every_queued_event_and_measures_it(dialect: str) -> None:
    [found] = await drain.measure(dialect, events=30, rounds=1, profile=False)

    # drain_round returns only once the receiver logged every event (else it exits).
    assert found.events == 30
    assert found.seconds > 0
    assert found.cpu_us > found.system_us >= 0
    assert found.database_us >= 0  # counted in clock ticks: a short round may see none


async def test_the_database_cpu_is_read_from_the_servers_processes(dialect: str) -> None:
    """A busy backend's CPU counts; backends of other clients that end meanwhile (the
    suite's, in parallel) take theirs with them, never below zero."""
    if dialect != "postgres":
        pytest.skip("a PostgreSQL server's processes")
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:  # a few hundred ms of a backend's CPU, read while the backend is there
        before = database_cpu()
        await connection.fetchval("SELECT count(*) FROM generate_series(1, 5000000)")
        spent = database_cpu_since(before)
    finally:
        await connection.close()
    assert spent >= 0.05


async def test_live_rounds_alternate_the_endpoint_and_wait_for_every_event(
    dialect: str,
) -> None:
    found = await drain.measure_live(dialect, sends=10, rounds=2)

    # A round with the endpoint returns only once its ten events arrived (else it exits).
    assert [len(found[enabled]) for enabled in (False, True)] == [2, 2]
    assert all(cpu > 0 and database >= 0 for rounds in found.values() for cpu, database in rounds)


async def test_posts_alone_reach_the_receiver_and_are_measured() -> None:
    found = await drain.measure_posts(posts=40, rounds=2)

    # Every POST was answered 204 (else it exits); a round is this process's CPU and
    # nginx's, per POST.
    assert len(found) == 2
    assert all(client > 0 and receiver >= 0 for client, receiver in found)


def test_arrivals_counts_the_lines_written_after_it_began(tmp_path: Path) -> None:
    log = tmp_path / "arrivals.log"
    log.write_text("1.0 msg_before\n")
    arrivals = drain.Arrivals(log)
    assert arrivals.poll() == 0
    with log.open("a") as file:
        file.write("2.0 msg_a\n3.0 msg_")  # the last line is still being written
    assert arrivals.poll() == 1
    with log.open("a") as file:
        file.write("b\n")
    assert arrivals.poll() == 2
