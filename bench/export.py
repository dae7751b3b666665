"""The cost of exporting a mailbox: time and peak memory of the export of 10^4 and 10^5
messages, on SQLite and on PostgreSQL.

    .venv/bin/python bench/export.py --db all --messages 10000,100000

Seeds the mailbox directly in SQL (bench/search.py's corpus: 20 to 50 words a message),
then runs `mailslot user export`'s code (exports.admin.export_mailbox: the export job's
steps, then the archive read back from the database, its bytes counted and dropped) in a child process
of its own, so that its peak resident memory (ru_maxrss) is the export's and not the
seeding's. Reported: seconds to build, seconds to write the archive out, the archive's
size, the child's resident memory once everything is imported (before the export) and
its peak; with `--trace`, also the peak of what Python allocated during the export
(tracemalloc: slower, so a run of its own); with `--sends`, the time of a send to the
same mailbox every 50 ms in the same process, for a second before and during the export.
Memory flat in the mailbox's size means neither peak grows with it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import Corpus, database, seed
from mailslot.config import Settings


def rss_mib() -> float:
    """The process's resident memory now (VmRSS), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def send_loop(
    sessions: Any, sender: Any, latencies: list[float], stop: asyncio.Event
) -> None:
    """A send to `me` every 50 ms, as a request would make it, each one's time kept."""
    from mailslot.messages import service

    while not stop.is_set():
        started = time.perf_counter()
        async with sessions() as db:
            await service.send_message(db, sender=sender, receivers=["me"], subject="s", text="t")
            await db.commit()
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)] * 1000 if ordered else 0.0


async def export_once(url: str, data_dir: str, trace: bool, sends: bool) -> dict[str, float]:
    """In the child: export `me`'s mailbox (its bytes counted and dropped); with `sends`,
    sends to `me` every 50 ms in the same process, for a second before and during the
    export. The figures as JSON."""
    from mailslot.accounts.service import Account
    from mailslot.db.base import utcnow
    from mailslot.db.engine import make_engine, make_session_factory
    from mailslot.exports.admin import export_mailbox

    settings = Settings(data_dir=Path(data_dir), database_url=url)
    engine = make_engine(settings)
    sessions = make_session_factory(engine)
    async with engine.connect() as db:
        from sqlalchemy import text

        me = (
            await db.execute(text("SELECT id FROM user_account WHERE username = 'me'"))
        ).scalar_one()
        sender_id = (
            await db.execute(text("SELECT id FROM user_account WHERE username = 'sender0'"))
        ).scalar_one()
    latencies: list[float] = []
    stop = asyncio.Event()
    if sends:
        sender = Account(sender_id, "sender0", None, utcnow())
        sending = asyncio.create_task(send_loop(sessions, sender, latencies, stop))
        await asyncio.sleep(1)
    alone = list(latencies)
    latencies.clear()
    before = rss_mib()
    written = 0
    first_write: float | None = None

    def write(data: bytes) -> None:
        nonlocal written, first_write
        if first_write is None:
            first_write = time.perf_counter()
        written += len(data)  # the bytes are dropped: the write itself is not measured

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    await export_mailbox(engine, sessions, user_id=me, write=write, progress=lambda _: None)
    ended = time.perf_counter()
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if sends:
        stop.set()
        await sending
    await engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "build_s": (first_write or ended) - started,
        "write_s": ended - (first_write or ended),
        "archive_mib": written / 2**20,
        "rss_before_mib": before,
        "rss_peak_mib": peak,
        **({"traced_peak_mib": traced} if traced is not None else {}),
        **(
            {
                "send_p50_ms_before": _p(alone, 0.5),
                "send_p50_ms": _p(latencies, 0.5),
                "send_p99_ms": _p(latencies, 0.99),
                "send_max_ms": max(latencies) * 1000 if latencies else 0.0,
            }
            if sends
            else {}
        ),
    }


async def run(dialect: str, counts: list[int], trace: bool, sends: bool) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for count in counts:
        async with database(dialect, keep=False) as settings:
            started = time.perf_counter()
            await seed(settings, count, Corpus.make(random.Random(1)))
            seeded = time.perf_counter() - started
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    settings.resolved_database_url,
                    str(settings.data_dir),
                    *(["--trace"] if trace else []),
                    *(["--sends"] if sends else []),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            rows.append({"db": dialect, "messages": count, "seed_s": seeded, **figures})
            print(_line(rows[-1]), flush=True)
    return rows


def _line(row: dict[str, object]) -> str:
    return (
        f"{row['db']:<9} {row['messages']:>8} msgs  build {row['build_s']:7.1f} s  "
        f"write {row['write_s']:5.1f} s  archive {row['archive_mib']:6.1f} MiB  "
        f"rss before {row['rss_before_mib']:5.0f} MiB  peak {row['rss_peak_mib']:5.0f} MiB"
        + (f"  traced peak {row['traced_peak_mib']:5.1f} MiB" if "traced_peak_mib" in row else "")
        + (
            f"  sends p50 {row['send_p50_ms_before']:.0f} ms before, during: p50 "
            f"{row['send_p50_ms']:.0f} p99 {row['send_p99_ms']:.0f} max {row['send_max_ms']:.0f} ms"
            if "send_p50_ms" in row
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--messages", default="10000,100000", help="mailbox sizes, comma-separated")
    parser.add_argument("--trace", action="store_true", help="also Python's own peak (slower)")
    parser.add_argument(
        "--sends", action="store_true", help="send to the mailbox every 50 ms meanwhile"
    )
    parser.add_argument("--child", nargs=2, metavar=("URL", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, data_dir = args.child
        print(json.dumps(asyncio.run(export_once(url, data_dir, args.trace, args.sends))))
        return
    dialects = ["sqlite", "postgres"] if args.db == "all" else [args.db]
    counts = [int(n) for n in args.messages.split(",")]
    for dialect in dialects:
        asyncio.run(run(dialect, counts, args.trace, args.sends))


if __name__ == "__main__":
    main()
