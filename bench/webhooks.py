"""The webhooks scenario: the send scenario again with one endpoint subscribed to every
event, a receiver that answers at once, and what arrives there: events
delivered per second, and the time from each send's transaction to the receiver's request
(p50, p99). Compared in the table with `send`, run before any endpoint existed.

The receiver is nginx (bench/receiver.py): what the scenario charges the sends with is
mailslot's delivery, not a receiver's work on the same cores."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.harness import Request, Result, run_pgbench, run_wrk, start_profiler, warm_up
from bench.receiver import Receiver
from mailslot.config import Settings
from mailslot.db.engine import make_engine
from mailslot.webhooks.models import WebhookEvent

DRAIN_SECONDS = 60.0  # at most, for the outbox to empty once the sends stop
OUTBOX_ALONE = "send, outbox alone"  # the row of `measure_outbox_alone`
OUTBOX_DATABASE_ALONE = "outbox, database alone"  # and its send statement's, by pgbench


async def measure(
    base: str,
    key: str,
    requests: list[Request],
    *,
    database_url: str,
    server_pid: int,
    connections: int,
    duration: int,
    warmup: int,
    profile: Path | None = None,
) -> tuple[Result, dict[str, Any]]:
    with (
        tempfile.TemporaryDirectory() as root,
        Receiver(Path(root)) as receiver,
        _endpoint(base, key, receiver.url),
    ):
        if warmup:
            warm_up(base, requests, connections=connections, seconds=warmup)
        _drain(receiver)
        receiver.mark()
        profiler = profile and start_profiler(server_pid, duration, profile / "send-webhooked.txt")
        started = time.time()
        result = run_wrk(
            "send-webhooked",
            base,
            requests,
            connections=connections,
            duration=duration,
            server_pid=server_pid,
        )
        sent_for = time.time() - started
        if profiler:
            profiler.wait()
        arrivals = _drain(receiver, expect=result.requests - result.errors)
        requests_received = receiver.requests()
    latencies = sorted(
        (arrived - created) * 1000
        for event_id, created in (await _event_times(database_url, arrivals)).items()
        for arrived in (arrivals[event_id],)
    )
    times = sorted(arrivals.values())
    rate = len(times) / max(times[-1] - times[0], 1e-9) if len(times) > 1 else 0

    def at(share: float) -> float | None:
        return (
            latencies[min(len(latencies) - 1, int(len(latencies) * share))] if latencies else None
        )

    return result, {
        "sends": result.requests - result.errors,
        "events": len(arrivals),
        "requests": requests_received,
        "delivered_per_s": rate,
        "sent_for_s": sent_for,
        "lag_after_sends_s": max(0.0, times[-1] - started - sent_for) if times else None,
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
        "max_ms": latencies[-1] if latencies else None,
    }


def measure_outbox_alone(
    base: str,
    key: str,
    requests: list[Request],
    *,
    server_pid: int,
    connections: int,
    duration: int,
    warmup: int,
    database_url: str,
    database_alone: tuple[str, str] | None = None,
) -> list[Result]:
    """The send scenario with the endpoint subscribed, against a server that delivers
    nothing (`MAILSLOT_WEBHOOK_WORKER=false`: the caller restarts it so): what the outbox
    alone, an event and a delivery written in each send's transaction, costs the sends.
    Beside `send-webhooked`, it splits the webhooks' cost between writing the events and
    delivering them. `database_alone` (label, pgbench script, as scenarios.database_alone
    gives them): then also the send's hooked statement alone, while the endpoint exists
    (bench/alone.py)."""
    with _endpoint(base, key, "http://127.0.0.1:9/never-called"):
        results = [
            run_wrk(
                OUTBOX_ALONE,
                base,
                requests,
                connections=connections,
                duration=duration,
                server_pid=server_pid,
                warmup=warmup,
            )
        ]
        if database_alone:
            label, script = database_alone
            results.append(
                run_pgbench(
                    label,
                    database_url,
                    script,
                    connections=connections,
                    duration=duration,
                    warmup=warmup,
                )
            )
        return results


@contextlib.contextmanager
def _endpoint(base: str, key: str, url: str) -> Iterator[None]:
    """An endpoint subscribed to every event while the block runs; deleted afterwards
    (its deliveries with it), so the rows that follow run as with none: the plain
    statements stand down while one is enabled (messages/store/postgres.py)."""
    headers = {"Authorization": f"Bearer {key}"}
    made = httpx.post(
        f"{base}/server/webhooks",
        headers=headers,
        json={"url": url, "event_types": ["*"], "description": "bench"},
        timeout=10,
    )
    made.raise_for_status()
    try:
        yield
    finally:
        httpx.delete(f"{base}/server/webhooks/{made.json()['id']}", headers=headers, timeout=60)


async def _event_times(database_url: str, arrivals: dict[str, float]) -> dict[str, float]:
    """When each arrived event was written (its `timestamp`), epoch seconds, by id."""
    engine = make_engine(Settings(database_url=database_url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(WebhookEvent.id, WebhookEvent.created_at).where(
                    WebhookEvent.id.in_(list(arrivals))
                )
            )
            return {row.id: row.created_at.timestamp() for row in rows}
    finally:
        await engine.dispose()


def _drain(receiver: Receiver, expect: int | None = None) -> dict[str, float]:
    """What arrived since the mark once `expect` events did, or nothing more came for 2 s."""
    deadline = time.monotonic() + DRAIN_SECONDS
    last_count, quiet_since = -1, time.monotonic()
    while True:
        arrivals = receiver.arrivals()
        if expect is not None and len(arrivals) >= expect:
            return arrivals
        if len(arrivals) != last_count:
            last_count, quiet_since = len(arrivals), time.monotonic()
        elif time.monotonic() - quiet_since > 2 or time.monotonic() > deadline:
            return arrivals
        time.sleep(0.2)
