"""What the bench measures: each scenario's requests over the seeded data, the order they
run in (the bare endpoint first, the database-alone rows last), the sign-in storm and the
page latency by mailbox size."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench import alone, webhooks
from bench.harness import (
    Request,
    Result,
    run_pgbench,
    run_wrk,
    start_profiler,
    warm_up,
    wrk_script,
)
from bench.seed import PASSWORD, Seeded, User
from mailslot.messages.cursor import encode_cursor


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def send_requests(pairs: list[tuple[User, list[str]]]) -> list[Request]:
    return [
        (
            "POST",
            f"/users/{s[1]}/messages",
            auth(s[2]),
            json.dumps(
                {"receivers": r, "subject": "bench", "message": "a message body of moderate length"}
            ),
        )
        for s, r in pairs
    ]


def system_notices(key: str, recipients: list[list[str]]) -> list[Request]:
    """The platform's message to each list of host ids (POST /server/messages)."""
    return [
        (
            "POST",
            "/server/messages",
            auth(key),
            json.dumps(
                {
                    "from": "system",
                    "to": to,
                    "subject": "bench",
                    "message": "a message body of moderate length",
                }
            ),
        )
        for to in recipients
    ]


def seed_a_queries(seeded: Seeded) -> list[str]:
    """seed A's credentials in the query string, one per seed A user."""
    return [
        f"username={user[1]}&password={PASSWORD.replace(' ', '%20')}"
        for user in seeded.seed_a_users
    ]


def seed_a_login(base: str, seeded: Seeded) -> None:
    """Starts the first seed A user's session (//login), which its get_all needs."""
    login = httpx.post(f"{base}//login?{seed_a_queries(seeded)[0]}", timeout=10)
    assert login.status_code == 200, login.text


# Scenarios run on fewer connections than the others. send-system-1000 measures the
# database time of one message to 1,000 users: its concurrent copies would only queue on
# the same 1,000 receivers' log counters.
CONNECTIONS = {"send-system-1000": 2}  # wrk -t2 needs two


def scenarios(seeded: Seeded) -> dict[str, list[Request]]:
    """Each scenario's requests, in the order they run; wrk's connections cycle through them."""
    senders, receivers = seeded.senders, seeded.receivers
    big_sender, big_receiver = seeded.big_sender, seeded.big_receiver
    seed_a_query = seed_a_queries(seeded)
    return {
        "bare": [("GET", "/bare", {}, None)],
        # mailslot's own floor: its middleware, routing and access log, no database
        "healthz": [("GET", "/healthz", {}, None)],
        "send": send_requests([(senders[i], [receivers[i][1]]) for i in range(32)]),
        "send-many": send_requests(
            [(senders[i], [receivers[(i + k) % 32][1] for k in range(10)]) for i in range(32)]
        ),
        "send-full": send_requests([(big_sender, [big_receiver[1]])]),
        # send-full's shape (one sender, one receiver, 32 connections) on small
        # mailboxes: what send-full must be compared with.
        "send-pair": send_requests([(senders[0], [receivers[0][1]])]),
        # send's shape (32 receivers, one each, 32 connections) from one sender, the
        # platform: what send must be compared with (issue 18: one shared sender is no
        # bottleneck).
        "send-system": system_notices(seeded.server_key, [[i] for i in seeded.receiver_ids]),
        # One message, 1,000 deliveries.
        "send-system-1000": system_notices(seeded.server_key, [seeded.notice_ids]),
        "list": [("GET", f"/users/{big_receiver[1]}/messages", auth(big_receiver[2]), None)],
        "list-deep": [
            (
                "GET",
                f"/users/{big_receiver[1]}/messages?cursor={encode_cursor(seeded.deep_id)}",
                auth(big_receiver[2]),
                None,
            )
        ],
        "list-unread": [
            (
                "GET",
                f"/users/{big_receiver[1]}/messages?unread=true",
                auth(big_receiver[2]),
                None,
            )
        ],
        "read": [
            ("GET", f"/users/{big_receiver[1]}/messages/{i}", auth(big_receiver[2]), None)
            for i in seeded.read_ids
        ],
        "seed-a-get-all": [("GET", f"//messages?{seed_a_query[0]}&request=get_all", {}, None)],
        "seed-a-get-all-argon2": [
            ("GET", f"//messages?{seed_a_query[1]}&request=get_all", {}, None)
        ],
        "sign-in": [
            (
                "POST",
                f"/users/{u[1]}/token",
                {"Content-Type": "application/json"},
                json.dumps({"password": PASSWORD}),
            )
            for u in senders
        ],
    }


