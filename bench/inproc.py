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
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.policy import POLICY
from bench.seed import Seeder, scratch_database
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade
from mailslot.logs import configure_logging
from mailslot.messages.cursor import encode_cursor
from mailslot.state import app_state

CALL_COUNT_REQUESTS = 200


async def measure(
    db: str,
    requests: int,
    profile: str | None = None,
    redis_url: str | None = None,
    plans: bool = False,
    log_format: str | None = None,
) -> dict[str, tuple[float, float]]:
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
        key = {"Authorization": f"Bearer {await seeder.server_key()}"}
        await engine.dispose()
        app = create_app(settings)
        auth = {"Authorization": f"Bearer {receiver[2]}"}
        send_auth = {"Authorization": f"Bearer {sender[2]}"}
        body = json.dumps({"receiver": receiver[1], "subject": "s", "message": "a body"})
        notice = json.dumps(
            {"from": "system", "to": [receiver_id], "subject": "s", "message": "a body"}
        )
        scenarios = {
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
            # send again, under a messaging policy of 20 rules (bench/policy.py).
            "send-policy": lambda i: (
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
        results: dict[str, tuple[float, float]] = {}
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

                async def run(make: Any, count: int) -> None:
                    for i in range(count):
                        method, path, headers, content = make(i)
                        response = await client.request(
                            method, path, headers=headers, content=content
                        )
                        assert response.status_code < 300, response.text

                for scenario, make in scenarios.items():
                    if profile and scenario != profile:
                        continue
                    rules = POLICY if scenario == "send-policy" else {}
                    put = await client.put("/server/policy/messaging", json=rules, headers=key)
                    assert put.status_code == 200, put.text
                    await run(make, 50)  # warm caches and prepared statements
                    started = time.process_time()
                    await run(make, requests)
                    cpu_ms = (time.process_time() - started) * 1000 / requests
                    # Python function calls per request: unlike CPU time, the same on a
                    # busy machine, so two versions compare exactly.
                    profiler = cProfile.Profile()
                    profiler.enable()
                    await run(make, CALL_COUNT_REQUESTS)
                    profiler.disable()
                    stats = pstats.Stats(profiler)
                    results[scenario] = (cpu_ms, stats.total_calls / CALL_COUNT_REQUESTS)  # type: ignore[attr-defined]
                    if profile:
                        stats.sort_stats(os.environ.get("SORT", "tottime")).print_stats(
                            int(os.environ.get("TOP", "40"))
                        )
                        print_calls_by_package(stats, CALL_COUNT_REQUESTS)
                        if callers := os.environ.get("CALLERS"):
                            stats.sort_stats("ncalls").print_callers(callers)
                if plans and app_state(app).engine.dialect.name == "postgresql":
                    await print_plan_choices(app_state(app).engine)
        return results


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
            rows = await connection.exec_driver_sql(
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--requests", type=int, default=2000)
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
    args = parser.parse_args()
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
