"""The app's own CPU per request, measured in process: repeatable on a busy machine.

Requests go one at a time through the ASGI app (no sockets, no server), so the figure is
mailslot's Python cost per request, database driver included, database server excluded.
`/healthz` is the baseline (framework and middleware only).

    python -m bench.inproc [--db postgres|sqlite] [--requests 2000] [--redis URL]
        [--profile SCENARIO]   (SORT=cumulative TOP=60 to change the listing;
                                CALLERS=isinstance to list who calls a function)
        [--plans]              (how PostgreSQL planned each prepared statement)
        [--log-format json|text]  (the access log on, each line formatted and written
                                   to /dev/null: what a format costs, not the disk)
        [--paired A,B [--rounds 80] [--no-webhook-worker]]
                               (two scenarios in alternating rounds of --requests (50)
                                each: the median of the rounds' B/A CPU ratios, with a
                                95% bootstrap interval; statements per request)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.harness import Request, bootstrap_interval
from bench.policy import POLICY
from bench.seed import Seeder, scratch_database
from mailslot.accounts.service import get_user
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade
from mailslot.logs import configure_logging
from mailslot.messages.cursor import encode_cursor
from mailslot.safety.models import Block
from mailslot.state import app_state
from mailslot.webhooks.models import WebhookDelivery, WebhookEndpoint

CALL_COUNT_REQUESTS = 200
# After a round's policy change, before its measure: the change makes every process read
# the policy again, and the users' groups may have lapsed from memory meanwhile.
SETTLING_REQUESTS = 5
USER_SENDS = ("send", "send-policy", "send-safety", "send-webhooked")  # through the gate
# send-webhooked's endpoint: a public address (an IP literal: nothing to resolve), never
# reached with --no-webhook-worker; with the worker, its attempts fail and are retried.
HOOK_URL = "https://93.184.215.14/hook"
BLOCKS = 100  # per user of send-safety (issue 22's figure), of users outside the send


Make = Callable[[int], Request]  # a scenario's i-th request


@dataclass(frozen=True)
class Bench:
    """The app over a seeded scratch database, and its scenarios: each makes its i-th
    request (method, path, headers, body)."""

    app: FastAPI
    client: httpx.AsyncClient
    server_key: dict[str, str]
    scenarios: dict[str, Make]
    sender: str  # the send scenarios' usernames
    receiver: str
    blocks: list[dict[str, Any]]  # send-safety's user_block rows

    async def run(self, make: Make, count: int) -> None:
        for i in range(count):
            method, path, headers, content = make(i)
            response = await self.client.request(method, path, headers=headers, content=content)
            assert response.status_code < 300, response.text

    async def cpu_ms(self, make: Make, count: int) -> float:
        """This process's CPU per request over `count` requests, in ms."""
        started = time.process_time()
        await self.run(make, count)
        return (time.process_time() - started) * 1000 / count

    async def profiled(self, make: Make, count: int) -> pstats.Stats:
        profiler = cProfile.Profile()
        profiler.enable()
        await self.run(make, count)
        profiler.disable()
        return pstats.Stats(profiler)

    async def gate_us(self, sends: int = 2_000, repeats: int = 5) -> float:
        """CPU microseconds of the send scenario's policy work alone, as its route does
        it (PolicyMemory.gate, then Gate.check with what it remembers, or reads): the best
        of `repeats` runs, the least disturbed. The whole send's CPU is a thousand times
        this, and moves by more than it from one batch to the next."""
        state = app_state(self.app)
        async with state.sessions() as db:
            sender = await get_user(db, self.sender)
            times = []
            for _ in range(repeats):
                started = time.process_time()
                for _ in range(sends):
                    gate = await state.policy.gate(db, state.limits)
                    if gate is not None:
                        await gate.check(db, sender=sender, receivers=[self.receiver], thread=None)
                times.append(time.process_time() - started)
        return min(times) * 1e6 / sends

    async def set_up(self, scenario: str) -> None:
        """What the scenario runs under: send-policy under POLICY, send-safety under POLICY
        with BLOCKS blocks by the sender and by the receiver, the rest with neither."""
        rules = POLICY if scenario in ("send-policy", "send-safety") else {}
        put = await self.client.put("/server/policy/messaging", json=rules, headers=self.server_key)
        assert put.status_code == 200, put.text
        async with app_state(self.app).engine.begin() as db:
            await db.execute(delete(Block))
            await db.execute(delete(WebhookEndpoint))
            await db.execute(delete(WebhookDelivery))  # no endpoint's, nor a later one's
            if scenario == "send-safety":
                await db.execute(insert(Block), self.blocks)
        if scenario == "send-webhooked":  # one endpoint subscribed to every event
            made = await self.client.post(
                "/server/webhooks",
                json={"url": HOOK_URL, "event_types": ["*"]},
                headers=self.server_key,
            )
            assert made.status_code == 201, made.text


