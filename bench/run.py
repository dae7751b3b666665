"""`make bench`: mailslot under load, as production runs it, against a bare endpoint.

Starts `mailslot serve --workers 2` (on SQLite one process, as `make run` serves it; access
log on, OWASP password hashing, request budgets lifted) and a bare FastAPI endpoint on the
same server stack, seeds data directly in SQL, drives each scenario with wrk, prints one
table and writes a JSON file to bench/results/.

    python -m bench.run [--db postgres|sqlite] [--duration 10] [--connections 32] [--only list,send]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from tests.servers import RedisServer

from bench import alone, live
from mailslot.accounts.security import Passwords
from mailslot.config import Settings
from mailslot.db.migrate import upgrade
from mailslot.messages.cursor import encode_cursor

HERE = Path(__file__).parent
RESULTS = HERE / "results"
POSTGRES_ADMIN = os.environ.get(
    "MAILSLOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench password 1"
BIG = 100_000  # messages in the large mailboxes
SCALES = (1_000, 100_000, 1_000_000)


@dataclass
class Result:
    scenario: str
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    requests: int
    ratio_to_bare: float = 0.0
    generator_cpu: float = 0.0  # wrk's CPU seconds per wall second (of 2 cores)
    server_cpu_ms: float = 0.0  # server CPU time per request: robust to a busy machine
    database_cpu_ms: float = 0.0  # PostgreSQL's CPU time per request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited early ({url})")
        time.sleep(0.2)
    raise SystemExit(f"server not ready: {url}")


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_script(requests: list[tuple[str, str, dict[str, str], str | None]]) -> Path:
    specs = []
    for method, path, headers, body in requests:
        header_table = (
            "{"
            + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
            + "}"
        )
        specs.append(
            "{"
            + f"{lua_string(method)}, {lua_string(path)}, {header_table}, "
            + (lua_string(body) if body is not None else "nil")
            + "}"
        )
    template = (HERE / "wrk.lua.template").read_text()
    handle, name = tempfile.mkstemp(suffix=".lua", prefix="mailslot-bench-")
    with os.fdopen(handle, "w") as file:
        file.write(template.replace("{SPECS}", "{" + ", ".join(specs) + "}"))
    return Path(name)


def _cpu_of(stat: Path) -> tuple[str, float]:
    """A process's command name and CPU seconds so far, from its /proc/<pid>/stat."""
    head, _, tail = stat.read_text().rpartition(")")
    fields = tail.split()
    seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return head.partition("(")[2], seconds


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (uvicorn's workers)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += _cpu_of(Path(f"/proc/{current}/stat"))[1]
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def database_cpu() -> dict[int, float]:
    """CPU seconds used so far by each of PostgreSQL's processes (backends included): what
    requests cost the database, beside what they cost mailslot."""
    used = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, seconds = _cpu_of(stat)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if name == "postgres":
            used[int(stat.parent.name)] = seconds
    return used


def machine_busy_cpu() -> float:
    """CPU seconds the machine has spent busy (all cores, /proc/stat): neither idle nor
    waiting for I/O."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def database_cpu_since(before: dict[int, float]) -> float:
    """PostgreSQL's CPU seconds since `before`. A process that exited meanwhile (an
    autovacuum worker) takes its seconds with it: not counted, never negative."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in database_cpu().items())


