"""What running behind PgBouncer costs a request: no prepared-statement caches, and a hop.

One PostgreSQL database (a 10^4-message inbox) and three apps over it, in process, one
request at a time, measured in turns so that a busy machine weighs on each alike:

- `direct`: PostgreSQL itself, asyncpg's and SQLAlchemy's statement caches on (the default);
- `caches off`: PostgreSQL itself with MAILSLOT_DATABASE_POOLER=pgbouncer's engine (every
  statement parsed and planned each time), which isolates the caches' share;
- `pgbouncer`: through a PgBouncer in transaction mode (tests/support/pgbouncer.py, without
  the tests' DISCARD ALL after every transaction).

Reports, per request and as the median over the rounds, the CPU time it took in ms: the
app's process, PostgreSQL's backends (from /proc) and PgBouncer's process, which a busy
machine distorts far less than wall time.

    python -m bench.pooler [--requests 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy.engine import make_url
from tests.support.pgbouncer import PgBouncer, set_up_database

from bench.seed import Seeder, scratch_database
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade

SECRET = "pooler-secret-key-0123456789abcdef"


async def measure(requests: int, rounds: int) -> dict[str, dict[str, tuple[float, ...]]]:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-pooler-"))
    async with scratch_database("postgres", workdir) as url:
        base = Settings(data_dir=workdir, database_url=url, secret_key=SECRET, rate_limits="off")
        await upgrade(base)
        await set_up_database(url)
        engine = make_engine(base)
        seeder = Seeder(engine, engine.dialect.name, "unused")
        sender, receiver = (await seeder.users("s", 1))[0], (await seeder.users("r", 1))[0]
        await seeder.mailbox(sender, receiver, 10_000)
        ids = await seeder.message_ids(receiver[0], 1000)
        await engine.dispose()
        auth = {"Authorization": f"Bearer {receiver[2]}"}
        send = {"Authorization": f"Bearer {sender[2]}", "Content-Type": "application/json"}
        body = json.dumps({"receiver": receiver[1], "subject": "s", "message": "a body"})
        scenarios: dict[str, Any] = {
            "list": lambda i: ("GET", f"/users/{receiver[1]}/messages", auth, None),
            "read": lambda i: ("GET", f"/users/{receiver[1]}/messages/{ids[i % 1000]}", auth, None),
            "send": lambda i: ("POST", f"/users/{sender[1]}/messages", send, body),
        }
        with PgBouncer(url, pool_size=20, reset_always=False) as pgbouncer:
            pooled = {"database_pooler": "pgbouncer", "database_direct_url": url}
            configs = {
                "direct": base,
                "caches off": base.model_copy(update=pooled),
                "pgbouncer": base.model_copy(update={**pooled, "database_url": pgbouncer.url}),
            }
            async with AsyncExitStack() as stack:
                clients = {}
                for name, settings in configs.items():
                    app = create_app(settings)
                    await stack.enter_async_context(LifespanManager(app))
                    transport = httpx.ASGITransport(app=app)
                    clients[name] = await stack.enter_async_context(
                        httpx.AsyncClient(transport=transport, base_url="http://bench")
                    )
                times: dict[str, dict[str, list[tuple[float, float, float]]]] = {
                    name: {s: [] for s in scenarios} for name in configs
                }
                database = make_url(url).database
                for _ in range(rounds):
                    for scenario, make in scenarios.items():
                        for name, client in clients.items():
                            await run(client, make, 20)  # warm
                            before = await cpu(url, database, pgbouncer.process)
                            started = time.process_time()
                            await run(client, make, requests)
                            app_cpu = time.process_time() - started
                            after = await cpu(url, database, pgbouncer.process)
                            times[name][scenario].append(
                                (
                                    app_cpu * 1000 / requests,
                                    (after[0] - before[0]) * 1000 / requests,
                                    (after[1] - before[1]) * 1000 / requests,
                                )
                            )
        return {
            name: {
                s: tuple(statistics.median(part) for part in zip(*values, strict=True))
                for s, values in by.items()
            }
            for name, by in times.items()
        }


async def cpu(url: str, database: str | None, pgbouncer: Any) -> tuple[float, float]:
    """Seconds of CPU so far: of the database's PostgreSQL backends, and of PgBouncer."""
    connection = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        pids = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await connection.close()
    return sum(process_cpu(row["pid"]) for row in pids), process_cpu(pgbouncer.pid)


def process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(client: httpx.AsyncClient, make: Any, count: int) -> None:
    for i in range(count):
        method, path, headers, content = make(i)
        response = await client.request(method, path, headers=headers, content=content)
        assert response.status_code < 300, response.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = asyncio.run(measure(args.requests, args.rounds))
    print("CPU ms per request: app + PostgreSQL + PgBouncer = total")
    for name, by in results.items():
        for scenario, parts in by.items():
            shown = " + ".join(f"{part:.3f}" for part in parts)
            print(f"{name:<12} {scenario:<6} {shown} = {sum(parts):.3f}")


if __name__ == "__main__":
    main()