@asynccontextmanager
async def bench_app(
    db: str,
    redis_url: str | None = None,
    log_format: str | None = None,
    webhook_worker: bool = True,
    overrides: dict[str, Any] | None = None,  # more of the app's settings
) -> AsyncIterator[Bench]:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-inproc-"))
    async with scratch_database(db, workdir) as url:
        settings = Settings(
            data_dir=workdir,
            database_url=url,
            secret_key="inproc-secret-key-0123456789abcdef",
            rate_limits="off",
            redis_url=redis_url,
            redis_prefix=f"mailslot-inproc-{os.getpid()}:",
            log_level="info" if log_format else "warning",
            log_format=log_format,
            webhook_worker=webhook_worker,
            **(overrides or {}),
        )
        if log_format:
            configure_logging(settings, serving=True, stream=open(os.devnull, "w"))  # noqa: SIM115
        await upgrade(settings)
        engine = make_engine(settings)
        seeder = Seeder(engine, engine.dialect.name, "unused")
        sender, receiver = (await seeder.users("s", 1))[0], (await seeder.users("r", 1))[0]
        await seeder.mailbox(sender, receiver, 10_000)
        ids = await seeder.message_ids(receiver[0], 10_000)
        (receiver_id,) = await seeder.host_ids([receiver])
        others = await seeder.users("b", BLOCKS)
        now = datetime.now(UTC)
        blocks = [
            {"blocker_id": blocker[0], "blocked_id": other[0], "created_at": now}
            for blocker in (sender, receiver)
            for other in others
        ]
        key = {"Authorization": f"Bearer {await seeder.server_key()}"}
        await engine.dispose()
        app = create_app(settings)
        auth = {"Authorization": f"Bearer {receiver[2]}"}
        send_auth = {"Authorization": f"Bearer {sender[2]}"}
        body = json.dumps({"receiver": receiver[1], "subject": "s", "message": "a body"})
        notice = json.dumps(
            {"from": "system", "to": [receiver_id], "subject": "s", "message": "a body"}
        )
        scenarios: dict[str, Make] = {
            "healthz": lambda i: ("GET", "/healthz", {}, None),
            "list": lambda i: ("GET", f"/users/{receiver[1]}/messages", auth, None),
            "list-deep": lambda i: (
                "GET",
                f"/users/{receiver[1]}/messages?cursor={encode_cursor(ids[5000])}",
                auth,
                None,
            ),
            "read": lambda i: ("GET", f"/users/{receiver[1]}/messages/{ids[i % 1000]}", auth, None),
            "unread-count": lambda i: ("GET", f"/users/{receiver[1]}/unread", auth, None),
            "send": lambda i: (
                "POST",
                f"/users/{sender[1]}/messages",
                send_auth | {"Content-Type": "application/json"},
                body,
            ),
            # send again, under a messaging policy of 20 rules (bench/policy.py), and with
            # BLOCKS blocks a user besides (set_up).
            "send-policy": lambda i: (
                "POST",
                f"/users/{sender[1]}/messages",
                send_auth | {"Content-Type": "application/json"},
                body,
            ),
            "send-webhooked": lambda i: (
                "POST",
                f"/users/{sender[1]}/messages",
                send_auth | {"Content-Type": "application/json"},
                body,
            ),
            "send-safety": lambda i: (
                "POST",
                f"/users/{sender[1]}/messages",
                send_auth | {"Content-Type": "application/json"},
                body,
            ),
            "send-system": lambda i: (
                "POST",
                "/server/messages",
                key | {"Content-Type": "application/json"},
                notice,
            ),
        }
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                yield Bench(app, client, key, scenarios, sender[1], receiver[1], blocks)