def run_generator(command: list[str]) -> tuple[str, float, float]:
    """Runs a load generator to its end: its output, its CPU seconds, the wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return output, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), wall


def wrk_command(script: Path, connections: int, seconds: int, base: str) -> list[str]:
    options = ["-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    return ["wrk", *options, base]


def warm_up(
    base: str,
    requests: list[tuple[str, str, dict[str, str], str | None]],
    *,
    connections: int,
    seconds: int,
) -> None:
    """Unmeasured load. Each worker's first requests open its pool's connections, whose
    PostgreSQL backends then load their catalog caches, and prepare and plan each
    statement: a server in service did all that long before."""
    script = wrk_script(requests)
    run_generator(wrk_command(script, connections, seconds, base))
    script.unlink()


def run_wrk(
    name: str,
    base: str,
    requests: list[tuple[str, str, dict[str, str], str | None]],
    *,
    connections: int,
    duration: int,
    server_pid: int | None = None,
) -> Result:
    script = wrk_script(requests)
    server_before = process_tree_cpu(server_pid) if server_pid else 0.0
    database_before = database_cpu()
    output, cpu, wall = run_generator(wrk_command(script, connections, duration, base))
    script.unlink()
    line = next(line for line in output.splitlines() if line.startswith("WRK-JSON "))
    data = json.loads(line.removeprefix("WRK-JSON "))
    errors = sum(
        data[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    server_cpu = process_tree_cpu(server_pid) - server_before if server_pid else 0.0
    database = database_cpu_since(database_before)
    return Result(
        scenario=name,
        server_cpu_ms=server_cpu * 1000 / max(data["requests"], 1),
        database_cpu_ms=database * 1000 / max(data["requests"], 1),
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        requests=data["requests"],
        generator_cpu=cpu / wall,
    )


def run_pgbench(
    name: str, url: str, script: str, *, connections: int, duration: int, warmup: int
) -> Result:
    """A scenario of the database alone (bench/alone.py): pgbench runs `script` on the
    bench's database, `warmup` seconds then `duration`. Its log of every transaction
    gives the figures, of the transactions after the warm-up: pgbench's connections are
    new backends, as cold as a new worker's."""
    program = alone.pgbench()
    assert program is not None
    with tempfile.TemporaryDirectory(prefix="mailslot-pgbench-") as logs:
        path = Path(logs) / "script.sql"
        path.write_text(script)
        busy_before = machine_busy_cpu()
        _, cpu, wall = run_generator(
            alone.command(
                program,
                url,
                f"--client={connections}",
                "--jobs=2",
                f"--time={warmup + duration}",
                "--log",
                f"--log-prefix={logs}/log",
                f"--file={path}",
            )
        )
        busy = machine_busy_cpu() - busy_before
        # client, transaction, latency in µs (or "failed"), script, end in s and µs
        ends = [
            (int(fields[4]) + int(fields[5]) / 1e6, fields[2])
            for log in Path(logs).glob("log.*")
            for fields in (line.split() for line in log.read_text().splitlines())
        ]
    began = min(end for end, _ in ends) + warmup
    measured = [(end, latency) for end, latency in ends if end >= began]
    latencies = sorted(int(latency) for _, latency in measured if latency.isdigit())
    done = len(latencies)
    # pgbench's backends exit with it, their CPU time with them: the database's share is
    # what the machine spent beyond pgbench's own (the service sits idle meanwhile).
    database_seconds = max(busy - cpu, 0.0)
    return Result(
        scenario=name,
        rps=len(measured) / (max(end for end, _ in measured) - began),
        p50_ms=latencies[done // 2] / 1000,
        p90_ms=latencies[done * 9 // 10] / 1000,
        p99_ms=latencies[done * 99 // 100] / 1000,
        errors=len(measured) - done,
        requests=done,
        generator_cpu=cpu / wall,
        database_cpu_ms=database_seconds * 1000 / len(ends),
    )


class Seeder:
    """Bench data written straight in SQL: users, live tokens, large mailboxes."""

    def __init__(self, engine: AsyncEngine, dialect: str, password_hash: str) -> None:
        self.engine = engine
        self.dialect = dialect
        self.password_hash = password_hash

    async def users(self, prefix: str, count: int) -> list[tuple[int, str, str]]:
        """(id, username, bearer token) for `count` new users."""
        now = datetime.now(UTC)
        created = []
        async with self.engine.begin() as db:
            for i in range(count):
                name = f"{prefix}{i}"
                user_id = (
                    await db.execute(
                        text(
                            "INSERT INTO user_account (username, username_key, email, email_key, password_hash, created_at, legacy_logged_in) "
                            "VALUES (:n, :n, :e, :e, :h, :t, false) RETURNING id"
                        ),
                        {
                            "n": name,
                            "e": f"{name}@bench.test",
                            "h": self.password_hash,
                            "t": self._time(now),
                        },
                    )
                ).scalar_one()
                token = secrets.token_urlsafe(32)
                await db.execute(
                    text(
                        "INSERT INTO access_token (token_hash, user_id, created_at, expires_at) VALUES (:d, :u, :t, :x)"
                    ),
                    {
                        "d": hashlib.sha256(token.encode()).digest(),
                        "u": user_id,
                        "t": self._time(now),
                        "x": self._time(now + timedelta(days=1)),
                    },
                )
                created.append((user_id, name, token))
        return created

    async def mailbox(
        self,
        sender: tuple[int, str, str],
        receiver: tuple[int, str, str],
        count: int,
        unread: int = 10,
    ) -> None:
        """`count` messages from sender to receiver, all read but the newest `unread`."""
        now = self._time(datetime.now(UTC))
        names = json.dumps([receiver[1]])
        async with self.engine.begin() as db:
            if self.dialect == "postgresql":
                await db.execute(text("SET LOCAL statement_timeout = 0"))  # 10^6 rows take a while
                series = "SELECT g AS x FROM generate_series(1, :n) AS g"
                stamp, names_json = "CAST(:t AS timestamptz)", "CAST(:r AS json)"
            else:
                series = "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < :n) SELECT x FROM s"
                stamp, names_json = ":t", ":r"
            first = (
                await db.execute(text("SELECT coalesce(max(id), 0) FROM message"))
            ).scalar_one()
            await db.execute(
                text(
                    "INSERT INTO message (sender_id, subject, body, receiver_names, created_at) "
                    f"SELECT :s, 'subject ' || x, 'a message body of moderate length, number ' || x, {names_json}, {stamp} FROM ({series}) AS q"
                ),
                {"s": sender[0], "r": names, "t": now, "n": count},
            )
            # Each message starts its own thread (migration 0003: thread_id never null).
            await db.execute(
                text("UPDATE message SET thread_id = id WHERE sender_id = :s AND id > :first"),
                {"s": sender[0], "first": first},
            )
            await db.execute(
                text(
                    "INSERT INTO delivery (message_id, receiver_id, read_at, thread_id) "
                    f"SELECT id, :u, {stamp}, id FROM message WHERE sender_id = :s AND id > :first"
                ),
                {"u": receiver[0], "s": sender[0], "t": now, "first": first},
            )
            await db.execute(
                text(
                    "UPDATE delivery SET read_at = NULL WHERE receiver_id = :u AND message_id > "
                    "(SELECT max(message_id) FROM delivery WHERE receiver_id = :u) - :unread"
                ),
                {"u": receiver[0], "unread": unread},
            )
        if self.dialect == "postgresql":
            async with self.engine.begin() as db:
                await db.execute(text("ANALYZE"))

    async def seed_a_session_without_digest(self, user_id: int) -> None:
        """A started seed A session whose requests cannot use the session digest: each
        checks the password with argon2, as before the digest existed."""
        async with self.engine.begin() as db:
            await db.execute(
                text(
                    "UPDATE user_account SET legacy_logged_in = true, legacy_session_digest = NULL "
                    "WHERE id = :u"
                ),
                {"u": user_id},
            )

    async def message_ids(self, receiver_id: int, limit: int) -> list[int]:
        async with self.engine.connect() as db:
            rows = await db.execute(
                text(
                    "SELECT message_id FROM delivery WHERE receiver_id = :u ORDER BY message_id DESC LIMIT :l"
                ),
                {"u": receiver_id, "l": limit},
            )
            return [row[0] for row in rows]

    def _time(self, value: datetime) -> Any:
        return value.replace(tzinfo=None) if self.dialect == "sqlite" else value


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


async def create_database(admin: str) -> str:
    name = f"mailslot_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return name


async def drop_database(admin: str, name: str) -> None:
    connection = await asyncpg.connect(admin)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()


@asynccontextmanager
async def scratch_database(db: str, workdir: Path) -> AsyncIterator[str]:
    """The URL of an empty database: a new PostgreSQL database, dropped afterwards, or a
    SQLite file in `workdir`."""
    if db != "postgres":
        yield f"sqlite+aiosqlite:///{workdir}/mailslot.db"
        return
    name = await create_database(POSTGRES_ADMIN)
    try:
        yield (
            "postgresql+asyncpg://"
            + POSTGRES_ADMIN.split("://", 1)[1].rsplit("/", 1)[0]
            + f"/{name}"
        )
    finally:
        await drop_database(POSTGRES_ADMIN, name)


def scaling(
    base: str, mailboxes: dict[int, tuple[tuple[int, str, str], str]], samples: int = 300
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--warmup", type=int, default=2, help="unmeasured seconds of load before each scenario"
    )
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 10^3/10^5/10^6 check")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles of each scenario here")
    parser.add_argument(
        "--live-clients",
        type=int,
        default=1000,
        help="connected SSE/WebSocket clients in the live scenario (0 skips it)",
    )
    parser.add_argument("--live-messages", type=int, default=500)
    parser.add_argument(
        "--workers", type=int, help="mailslot's worker processes (default: 2, SQLite 1)"
    )
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="PostgreSQL without Redis (every request asks the database for its token)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    asyncio.run(bench(args))


async def bench(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-bench-"))
    database_name = None
    if args.db == "postgres":
        database_name = await create_database(POSTGRES_ADMIN)
        url = (
            "postgresql+asyncpg://"
            + POSTGRES_ADMIN.split("://", 1)[1].rsplit("/", 1)[0]
            + f"/{database_name}"
        )
    else:
        url = f"sqlite+aiosqlite:///{workdir}/mailslot.db"
    settings = Settings(data_dir=workdir, database_url=url)
    # As each is run: PostgreSQL instances with two workers; SQLite as `make run` serves it,
    # one process (several processes share SQLite's one write lock through its busy handler).
    workers = args.workers or (1 if args.db == "sqlite" else 2)
    processes: list[subprocess.Popen[bytes]] = []
    # Instances over PostgreSQL run with Redis in production (live delivery, shared
    # budgets, the token cache's notes): a redis-server of the bench's own.
    redis = None if args.db == "sqlite" or args.no_redis else RedisServer(workdir / "redis")
    try:
        await upgrade(settings)
        # Seeding 10^6 rows outlasts the service's statement timeouts: a plain engine.
        engine = create_async_engine(url)
        passwords = Passwords(
            memory_kib=settings.password_hash_memory_kib,
            iterations=settings.password_hash_iterations,
        )
        seeder = Seeder(engine, engine.dialect.name, await passwords.hash(PASSWORD))
        print(f"seeding ({args.db}) ...", file=sys.stderr)
        senders = await seeder.users("sender", 32)
        receivers = await seeder.users("receiver", 32)
        big_sender = (await seeder.users("bigsender", 1))[0]
        big_receiver = (await seeder.users("bigreceiver", 1))[0]
        await seeder.mailbox(big_sender, big_receiver, BIG)
        inbox_ids = await seeder.message_ids(big_receiver[0], BIG)
        deep_id = inbox_ids[50_000]  # a cursor page after 50,000 messages
        read_ids = inbox_ids[:2000]
        # seed A's get_all: 20 messages each, one user with a //login session (digest), one
        # with a session but no digest (argon2 per request: the figure before the digest)
        seed_a_sender = (await seeder.users("seedasender", 1))[0]
        seed_a_users = await seeder.users("seedareader", 2)
        for user in seed_a_users:
            await seeder.mailbox(seed_a_sender, user, 20)
        await seeder.seed_a_session_without_digest(seed_a_users[1][0])
        scale_users = {}
        if not args.no_scaling:
            for size in SCALES:
                scale_sender = (await seeder.users(f"scalesender{size}_", 1))[0]
                scale_receiver = (await seeder.users(f"scalereceiver{size}_", 1))[0]
                await seeder.mailbox(scale_sender, scale_receiver, size)
                ids = await seeder.message_ids(scale_receiver[0], size)
                scale_users[size] = (scale_receiver, encode_cursor(ids[len(ids) // 2]))
        await engine.dispose()

        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")} | {
            "MAILSLOT_DATABASE_URL": url,
            "MAILSLOT_DATA_DIR": str(workdir),
            "MAILSLOT_SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "MAILSLOT_RATE_LIMITS": "off",
            "MAILSLOT_LOG_LEVEL": "info",
        }
        if redis is not None:
            env["MAILSLOT_REDIS_URL"] = redis.start().url
        port, bare_port = free_port(), free_port()
        log = (workdir / "server.log").open("ab")
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "mailslot",
                    "serve",
                    "--workers",
                    str(workers),
                    "--port",
                    str(port),
                    "--no-migrate",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare:app",
                    "--workers",
                    "2",
                    "--port",
                    str(bare_port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                    "--app-dir",
                    str(HERE),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        base, bare = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        wait_ready(f"{base}/readyz", processes[0])
        wait_ready(f"{bare}/bare", processes[1])

        def send_requests(
            pairs: list[tuple[Any, list[str]]],
        ) -> list[tuple[str, str, dict[str, str], str | None]]:
            return [
                (
                    "POST",
                    f"/users/{s[1]}/messages",
                    auth(s[2]),
                    json.dumps(
                        {
                            "receivers": r,
                            "subject": "bench",
                            "message": "a message body of moderate length",
                        }
                    ),
                )
                for s, r in pairs
            ]

        seed_a_query = [
            f"username={user[1]}&password={PASSWORD.replace(' ', '%20')}" for user in seed_a_users
        ]
        login = httpx.post(f"{base}//login?{seed_a_query[0]}", timeout=10)
        assert login.status_code == 200, login.text

        scenarios: dict[str, list[tuple[str, str, dict[str, str], str | None]]] = {
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
            "list": [("GET", f"/users/{big_receiver[1]}/messages", auth(big_receiver[2]), None)],
            "list-deep": [
                (
                    "GET",
                    f"/users/{big_receiver[1]}/messages?cursor={encode_cursor(deep_id)}",
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
                for i in read_ids
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
        # What send and list would reach if mailslot's Python cost nothing: on PostgreSQL,
        # when pgbench is there (bench/alone.py).
        database_alone = (
            {
                "send": (
                    "send, database alone",
                    alone.send_script("sender", "receiver", len(senders)),
                ),
                "list": ("list, database alone", alone.list_script(big_receiver[0])),
            }
            if args.db == "postgres" and alone.pgbench()
            else {}
        )
        if args.db == "postgres" and not database_alone:
            print("  (no pgbench: the database-alone rows are skipped)", file=sys.stderr)
        wanted = [s for s in args.only.split(",") if s]
        results: list[Result] = []
        for name, requests in scenarios.items():
            if wanted and name not in wanted and name != "bare":
                continue
            target = bare if name == "bare" else base
            print(f"  {name} ...", file=sys.stderr)
            if args.warmup:
                warm_up(target, requests, connections=args.connections, seconds=args.warmup)
            profiler = None
            if args.profile and name != "bare":
                args.profile.mkdir(parents=True, exist_ok=True)
                profiler = subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("py-spy")),  # the venv's
                        "record",
                        "--subprocesses",
                        "--format",
                        "raw",
                        "--rate",
                        "200",
                        "-d",
                        str(args.duration),
                        "-p",
                        str(processes[0].pid),
                        "-o",
                        str(args.profile / f"{name}.txt"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            pid = processes[1].pid if name == "bare" else processes[0].pid
            results.append(
                run_wrk(
                    name,
                    target,
                    requests,
                    connections=args.connections,
                    duration=args.duration,
                    server_pid=pid,
                )
            )
            if profiler:
                profiler.wait()
        storm = None
        if not wanted or "sign-in" in wanted:
            # list latency while sign-ins saturate the hashing threads
            print("  list during a sign-in storm ...", file=sys.stderr)
            storm_process = subprocess.Popen(
                [
                    "wrk",
                    "-t1",
                    "-c16",
                    f"-d{args.duration + 2}s",
                    "-s",
                    str(wrk_script(scenarios["sign-in"])),
                    base,
                ],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1)
            storm = run_wrk(
                "list-during-sign-in",
                base,
                scenarios["list"],
                connections=8,
                duration=args.duration,
                server_pid=processes[0].pid,
            )
            storm_process.wait()
            results.append(storm)
        # Last, so that the rows they write, and the autovacuum that follows, weigh on no
        # other scenario; each is shown after its own.
        for name, (label, script) in database_alone.items():
            ran = [index for index, result in enumerate(results) if result.scenario == name]
            if ran:
                print(f"  {label} ...", file=sys.stderr)
                alone_result = run_pgbench(
                    label,
                    url,
                    script,
                    connections=args.connections,
                    duration=args.duration,
                    warmup=args.warmup,
                )
                results.insert(ran[0] + 1, alone_result)
        bare_rps = results[0].rps
        for result in results:
            result.ratio_to_bare = result.rps / bare_rps
        scale = scaling(base, scale_users) if scale_users else {}
        live_report = None
        if args.db == "postgres" and args.live_clients and (not wanted or "live" in wanted):
            # Two instances of its own over PostgreSQL + Redis (bench/live.py): streams
            # are what several instances share through Redis.
            print(f"  live ({args.live_clients} clients) ...", file=sys.stderr)
            live_report = await live.main(
                argparse.Namespace(
                    clients=args.live_clients, messages=args.live_messages, idle=args.live_clients
                )
            )

        print()
        print(
            f"mailslot bench on {args.db}, {args.connections} connections, {args.duration} s per scenario, "
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
        if scale:
            print("\nscaling (one request at a time): page latency by mailbox size")
            for key, value in scale.items():
                print(f"  {key:<18} p50 {value['p50_ms']:.2f} ms  p99 {value['p99_ms']:.2f} ms")
        if live_report:
            print_live(live_report)
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS / f"{stamp}-{args.db}.json"
        out.write_text(
            json.dumps(
                {
                    "db": args.db,
                    "connections": args.connections,
                    "duration_s": args.duration,
                    "results": [asdict(r) for r in results],
                    "scaling": scale,
                    "live": live_report,
                },
                indent=2,
            )
        )
        print(f"\nwritten to {out}")
        log.close()
        statuses = Counter(
            match.group(1)
            for match in re.finditer(
                r" (?:GET|POST|PATCH|DELETE) \S+ ([45]\d\d) ", (workdir / "server.log").read_text()
            )
        )
        if statuses:
            print("error answers in the server's access log:", dict(statuses))
            for line in (workdir / "server.log").read_text().splitlines():
                if "ERROR" in line or "Traceback" in line:
                    print("  ", line[:300])
                    break
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if redis is not None:
            redis.stop()
        if database_name:
            await drop_database(POSTGRES_ADMIN, database_name)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
