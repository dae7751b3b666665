"""The send with blocks (issue 22): what the block look-ups in the send's statement cost,
with N blocks per user against none, on PostgreSQL, the database alone.

In turns (none, blocks, none, blocks, ...) so that a machine's load drifts over both
alike, the very statement of POST /users/{name}/messages (messages/store/postgres.py
SEND), 32 sender/receiver pairs:
- the backend's CPU per send, prepared, over one connection (/proc/<pid>/schedstat);
- the shared buffers one send touches (EXPLAIN ANALYZE, BUFFERS): the same on a busy
  machine as on an idle one;
- with --pgbench, pgbench's sends per second and PostgreSQL's CPU per send (bench/alone.py).

Each of the 64 senders and receivers blocks N other users (never each other: every send
still delivers), so the table holds 64 N rows and each receiver's look-up is among N.

    python -m bench.blocks [--blocks 100] [--rounds 5] [--sends 300] [--plan] [--pgbench]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench import alone
from bench.harness import run_pgbench
from bench.seed import Seeder, User, scratch_database
from mailslot.config import Settings
from mailslot.db.migrate import upgrade
from mailslot.messages.store import postgres

PAIRS = 32


async def set_blocks(engine: AsyncEngine, url: str, users: list[User], others: list[User]) -> None:
    """Each of `users` blocks each of `others`, and nobody else; then VACUUM, so that
    each turn starts with the tables the sends bloat (every send updates its users'
    rows) as clean as the last one's."""
    async with engine.begin() as db:
        await db.execute(text("DELETE FROM user_block"))
        rows = [
            {"a": user[0], "b": other[0], "t": datetime.now(UTC)}
            for user in users
            for other in others
        ]
        if rows:
            await db.execute(
                text(
                    "INSERT INTO user_block (blocker_id, blocked_id, created_at) VALUES (:a, :b, :t)"
                ),
                rows,
            )
    connection = await _connect(url)
    try:
        await connection.execute("VACUUM ANALYZE user_account, user_block, message, delivery")
    finally:
        await connection.close()


def _hits(plan: dict[str, Any]) -> int:
    """Shared buffers hit or read by a plan node and every node below it."""
    return int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0))


_COMPILED = postgres.SEND.statement.compile(
    dialect=make_url("postgresql+asyncpg://").get_dialect()()
)


def _arguments(sender: User, receiver: User) -> list[Any]:
    """SEND's positional arguments: one message from `sender` to `receiver`."""
    values = {
        "receiver_keys": [receiver[1]],
        "sender_id": sender[0],
        "subject": "bench",
        "body": "a message body of moderate length",
        "created_at": datetime.now(UTC),
        "thread_id": None,
        "client_timestamp": None,
        "reply_to_id": None,
        "context_ref": None,
        "context_data": None,
        "context_signed": None,
        "log_sender": True,
    }
    return [values[name] for name in _COMPILED.positiontup or []]


async def _connect(url: str) -> asyncpg.Connection:
    database = make_url(url)
    return await asyncpg.connect(
        host=database.host,
        port=database.port or 5432,
        user=database.username,
        database=database.database,
    )


async def buffers_per_send(
    url: str, senders: list[User], receivers: list[User], *, plan: bool
) -> float:
    """The median shared buffers one SEND touches, from EXPLAIN (ANALYZE, BUFFERS); with
    `plan`, the last plan is printed."""
    connection = await _connect(url)
    try:
        found = []
        for i in range(2 * PAIRS):
            args = _arguments(senders[i % PAIRS], receivers[i % PAIRS])
            explained = await connection.fetchval(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + _COMPILED.string, *args
            )
            (top,) = json.loads(explained)
            found.append(_hits(top["Plan"]))  # a node's figures include those below it
        if plan:
            rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + _COMPILED.string, *args)
            print("\n".join(row[0] for row in rows))
        return statistics.median(found)
    finally:
        await connection.close()


async def backend_us_per_send(
    url: str, senders: list[User], receivers: list[User], sends: int
) -> float:
    """The backend's CPU per SEND, prepared, over one connection (as the service runs it),
    read from /proc/<backend>/schedstat: time on a CPU, so a busy machine moves it less
    than wall time."""
    connection = await _connect(url)
    try:
        pid = await connection.fetchval("SELECT pg_backend_pid()")
        statement = await connection.prepare(_COMPILED.string)
        schedstat = Path(f"/proc/{pid}/schedstat")
        for i in range(20):  # past the custom plans, to the generic one
            await statement.fetch(*_arguments(senders[i % PAIRS], receivers[i % PAIRS]))
        before = int(schedstat.read_text().split()[0])
        for i in range(sends):
            await statement.fetch(*_arguments(senders[i % PAIRS], receivers[i % PAIRS]))
        return (int(schedstat.read_text().split()[0]) - before) / sends / 1000
    finally:
        await connection.close()


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="mailslot-blocks-"))
    try:
        async with scratch_database("postgres", workdir) as url:
            await upgrade(Settings(data_dir=workdir, database_url=url))
            engine = create_async_engine(url)
            seeder = Seeder(engine, "postgresql", "unused")
            senders = await seeder.users("sender", PAIRS)
            receivers = await seeder.users("receiver", PAIRS)
            others = await seeder.users("other", args.blocks)
            script = alone.send_script("sender", "receiver", PAIRS)
            cases = ["none", f"{args.blocks} blocks"]
            figures: dict[str, dict[str, list[float]]] = {
                case: {"backend_us": [], "buffers": [], "rps": [], "database_cpu_ms": []}
                for case in cases
            }
            for turn in range(args.rounds):
                for case in cases:
                    blocked = others if case != "none" else []
                    await set_blocks(engine, url, senders + receivers, blocked)
                    found = figures[case]
                    found["backend_us"].append(
                        await backend_us_per_send(url, senders, receivers, args.sends)
                    )
                    found["buffers"].append(
                        await buffers_per_send(
                            url, senders, receivers, plan=args.plan and turn == 0
                        )
                    )
                    if args.pgbench:
                        result = run_pgbench(
                            case,
                            url,
                            script,
                            connections=args.clients,
                            duration=args.duration,
                            warmup=2,
                        )
                        found["rps"].append(result.rps)
                        found["database_cpu_ms"].append(result.database_cpu_ms)
            await engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--blocks", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sends", type=int, default=300, help="per turn, for the backend CPU")
    parser.add_argument("--plan", action="store_true", help="print SEND's plan in each case")
    parser.add_argument("--pgbench", action="store_true", help="also pgbench each turn")
    parser.add_argument("--duration", type=int, default=10, help="seconds of a pgbench turn")
    parser.add_argument("--clients", type=int, default=8, help="pgbench's clients")
    args = parser.parse_args()
    figures = asyncio.run(measure(args))
    print(f"SEND, database alone, {args.rounds} turns each, interleaved (medians)")
    header = f"  {'case':<12} {'backend µs/send':>16} {'buffers/send':>13}"
    if args.pgbench:
        header += f" {'pgbench sends/s':>16} {'db CPU ms/send':>15}"
    print(header)
    for case, found in figures.items():
        line = (
            f"  {case:<12} {statistics.median(found['backend_us']):>16.0f}"
            f" {statistics.median(found['buffers']):>13.0f}"
        )
        if args.pgbench:
            line += (
                f" {statistics.median(found['rps']):>16.0f}"
                f" {statistics.median(found['database_cpu_ms']):>15.3f}"
            )
        print(line)
        print(f"    backend µs, each turn: {', '.join(f'{v:.0f}' for v in found['backend_us'])}")


if __name__ == "__main__":
    main()