async def measure(
    db: str,
    requests: int,
    profile: str | None = None,
    redis_url: str | None = None,
    plans: bool = False,
    log_format: str | None = None,
) -> dict[str, tuple[float, float]]:
    results: dict[str, tuple[float, float]] = {}
    async with bench_app(db, redis_url, log_format) as bench:
        for scenario, make in bench.scenarios.items():
            if profile and scenario != profile:
                continue
            await bench.set_up(scenario)
            await bench.run(make, 50)  # warm caches and prepared statements
            cpu_ms = await bench.cpu_ms(make, requests)
            # Python function calls per request: unlike CPU time, the same on a
            # busy machine, so two versions compare exactly.
            stats = await bench.profiled(make, CALL_COUNT_REQUESTS)
            results[scenario] = (cpu_ms, stats.total_calls / CALL_COUNT_REQUESTS)  # type: ignore[attr-defined]
            if profile:
                stats.sort_stats(os.environ.get("SORT", "tottime")).print_stats(
                    int(os.environ.get("TOP", "40"))
                )
                print_calls_by_package(stats, CALL_COUNT_REQUESTS)
                if callers := os.environ.get("CALLERS"):
                    stats.sort_stats("ncalls").print_callers(callers)
        if plans and app_state(bench.app).engine.dialect.name == "postgresql":
            await print_plan_choices(app_state(bench.app).engine)
    return results


@dataclass(frozen=True)
class Paired:
    """Two scenarios measured in alternating rounds (`paired`)."""

    names: tuple[str, str]
    cpu_ms: dict[str, list[float]]  # per round: CPU per request
    calls: dict[str, float]  # Python function calls per request
    gate_us: dict[str, float]  # of a user's send scenario: its policy work alone
    statements: dict[str, dict[str, float]]  # per request, by the SQL's first word

    @property
    def ratios(self) -> list[float]:
        """Each round's second scenario over its first."""
        first, second = (self.cpu_ms[name] for name in self.names)
        return [b / a for a, b in zip(first, second, strict=True)]


async def paired(
    db: str,
    redis_url: str | None,
    names: tuple[str, str],
    rounds: int,
    requests: int,
    webhook_worker: bool = True,
) -> Paired:
    """`requests` of each scenario in turn, `rounds` times, which goes first alternating:
    a busy machine's drift, and the mailbox the sends grow, fall on both alike (one
    scenario run after the other measures the second on a bigger mailbox, minutes later)."""
    cpu_ms: dict[str, list[float]] = {name: [] for name in names}
    calls: dict[str, float] = {}
    statements: dict[str, dict[str, float]] = {}
    gate_us: dict[str, float] = {}
    async with bench_app(db, redis_url, webhook_worker=webhook_worker) as bench:
        for name in names:
            await bench.set_up(name)
            await bench.run(bench.scenarios[name], 50)  # warm caches and prepared statements
        for index in range(rounds):
            for name in names if index % 2 == 0 else names[::-1]:
                make = bench.scenarios[name]
                await bench.set_up(name)
                await bench.run(make, SETTLING_REQUESTS)
                cpu_ms[name].append(await bench.cpu_ms(make, requests))
        for name in names:
            make = bench.scenarios[name]
            await bench.set_up(name)
            await bench.run(make, SETTLING_REQUESTS)
            stats = await bench.profiled(make, CALL_COUNT_REQUESTS)
            calls[name] = stats.total_calls / CALL_COUNT_REQUESTS  # type: ignore[attr-defined]
            with counting_statements() as counted:
                await bench.run(make, CALL_COUNT_REQUESTS)
            statements[name] = {
                word: count / CALL_COUNT_REQUESTS for word, count in counted.most_common()
            }
            if name in USER_SENDS:
                gate_us[name] = await bench.gate_us()
    return Paired(names, cpu_ms, calls, gate_us, statements)


