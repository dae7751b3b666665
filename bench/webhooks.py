"""The webhooks scenario: the send scenario again with one endpoint subscribed to every
event, a receiver (bench/receiver.py) that answers at once, and what arrives there: events
delivered per second, and the time from each send's transaction to the receiver's request
(p50, p99). Compared in the table with `send`, run before any endpoint existed."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import httpx

from bench.harness import Request, Result, free_port, run_wrk, wait_ready, warm_up

DRAIN_SECONDS = 60.0  # at most, for the outbox to empty once the sends stop


def measure(
    base: str,
    key: str,
    requests: list[Request],
    *,
    server_pid: int,
    connections: int,
    duration: int,
    warmup: int,
) -> tuple[Result, dict[str, Any]]:
    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "bench.receiver", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    made: httpx.Response | None = None
    try:
        wait_ready(f"{url}/stats", receiver)
        made = httpx.post(
            f"{base}/server/webhooks",
            headers={"Authorization": f"Bearer {key}"},
            json={"url": f"{url}/hook", "event_types": ["*"], "description": "bench"},
            timeout=10,
        )
        made.raise_for_status()
        if warmup:
            warm_up(base, requests, connections=connections, seconds=warmup)
        _drain(url)
        httpx.post(f"{url}/reset", timeout=10)
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
        stats = _drain(url, expect=result.requests - result.errors)
        rate = stats["events"] / max(stats["last"] - stats["first"], 1e-9) if stats["events"] else 0
        return result, {
            "sends": result.requests - result.errors,
            "events": stats["events"],
            "requests": stats["requests"],
            "delivered_per_s": rate,
            "sent_for_s": sent_for,
            "lag_after_sends_s": max(0.0, stats["last"] - started - sent_for)
            if stats["last"]
            else None,
            "p50_ms": stats["p50_ms"],
            "p99_ms": stats["p99_ms"],
            "max_ms": stats["max_ms"],
        }
    finally:
        if made is not None and made.status_code == 201:
            # The rows that follow (database alone) run as with no endpoint: the plain
            # statements stand down while one is enabled (messages/store/postgres.py).
            httpx.delete(
                f"{base}/server/webhooks/{made.json()['id']}",
                headers={"Authorization": f"Bearer {key}"},
                timeout=10,
            )
        receiver.terminate()
        receiver.wait(timeout=10)


def _drain(url: str, expect: int | None = None) -> dict[str, Any]:
    """The receiver's figures once `expect` events arrived, or nothing more came for 2 s."""
    deadline = time.monotonic() + DRAIN_SECONDS
    last_count, quiet_since = -1, time.monotonic()
    while True:
        stats: dict[str, Any] = httpx.get(f"{url}/stats", timeout=10).json()
        if expect is not None and stats["events"] >= expect:
            return stats
        if stats["events"] != last_count:
            last_count, quiet_since = stats["events"], time.monotonic()
        elif time.monotonic() - quiet_since > 2 or time.monotonic() > deadline:
            return stats
        time.sleep(0.2)