def database_alone(db: str, seeded: Seeded) -> dict[str, tuple[str, str]]:
    """What send and list would reach if mailslot's Python cost nothing: on PostgreSQL,
    when pgbench is there (bench/alone.py). Scenario -> (row label, pgbench script)."""
    if db != "postgres" or not alone.pgbench():
        return {}
    return {
        "send": (
            "send, database alone",
            alone.send_script("sender", "receiver", len(seeded.senders)),
        ),
        "list": ("list, database alone", alone.list_script(seeded.big_receiver[0])),
        # Run while the outbox-alone row's endpoint exists (bench/webhooks.py), not last.
        webhooks.OUTBOX_ALONE: (
            webhooks.OUTBOX_DATABASE_ALONE,
            alone.send_script("sender", "receiver", len(seeded.senders), hooked=True),
        ),
    }


def run(
    requests_of: dict[str, list[Request]],
    wanted: list[str],
    *,
    base: str,
    bare: str,
    pids: tuple[int, int],
    connections: int,
    duration: int,
    warmup: int,
    profile: Path | None,
) -> list[Result]:
    """The wanted scenarios through wrk (the bare endpoint always, first). `pids`: the
    mailslot server's and the bare endpoint's."""
    results: list[Result] = []
    for name, requests in requests_of.items():
        if wanted and name not in wanted and name != "bare":
            continue
        target = bare if name == "bare" else base
        print(f"  {name} ...", file=sys.stderr)
        conns = CONNECTIONS.get(name, connections)
        if warmup:
            warm_up(target, requests, connections=conns, seconds=warmup)
        profiler = None
        if profile and name != "bare":
            profiler = start_profiler(pids[0], duration, profile / f"{name}.txt")
        pid = pids[1] if name == "bare" else pids[0]
        results.append(
            run_wrk(name, target, requests, connections=conns, duration=duration, server_pid=pid)
        )
        if profiler:
            profiler.wait()
    return results


def sign_in_storm(
    base: str, requests_of: dict[str, list[Request]], *, server_pid: int, duration: int
) -> Result:
    """list latency while sign-ins saturate the hashing threads."""
    print("  list during a sign-in storm ...", file=sys.stderr)
    storm = subprocess.Popen(
        [
            "wrk",
            "-t1",
            "-c16",
            f"-d{duration + 2}s",
            "-s",
            str(wrk_script(requests_of["sign-in"])),
            base,
        ],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(1)
    result = run_wrk(
        "list-during-sign-in",
        base,
        requests_of["list"],
        connections=8,
        duration=duration,
        server_pid=server_pid,
    )
    storm.wait()
    return result


def add_database_alone(
    results: list[Result],
    rows: dict[str, tuple[str, str]],
    url: str,
    *,
    connections: int,
    duration: int,
    warmup: int,
) -> None:
    """Runs each database-alone row whose scenario ran, and shows it after that scenario's.
    Last, so that the rows they write, and the autovacuum that follows, weigh on no other
    scenario."""
    for name, (label, script) in rows.items():
        ran = [index for index, result in enumerate(results) if result.scenario == name]
        if ran:
            print(f"  {label} ...", file=sys.stderr)
            alone_result = run_pgbench(
                label, url, script, connections=connections, duration=duration, warmup=warmup
            )
            results.insert(ran[0] + 1, alone_result)


def relate_to_bare(results: list[Result]) -> float:
    """Sets each result's share of the bare endpoint (the first result); its req/s."""
    bare_rps = results[0].rps
    for result in results:
        result.ratio_to_bare = result.rps / bare_rps
    return bare_rps


def scaling(
    base: str, mailboxes: dict[int, tuple[User, str]], samples: int = 300
) -> dict[str, Any]:
    """Median and p99 latency of a first page and of a cursor page at each mailbox size,
    one request at a time (no queueing in the figure). The sizes take turns, request by
    request, so what else the machine does meanwhile weighs on every size alike rather
    than on whichever runs last."""
    checks = [
        (f"{kind}@{size}", user, params)
        for size, (user, deep_cursor) in mailboxes.items()
        for kind, params in (("first", {}), ("cursor", {"cursor": deep_cursor}))
    ]
    timings: dict[str, list[float]] = {name: [] for name, _, _ in checks}
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(samples):
            for name, user, params in checks:
                started = time.perf_counter()
                response = client.get(
                    f"/users/{user[1]}/messages", params=params, headers=auth(user[2])
                )
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
    out: dict[str, Any] = {}
    for name, measured in timings.items():
        measured.sort()
        out[name] = {
            "p50_ms": statistics.median(measured),
            "p99_ms": measured[int(len(measured) * 0.99) - 1],
        }
    return out