@contextmanager
def counting_statements() -> Iterator[Counter[str]]:
    """The statements sent to the database meanwhile, by the SQL's first word, counted
    at the driver (asyncpg, aiosqlite): SQLAlchemy's before_cursor_execute event never
    sees a DirectQuery's (db/direct.py), nor BEGIN and COMMIT."""
    counted: Counter[str] = Counter()

    def note(sql: str) -> None:
        counted[sql.split(None, 1)[0].rstrip(";").upper() if sql.strip() else "?"] += 1

    connection = asyncpg.connection.Connection
    statement = asyncpg.prepared_stmt.PreparedStatement
    patched: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, sql_of: Callable[..., str | None]) -> None:
        original = getattr(owner, name)

        async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
            sql = sql_of(self, *args, **kwargs)
            if sql is not None:
                note(sql)
            return await original(self, *args, **kwargs)

        patched.append((owner, name, original))
        setattr(owner, name, counting)

    # asyncpg: a statement with arguments goes through _do_execute; one without (BEGIN,
    # COMMIT) through execute's simple query; SQLAlchemy's run as prepared statements.
    wrap(connection, "_do_execute", lambda self, query, *a, **k: query)
    wrap(connection, "execute", lambda self, query, *args, **k: None if args else query)
    wrap(statement, "_PreparedStatement__do_execute", lambda self, *a, **k: self._query)
    # aiosqlite: every call runs on the connection's thread through _execute.
    sqlite_calls = {"execute", "executemany", "_execute_fetchall", "_execute_insert"}

    def sqlite_sql(self: Any, fn: Any, *args: Any, **kwargs: Any) -> str | None:
        name = getattr(fn, "__name__", "")
        if name in sqlite_calls:
            return str(args[0])
        return name.upper() if name in {"commit", "rollback"} else None

    wrap(aiosqlite.Connection, "_execute", sqlite_sql)
    try:
        yield counted
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)


async def print_plan_choices(engine: AsyncEngine) -> None:
    """How PostgreSQL planned each prepared statement of the pool's connections: a
    statement planned at every execution (custom plans only) pays the planner each time."""
    async with AsyncExitStack() as stack:
        connections = [
            await stack.enter_async_context(engine.connect())
            for _ in range(engine.pool.checkedin())  # type: ignore[attr-defined]
        ]
        seen: Counter[str] = Counter()
        generic: Counter[str] = Counter()
        for connection in connections:
            rows: Any = await connection.exec_driver_sql(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
            )
            for statement, generic_plans, custom_plans in rows:
                key = " ".join(statement.split())
                seen[key] += generic_plans + custom_plans
                generic[key] += generic_plans
    print("prepared statements: executions, of which with the generic plan")
    for statement, runs in seen.most_common():
        print(f"  {runs:7,} {generic[statement]:7,}  {statement[:150]}")


def print_calls_by_package(stats: pstats.Stats, requests: int) -> None:
    by_package: Counter[str] = Counter()
    for (path, _, _), (_, calls, *_) in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(path).parts
        if "site-packages" in parts:
            package = parts[parts.index("site-packages") + 1]
        elif "mailslot" in parts:
            package = "mailslot"
        elif path.startswith("<") or path == "~":
            package = "builtins"
        else:
            package = "stdlib: " + Path(path).stem
        by_package[package] += calls
    print("Python calls per request, by package:")
    for package, calls in by_package.most_common(15):
        print(f"  {package:<24} {calls / requests:8,.0f}")


