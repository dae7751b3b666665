"""Retention under load: the list scenario's p99 while `mailslot retention run` deletes a
large amount of expired mail in batches, against its p99 without the job (issue 21: within
2x).

Seeds (straight in SQL, bench/seed.py) the list scenario's 10^5-message mailbox, sent now,
and `--expired` messages between two other users, sent 400 days ago; starts `mailslot
serve` with MAILSLOT_RETENTION_DAYS=365 (so every read carries the retention condition,
with and without the job) and MAILSLOT_RETENTION_INTERVAL=0 (no job of its own); then:

1. wrk on the list for `--duration` s: the baseline;
2. `mailslot retention run --batch-size N --pause P` started as an operator's process, and once it
   has deleted its first batches, wrk on the list for `--duration` s again, while it runs.

Prints the two p99s, their ratio, how much the job deleted while wrk ran and its rate, and
writes bench/results/retention-<db>-<time>.json. The job is interrupted once wrk is done
(`--to-end` lets it finish): 10^6 deletions take longer than the measurement needs.

    python -m bench.retention [--db postgres|sqlite] [--expired 1000000] [--batch-size 500]
                              [--pause 1.0] [--duration 20] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.harness import Request, Servers, run_wrk, server_env, warm_up
from bench.scenarios import auth
from bench.seed import BIG, PASSWORD, Seeder, scratch_database
from mailslot.accounts.security import Passwords
from mailslot.config import Settings
from mailslot.db.migrate import upgrade

RESULTS = Path(__file__).parent / "results"
DAYS = 365


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--expired", type=int, default=1_000_000, help="messages to delete")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--pause", type=float, default=1.0, help="MAILSLOT_RETENTION_PAUSE of the job"
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--to-end", action="store_true", help="let the job finish (else stopped after wrk)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    asyncio.run(bench(args))


async def bench(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-bench-retention-"))
    try:
        async with scratch_database(args.db, workdir) as url:
            await measure(args, url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def seed(settings: Settings, url: str, expired: int) -> tuple[int, str, str]:
    """The list's mailbox (now) and the expired mail (400 days ago): the list's user."""
    engine = create_async_engine(url)
    passwords = Passwords(
        memory_kib=settings.password_hash_memory_kib, iterations=settings.password_hash_iterations
    )
    seeder = Seeder(engine, engine.dialect.name, await passwords.hash(PASSWORD))
    big_sender, big_receiver = await seeder.users("bigsender", 1), await seeder.users("big", 1)
    old_sender, old_receiver = await seeder.users("oldsender", 1), await seeder.users("old", 1)
    started = time.monotonic()
    long_ago = datetime.now(UTC) - timedelta(days=DAYS + 35)
    # The expired mail first (older ids, as it would be), in chunks of 10^5.
    for done in range(0, expired, 100_000):
        count = min(100_000, expired - done)
        await seeder.mailbox(old_sender[0], old_receiver[0], count, unread=0, at=long_ago)
        print(f"  seeded {done + count} expired messages", file=sys.stderr)
    await seeder.mailbox(big_sender[0], big_receiver[0], BIG)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as db:
            await db.execute(text("ANALYZE"))
    print(f"  seeding took {time.monotonic() - started:.0f} s", file=sys.stderr)
    await engine.dispose()
    return big_receiver[0]


async def deleted_so_far(engine: AsyncEngine) -> int:
    """The running job's count so far (retention_run.deleted, committed with each batch)."""
    async with engine.connect() as db:
        found = await db.scalar(text("SELECT deleted FROM retention_run WHERE id = 1"))
        return int(found or 0)


