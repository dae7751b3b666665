"""The bench's report: one table on stdout, the scaling and live figures under it, a JSON
file in bench/results/, and the error answers the server's access log holds."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import HERE, Result
from bench.webhooks import OUTBOX_ALONE, OUTBOX_DATABASE_ALONE

RESULTS = HERE / "results"


def print_table(
    results: list[Result],
    *,
    db: str,
    connections: int,
    duration: int,
    workers: int,
    bare_rps: float,
) -> None:
    print()
    print(
        f"mailslot bench on {db}, {connections} connections, {duration} s per scenario, "
        f"{workers} worker(s), wrk -t2; bare endpoint {bare_rps:,.0f} req/s"
    )
    print(
        f"{'scenario':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs bare':>9}"
        f"{'gen cpu':>9}{'cpu ms/req':>11}{'db ms/req':>10}"
    )
    for r in results:
        print(
            f"{r.scenario:<22}{r.rps:>10,.0f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}{r.errors:>8}"
            f"{r.ratio_to_bare:>8.0%}{r.generator_cpu:>9.2f}{r.server_cpu_ms:>11.2f}{r.database_cpu_ms:>10.2f}"
        )


def print_scaling(scale: dict[str, Any]) -> None:
    print("\nscaling (one request at a time): page latency by mailbox size")
    for key, value in scale.items():
        print(f"  {key:<18} p50 {value['p50_ms']:.2f} ms  p99 {value['p99_ms']:.2f} ms")


def print_live(report: dict[str, Any]) -> None:
    latency, memory = report["latency"], report["idle_memory"]
    missed = latency["messages"] - latency["delivered"]
    print(
        f"\nlive: {latency['clients']:,} connected clients (half SSE, half WebSocket) on one "
        f"instance, {latency['messages']} sends through another (PostgreSQL + Redis)"
    )
    for kind in ("all", "sse", "ws"):
        if kind in latency:
            d = latency[kind]
            print(
                f"  201 -> event {kind:<4} p50 {d['p50_ms']:.2f} ms  p99 {d['p99_ms']:.2f} ms  "
                f"max {d['max_ms']:.2f} ms"
            )
    print(f"  events missed {missed}, arrived before the 201: {latency['event_before_201']}")
    print(
        f"  memory per idle connection ({memory['connections']:,} each): "
        f"SSE {memory['sse_kib_per_connection']} KiB, "
        f"WebSocket {memory['ws_kib_per_connection']} KiB"
    )


def print_webhooks(report: dict[str, Any], results: list[Result]) -> None:
    """The webhooks scenario beside the send scenario it repeats."""
    rps = {result.scenario: result.rps for result in results}
    send, webhooked = rps.get("send"), rps.get("send-webhooked")
    outbox = rps.get(OUTBOX_ALONE)
    print("\nwebhooks: one endpoint subscribed to every event, a receiver answering at once")
    if send and webhooked:
        print(
            f"  send {send:,.0f} req/s without, {webhooked:,.0f} with: "
            f"{webhooked / send:.0%} of send (goal: at least 85%)"
        )
    if send and outbox:
        print(
            f"  the outbox alone (events written, none delivered): {outbox:,.0f} req/s, "
            f"{outbox / send:.0%} of send"
        )
    alone, outbox_alone = rps.get("send, database alone"), rps.get(OUTBOX_DATABASE_ALONE)
    if alone and outbox_alone:
        print(
            f"  the send's statement alone (pgbench): {alone:,.0f} req/s, with the outbox "
            f"{outbox_alone:,.0f}, {outbox_alone / alone:.0%}"
        )
    print(
        f"  {report['events']:,} events of {report['sends']:,} sends delivered, "
        f"{report['delivered_per_s']:,.0f} per second; commit -> receiver "
        f"p50 {report['p50_ms']:.1f} ms  p99 {report['p99_ms']:.1f} ms  "
        f"max {report['max_ms']:.1f} ms (goal: p99 at most 250 ms)"
    )


def write_json(
    results: list[Result],
    *,
    db: str,
    connections: int,
    duration: int,
    scale: dict[str, Any],
    live: dict[str, Any] | None,
) -> Path:
    """bench/results/<UTC time>-<db>.json: the figures in full."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{stamp}-{db}.json"
    out.write_text(
        json.dumps(
            {
                "db": db,
                "connections": connections,
                "duration_s": duration,
                "results": [asdict(r) for r in results],
                "scaling": scale,
                "live": live,
            },
            indent=2,
        )
    )
    return out


def print_log_errors(log: Path) -> None:
    """The 4xx and 5xx answers in the server's access log by status, and the first error
    line: a scenario that errs measures something else."""
    text = log.read_text()
    statuses = Counter(
        match.group(1) for match in re.finditer(r" (?:GET|POST|PATCH|DELETE) \S+ ([45]\d\d) ", text)
    )
    if statuses:
        print("error answers in the server's access log:", dict(statuses))
        for line in text.splitlines():
            if "ERROR" in line or '"level":"error"' in line or "Traceback" in line:
                print("  ", line[:300])
                break
