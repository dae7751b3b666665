"""Webhook delivery under the send scenario's load (issue 19's performance goal).

Starts `mailslot serve` as `make bench` does (PostgreSQL: two workers; SQLite: one), a
receiver in this process that answers 204 at once (asyncio, keep-alive), and runs wrk's
`send` scenario (32 senders, one receiver each) twice: with no webhook endpoint, then with
one subscribed to every event. It reports

- sends/s of each run, and their ratio (goal: the second at least 85% of the first);
- events delivered per second while the sends ran, and how long the backlog took to
  drain after them;
- from each event to its request at the receiver: the event's `timestamp` (its write, in
  the send's transaction, just before the commit) to the request's arrival, p50/p99 (goal:
  p99 at most 250 ms). Both instants are read on this machine's one clock.

    .venv/bin/python -m bench.delivery [--db postgres|sqlite] [--duration 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench import scenarios
from bench.harness import Servers, free_port, run_wrk, server_env, warm_up
from bench.live import percentile
from bench.seed import PASSWORD, Seeder, scratch_database
from mailslot.accounts.security import Passwords
from mailslot.config import Settings
from mailslot.db.base import utcnow
from mailslot.db.migrate import upgrade
from mailslot.webhooks import signing
from mailslot.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSubscription

RESULTS = Path(__file__).parent / "results"


class Receiver:
    """HTTP/1.1 keep-alive, 204 at once; notes each request's arrival and body."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals: list[tuple[float, bytes]] = []
        self._ready = threading.Event()
        threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True).start()
        self._ready.wait()

    async def _serve(self) -> None:
        server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
        self._ready.set()
        async with server:
            await server.serve_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.arrivals.append((time.time(), body))
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def add_endpoint(engine: AsyncEngine, url: str) -> None:
    now = utcnow()
    async with engine.begin() as connection:
        endpoint_id = (
            await connection.execute(
                WebhookEndpoint.__table__.insert()
                .values(
                    public_id="ep_" + secrets.token_hex(8),
                    url=url,
                    description="bench",
                    event_types=["*"],
                    enabled=True,
                    secret=signing.new_secret(),
                    created_at=now,
                    updated_at=now,
                )
                .returning(WebhookEndpoint.__table__.c.id)
            )
        ).scalar_one()
        await connection.execute(
            WebhookSubscription.__table__.insert().values(endpoint_id=endpoint_id, event_type="*")
        )


async def pending(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).where(WebhookDelivery.status == "pending"))
            or 0
        )


async def measure(args: argparse.Namespace, url: str, workdir: Path) -> dict[str, Any]:
    settings = Settings(data_dir=workdir, database_url=url)
    await upgrade(settings)
    engine = create_async_engine(url)
    seeder = Seeder(
        engine, engine.dialect.name, await Passwords(memory_kib=64, iterations=1).hash(PASSWORD)
    )
    senders = await seeder.users("sender", 32)
    receivers = await seeder.users("receiver", 32)
    requests = scenarios.send_requests([(senders[i], [receivers[i][1]]) for i in range(32)])
    workers = 1 if args.db == "sqlite" else 2
    env = server_env(url, workdir) | {"MAILSLOT_WEBHOOK_ALLOW_PRIVATE": "1"}
    servers = Servers(env, workdir / "server.log", workers=workers)
    receiver = Receiver()
    load = {"connections": 32, "duration": args.duration}
    try:
        servers.start()
        print("  send, no endpoint ...", file=sys.stderr)
        warm_up(servers.base, requests, connections=32, seconds=args.warmup)
        alone = run_wrk("send", servers.base, requests, server_pid=servers.mailslot.pid, **load)

        await add_endpoint(engine, f"http://127.0.0.1:{receiver.port}/hooks")
        print("  send, one endpoint subscribed to every event ...", file=sys.stderr)
        warm_up(servers.base, requests, connections=32, seconds=args.warmup)
        while await pending(engine):  # the warm-up's events
            await asyncio.sleep(0.2)
        receiver.arrivals.clear()
        started = time.time()
        hooked = await asyncio.to_thread(
            run_wrk, "send+webhook", servers.base, requests, server_pid=servers.mailslot.pid, **load
        )
        ended = time.time()
        during = sum(1 for at, _ in receiver.arrivals if at <= ended)
        backlog = await pending(engine)
        while await pending(engine):
            await asyncio.sleep(0.05)
        drained = time.time() - ended
    finally:
        servers.stop()
        await engine.dispose()

    latencies = []
    for at, body in receiver.arrivals:
        stamp = datetime.fromisoformat(json.loads(body)["timestamp"].replace("Z", "+00:00"))
        if stamp.timestamp() >= started:
            latencies.append((at - stamp.timestamp()) * 1000)
    return {
        "db": args.db,
        "workers": workers,
        "duration": args.duration,
        "send_rps_no_endpoint": round(alone.rps, 1),
        "send_rps_one_endpoint": round(hooked.rps, 1),
        "send_ratio": round(hooked.rps / alone.rps, 3),
        "send_p99_ms": [round(alone.p99_ms, 1), round(hooked.p99_ms, 1)],
        "errors": [alone.errors, hooked.errors],
        "events": len(receiver.arrivals),
        "delivered_per_s_during_sends": round(during / (ended - started), 1),
        "backlog_at_end": backlog,
        "drain_seconds": round(drained, 2),
        "event_to_receiver_p50_ms": round(percentile(latencies, 0.5), 1),
        "event_to_receiver_p99_ms": round(percentile(latencies, 0.99), 1),
        "event_to_receiver_max_ms": round(max(latencies), 1),
    }


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-bench-webhooks-"))
    try:
        async with scratch_database(args.db, workdir) as url:
            return await measure(args, url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    figures = asyncio.run(bench(args))
    for key, value in figures.items():
        print(f"{key:32} {value}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"delivery-{args.db}-{int(time.time())}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