async def measure(args: argparse.Namespace, url: str, workdir: Path) -> None:
    settings = Settings(data_dir=workdir, database_url=url)
    await upgrade(settings)
    print(f"seeding ({args.db}, {args.expired} expired messages) ...", file=sys.stderr)
    receiver = await seed(settings, url, args.expired)
    env = server_env(url, workdir) | {
        "MAILSLOT_RETENTION_DAYS": str(DAYS),
        "MAILSLOT_RETENTION_INTERVAL": "0",
    }
    servers = Servers(env, workdir / "server.log", workers=1 if args.db == "sqlite" else 2)
    job: subprocess.Popen[str] | None = None
    watcher = create_async_engine(url)
    try:
        servers.start()
        _, name, token = receiver
        requests: list[Request] = [("GET", f"/users/{name}/messages", auth(token), None)]
        load = {"connections": args.connections, "duration": args.duration}
        warm_up(servers.base, requests, connections=args.connections, seconds=args.warmup)
        print("  list, without the job ...", file=sys.stderr)
        baseline = run_wrk("list", servers.base, requests, server_pid=servers.mailslot.pid, **load)

        command = [sys.executable, "-m", "mailslot", "retention", "run"]
        job_env = env | {"MAILSLOT_LOG_LEVEL": "warning"}
        job = subprocess.Popen(
            [*command, "--batch-size", str(args.batch_size), "--pause", str(args.pause), "--json"],
            env=job_env,
            stdout=subprocess.PIPE,
            stderr=(workdir / "job.log").open("w"),
            text=True,
        )
        started = time.monotonic()
        while await deleted_so_far(watcher) < 5 * args.batch_size:  # the job is under way
            if job.poll() is not None:
                log = (workdir / "job.log").read_text()[:3000]
                raise SystemExit(f"the retention job ended before the measurement:\n{log}")
            await asyncio.sleep(0.2)
        print("  list, while the job deletes ...", file=sys.stderr)
        before = await deleted_so_far(watcher)
        during = run_wrk(
            "list+retention", servers.base, requests, server_pid=servers.mailslot.pid, **load
        )
        after = await deleted_so_far(watcher)
        still_running = job.poll() is None
        if args.to_end:
            output, _ = job.communicate()
            outcome = json.loads(output)
        else:  # interrupted as an operator would (Ctrl-C): its lease is released
            job.send_signal(signal.SIGINT)
            job.wait(timeout=120)
            deleted = await deleted_so_far(watcher)
            outcome = {"deleted": deleted, "batches": -(-deleted // args.batch_size)}
        elapsed = time.monotonic() - started
    finally:
        if job is not None and job.poll() is None:
            job.terminate()
        servers.stop()
        await watcher.dispose()
    ratio = during.p99_ms / baseline.p99_ms if baseline.p99_ms else float("inf")
    report = {
        "db": args.db,
        "expired": args.expired,
        "batch_size": args.batch_size,
        "pause": args.pause,
        "connections": args.connections,
        "duration": args.duration,
        "baseline": vars(baseline),
        "during_job": vars(during),
        "p99_ratio": ratio,
        "deleted_during_wrk": after - before,
        "job_ran_through_wrk": still_running,
        "job_deleted": outcome["deleted"],
        "job_batches": outcome["batches"],
        "job_seconds": elapsed,
        "job_rate_per_s": outcome["deleted"] / elapsed if elapsed else 0.0,
        "load_average": os.getloadavg(),
    }
    print(f"\nretention bench ({args.db}; machine load {os.getloadavg()[0]:.1f})")
    print(f"  {'':<22} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in (baseline, during):
        print(
            f"  {result.scenario:<22} {result.rps:8.0f} {result.p50_ms:8.2f} "
            f"{result.p99_ms:8.2f} {result.errors:7d}"
        )
    print(f"  p99 ratio (with job / without): {ratio:.2f}  (goal: <= 2)")
    print(
        f"  job: {outcome['deleted']} messages in {outcome['batches']} batches, "
        f"{elapsed:.0f} s ({report['job_rate_per_s']:.0f}/s); {after - before} deleted "
        f"while wrk ran{'' if still_running else ' (the job ended before wrk did)'}"
    )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"retention-{args.db}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"  written to {path}")


if __name__ == "__main__":
    main()
