"""`make bench`: mailslot under load, as production runs it, against a bare endpoint.

Starts `mailslot serve --workers 2` (on SQLite one process, as `make run` serves it; access
log on, OWASP password hashing, request budgets lifted) and a bare FastAPI endpoint on the
same server stack, seeds data directly in SQL, drives each scenario with wrk, prints one
table and writes a JSON file to bench/results/. The parts: harness.py (servers, wrk,
pgbench, CPU readings), seed.py (the data), scenarios.py (what is measured), report.py.

    python -m bench.run [--db postgres|sqlite] [--duration 10] [--connections 32] [--only list,send]
                        [--server-env MAILSLOT_LOG_FORMAT=text ...]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from tests.support.servers import RedisServer

from bench import live, policy, report, scenarios, webhooks
from bench.harness import Servers, server_env
from bench.seed import scratch_database, seed
from mailslot.config import Settings
from mailslot.db.migrate import upgrade


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
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a MAILSLOT_ setting for the servers, e.g. MAILSLOT_METRICS=false (repeatable)",
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
    try:
        async with scratch_database(args.db, workdir) as url:
            await measure(args, url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def measure(args: argparse.Namespace, url: str, workdir: Path) -> None:
    settings = Settings(data_dir=workdir, database_url=url)
    # As each is run: PostgreSQL instances with two workers; SQLite as `make run` serves it,
    # one process (several processes share SQLite's one write lock through its busy handler).
    workers = args.workers or (1 if args.db == "sqlite" else 2)
    env = server_env(url, workdir)
    for setting in args.server_env:
        name, _, value = setting.partition("=")
        env[name] = value
    # Instances over PostgreSQL run with Redis in production (live delivery, shared
    # budgets, the token cache's notes): a redis-server of the bench's own.
    redis = None if args.db == "sqlite" or args.no_redis else RedisServer(workdir / "redis")
    servers = Servers(env, workdir / "server.log", workers=workers)
    try:
        await upgrade(settings)
        print(f"seeding ({args.db}) ...", file=sys.stderr)
        seeded = await seed(settings, url, scaling=not args.no_scaling)
        if redis is not None:
            env["MAILSLOT_REDIS_URL"] = redis.start().url
        servers.start()
        scenarios.seed_a_login(servers.base, seeded)
        requests_of = scenarios.scenarios(seeded)
        database_alone = scenarios.database_alone(args.db, seeded)
        if args.db == "postgres" and not database_alone:
            print("  (no pgbench: the database-alone rows are skipped)", file=sys.stderr)
        wanted = [s for s in args.only.split(",") if s]
        load = {"connections": args.connections, "duration": args.duration}
        results = scenarios.run(
            requests_of,
            wanted,
            base=servers.base,
            bare=servers.bare_base,
            pids=(servers.mailslot.pid, servers.bare.pid),
            warmup=args.warmup,
            profile=args.profile,
            **load,
        )
        if not wanted or "send-policy" in wanted:
            print("  send-policy ...", file=sys.stderr)
            results.append(
                policy.measure(
                    servers.base,
                    seeded.server_key,
                    requests_of["send"],
                    server_pid=servers.mailslot.pid,
                    warmup=args.warmup,
                    **load,
                )
            )
        # Last of the sends: from here on an endpoint is subscribed to every event.
        webhooks_report = None
        if not wanted or "send-webhooked" in wanted:
            print("  send-webhooked ...", file=sys.stderr)
            webhooked, webhooks_report = await webhooks.measure(
                servers.base,
                seeded.server_key,
                requests_of["send"],
                database_url=url,
                server_pid=servers.mailslot.pid,
                warmup=args.warmup,
                profile=args.profile,
                **load,
            )
            results.append(webhooked)
            # The same with nothing delivered: what writing the events alone costs.
            print(f"  {webhooks.OUTBOX_ALONE} ...", file=sys.stderr)
            servers.restart_mailslot(MAILSLOT_WEBHOOK_WORKER="false")
            results.extend(
                webhooks.measure_outbox_alone(
                    servers.base,
                    seeded.server_key,
                    requests_of["send"],
                    server_pid=servers.mailslot.pid,
                    warmup=args.warmup,
                    database_url=url,
                    database_alone=database_alone.pop(webhooks.OUTBOX_ALONE, None),
                    **load,
                )
            )
            servers.restart_mailslot()
        if not wanted or "sign-in" in wanted:
            results.append(
                scenarios.sign_in_storm(
                    servers.base,
                    requests_of,
                    server_pid=servers.mailslot.pid,
                    duration=args.duration,
                )
            )
        scenarios.add_database_alone(results, database_alone, url, warmup=args.warmup, **load)
        bare_rps = scenarios.relate_to_bare(results)
        scale = scenarios.scaling(servers.base, seeded.scale_users) if seeded.scale_users else {}
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

        report.print_table(results, db=args.db, workers=workers, bare_rps=bare_rps, **load)
        if scale:
            report.print_scaling(scale)
        if live_report:
            report.print_live(live_report)
        if webhooks_report:
            report.print_webhooks(webhooks_report, results)
        out = report.write_json(results, db=args.db, scale=scale, live=live_report, **load)
        print(f"\nwritten to {out}")
        report.print_log_errors(workdir / "server.log")
    finally:
        servers.stop()
        if redis is not None:
            redis.stop()


if __name__ == "__main__":
    main()