def print_paired(found: Paired, args: argparse.Namespace) -> None:
    first, second = found.names
    ratios = found.ratios
    low, high = bootstrap_interval(ratios)
    print(
        f"mailslot CPU ms per request, in process, {args.db}, {args.rounds} rounds of "
        f"{args.requests} requests of each, alternating which goes first"
    )
    print(f"  {'round':>5} {first:>12} {second:>12} {'ratio':>7}")
    for index, ratio in enumerate(ratios):
        a, b = found.cpu_ms[first][index], found.cpu_ms[second][index]
        print(f"  {index + 1:>5} {a:12.3f} {b:12.3f} {ratio:7.3f}")
    medians = [statistics.median(found.cpu_ms[name]) for name in found.names]
    print(f"  {'median':>5} {medians[0]:12.3f} {medians[1]:12.3f} {statistics.median(ratios):7.3f}")
    print(
        f"{second}/{first}: median of the rounds' ratios {statistics.median(ratios):.3f}, "
        f"95% bootstrap interval {low:.3f}-{high:.3f}, rounds {min(ratios):.3f}-{max(ratios):.3f}"
    )
    for name in found.names:
        statements = ", ".join(f"{word} {n:.2f}" for word, n in found.statements[name].items())
        gate = (
            f", the policy's gate alone {found.gate_us[name]:.1f} µs CPU"
            if name in found.gate_us
            else ""
        )
        print(
            f"  {name}: {found.calls[name]:,.0f} Python calls, "
            f"{sum(found.statements[name].values()):.2f} statements per request "
            f"({statements}){gate}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--requests",
        type=int,
        help="of each scenario (default 2000); with --paired, a round's (50)",
    )
    parser.add_argument("--profile", metavar="SCENARIO", help="run one scenario under cProfile")
    parser.add_argument(
        "--redis", metavar="URL", help="as instances over Redis run (tokens are cached)"
    )
    parser.add_argument(
        "--plans",
        action="store_true",
        help="PostgreSQL: list the prepared statements and how often each was planned",
    )
    parser.add_argument(
        "--log-format",
        choices=["json", "text"],
        help="log every request's access line in this format (to /dev/null)",
    )
    parser.add_argument(
        "--paired",
        metavar="A,B",
        help="measure two scenarios in alternating rounds of --requests each "
        "(e.g. send,send-policy)",
    )
    parser.add_argument("--rounds", type=int, default=80, help="with --paired")
    parser.add_argument(
        "--no-webhook-worker",
        action="store_true",
        help="with --paired: no webhook worker, whose claims (a transaction after nearly "
        "every send, endpoints or not) count in both scenarios and shrink their ratio",
    )
    args = parser.parse_args()
    # Short rounds, many of them: the load of a shared machine moves within a second, and
    # a short round sees one load for both of its batches.
    args.requests = args.requests or (50 if args.paired else 2000)
    if args.paired:
        first, second = args.paired.split(",")
        print_paired(
            asyncio.run(
                paired(
                    args.db,
                    args.redis,
                    (first, second),
                    args.rounds,
                    args.requests,
                    webhook_worker=not args.no_webhook_worker,
                )
            ),
            args,
        )
        return
    results = asyncio.run(
        measure(args.db, args.requests, args.profile, args.redis, args.plans, args.log_format)
    )
    print(
        f"mailslot CPU per request, in process, {args.db}, {args.requests} sequential requests each"
    )
    print(f"  {'scenario':<14} {'CPU ms':>8} {'Python calls':>13}")
    for scenario, (ms, calls) in results.items():
        print(f"  {scenario:<14} {ms:8.3f} {calls:13,.0f}")


if __name__ == "__main__":
    main()
