"""What metrics cost a request, measured in process with metrics on and off interleaved.

Two apps over one scratch database, one with MAILSLOT_METRICS on (values in
PROMETHEUS_MULTIPROC_DIR's files, as under `mailslot serve --workers N`) and one with it
off, take turns: a batch of `list` or `send` requests through one, then the same through
the other, for `--rounds` rounds. Batches that alternate see the same machine, so a busy
machine's drift falls on both; the figure is the ratio of their median CPU per request.

    python -m bench.metrics_overhead [--db postgres|sqlite] [--batch 200] [--rounds 15]
"""

from __future__ import annotations

import os
import tempfile

# Before prometheus_client is imported: the "on" app writes its values to files, as
# each worker does under --workers N.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="mailslot-mp-"))

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import time
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from bench.seed import Seeder, scratch_database
from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.db.engine import make_engine
from mailslot.db.migrate import upgrade

CALL_COUNT_REQUESTS = 100


async def measure(db: str, batch: int, rounds: int) -> dict[str, tuple[float, ...]]:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-overhead-"))
    async with scratch_database(db, workdir) as url, AsyncExitStack() as stack:
        base = Settings(
            data_dir=workdir,
            database_url=url,
            secret_key="overhead-secret-key-0123456789abcdef",
            rate_limits="off",
            log_level="warning",
            webhook_worker=False,
            purge_interval=0,
        )
        await upgrade(base)
        engine = make_engine(base)
        seeder = Seeder(engine, engine.dialect.name, "unused")
        sender, receiver = (await seeder.users("s", 1))[0], (await seeder.users("r", 1))[0]
        await seeder.mailbox(sender, receiver, 10_000)
        await engine.dispose()
        clients = {}
        for metrics in (True, False):
            app = create_app(base.model_copy(update={"metrics": metrics}))
            await stack.enter_async_context(LifespanManager(app))
            transport = httpx.ASGITransport(app=app)
            clients[metrics] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://bench")
            )
        body = json.dumps({"receiver": receiver[1], "subject": "s", "message": "a body"})
        scenarios = {
            "list": ("GET", f"/users/{receiver[1]}/messages", receiver[2], None),
            "send": ("POST", f"/users/{sender[1]}/messages", sender[2], body),
        }
        results: dict[str, tuple[float, ...]] = {}
        for name, (method, path, token, content) in scenarios.items():
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            cpu: dict[bool, list[float]] = {True: [], False: []}

            async def run(client: httpx.AsyncClient, count: int) -> float:
                started = time.process_time()
                for _ in range(count):
                    response = await client.request(method, path, headers=headers, content=content)  # noqa: B023
                    assert response.status_code < 300, response.text
                return (time.process_time() - started) * 1000 / count

            for client in clients.values():
                await run(client, 50)  # warm caches and prepared statements
            for index in range(rounds):
                order = (True, False) if index % 2 == 0 else (False, True)
                for metrics in order:
                    cpu[metrics].append(await run(clients[metrics], batch))
            # Python function calls per request: the same on a busy machine.
            calls = {}
            for metrics, client in clients.items():
                profiler = cProfile.Profile()
                profiler.enable()
                await run(client, CALL_COUNT_REQUESTS)
                profiler.disable()
                total: int = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
                calls[metrics] = total / CALL_COUNT_REQUESTS
            results[name] = (
                statistics.median(cpu[False]),
                statistics.median(cpu[True]),
                calls[False],
                calls[True],
            )
        return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    results = asyncio.run(measure(args.db, args.batch, args.rounds))
    print(f"CPU ms per request, in process, {args.db}, median of {args.rounds} batches each")
    print(
        f"  {'scenario':<10} {'off':>8} {'on':>8} {'on/off':>8} {'calls off':>10} {'calls on':>9}"
    )
    for name, (off, on, calls_off, calls_on) in results.items():
        print(
            f"  {name:<10} {off:8.3f} {on:8.3f} {on / off:8.3f} {calls_off:10,.0f} {calls_on:9,.0f}"
        )


if __name__ == "__main__":
    main()
