"""The webhook worker's cost per delivered event, in process: repeatable on a busy machine.

Sends queue `--events` message.created events for one endpoint (nginx answering 204,
bench/receiver.py) with no worker running; then a worker drains them all, alone, and the
round's figures are this process's CPU and the database server's (every `postgres`
process, from /proc) per event delivered. The median of `--rounds` rounds is printed.

    python -m bench.drain [--db postgres|sqlite] [--events 2000] [--rounds 5]
        [--profile]   (one more round under cProfile: SORT=cumulative TOP=60 to change it)
        [--live]      (sends and deliveries at once, see below)

Under the HTTP bench's load (bench/webhooks.py) the same work costs more: claims find
what one commit's wake-up brought, not a backlog. This is its floor, and the place to
see where a change moves it.

`--live` measures the other end: the app's own worker (a thread, as `mailslot serve`
runs it) delivers while sends come one at a time, each round's CPU read from its first
send until its last event arrived. Rounds with the endpoint enabled and disabled
alternate; what an event costs is the difference of their medians per send."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.harness import database_cpu, database_cpu_since
from bench.inproc import bench_app
from bench.receiver import Receiver
from mailslot.config import Settings
from mailslot.state import app_state
from mailslot.webhooks.worker import Worker

POLL_SECONDS = 0.01  # how often the arrivals' log is looked at (its new bytes only)
DRAIN_LIMIT = 120.0  # seconds a round may take before the bench gives up


@dataclass(frozen=True)
class Round:
    events: int
    seconds: float
    cpu_us: float  # this process's, per event
    system_us: float  # of which in the kernel (sockets, mostly)
    database_us: float  # every postgres process's, per event (0 on SQLite)


class Arrivals:
    """Counts the receiver's log lines as they come, reading only the bytes not yet read."""

    def __init__(self, log: Path) -> None:
        self._log = log
        self._offset = log.stat().st_size if log.exists() else 0
        self.count = 0

    def poll(self) -> int:
        if self._log.exists():
            with self._log.open("rb") as file:
                file.seek(self._offset)
                new = file.read()
            self._offset += len(new)
            self.count += new.count(b"\n")
        return self.count


async def drain_round(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], events: int, log: Path
) -> Round:
    """Run a worker until `events` arrived; what it cost."""
    arrivals = Arrivals(log)
    worker = Worker(settings, sessions)
    cpu, database, started = (
        resource.getrusage(resource.RUSAGE_SELF),
        database_cpu(),
        time.monotonic(),
    )
    task = asyncio.get_running_loop().create_task(worker.run_own_pool())
    try:
        while arrivals.poll() < events:
            if time.monotonic() - started > DRAIN_LIMIT:
                raise SystemExit(f"only {arrivals.count} of {events} events arrived")
            await asyncio.sleep(POLL_SECONDS)
        # Read before the worker stops: its pool's server processes end with it.
        spent = resource.getrusage(resource.RUSAGE_SELF)
        user, system = spent.ru_utime - cpu.ru_utime, spent.ru_stime - cpu.ru_stime
        found = Round(
            events,
            time.monotonic() - started,
            (user + system) * 1e6 / events,
            system * 1e6 / events,
            database_cpu_since(database) * 1e6 / events,
        )
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return found


async def measure(db: str, events: int, rounds: int, profile: bool) -> list[Round]:
    found = []
    with tempfile.TemporaryDirectory() as root, Receiver(Path(root)) as receiver:
        async with bench_app(
            db, webhook_worker=False, overrides={"webhook_allow_private": True}
        ) as bench:
            made = await bench.client.post(
                "/server/webhooks",
                json={"url": receiver.url, "event_types": ["*"]},
                headers=bench.server_key,
            )
            assert made.status_code == 201, made.text
            state = app_state(bench.app)
            send = bench.scenarios["send"]
            for index in range(rounds + profile):
                await bench.run(send, events)
                log = Path(root) / "arrivals.log"
                if index < rounds:
                    found.append(await drain_round(state.settings, state.sessions, events, log))
                    continue
                profiler = cProfile.Profile(time.process_time)  # CPU, not a busy wall clock
                profiler.enable()
                await drain_round(state.settings, state.sessions, events, log)
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats(os.environ.get("SORT", "tottime"))
                stats.print_stats(int(os.environ.get("TOP", "40")))
    return found


async def measure_live(db: str, sends: int, rounds: int) -> dict[bool, list[tuple[float, float]]]:
    """CPU per send (this process's, the database's), by whether the endpoint is enabled."""
    found: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as root, Receiver(Path(root)) as receiver:
        async with bench_app(db, overrides={"webhook_allow_private": True}) as bench:
            made = await bench.client.post(
                "/server/webhooks",
                json={"url": receiver.url, "event_types": ["*"]},
                headers=bench.server_key,
            )
            assert made.status_code == 201, made.text
            endpoint = f"/server/webhooks/{made.json()['id']}"
            send = bench.scenarios["send"]
            log = Path(root) / "arrivals.log"
            for index in range(rounds + 1):  # the first warms up
                for enabled in (True, False) if index % 2 else (False, True):
                    switched = await bench.client.patch(
                        endpoint, json={"enabled": enabled}, headers=bench.server_key
                    )
                    assert switched.status_code == 200, switched.text
                    await asyncio.sleep(0.2)  # the last round's stragglers
                    arrivals = Arrivals(log)
                    cpu, database = time.process_time(), database_cpu()
                    await bench.run(send, sends)
                    started = time.monotonic()
                    while enabled and arrivals.poll() < sends:
                        if time.monotonic() - started > DRAIN_LIMIT:
                            raise SystemExit(f"only {arrivals.count} of {sends} events arrived")
                        await asyncio.sleep(POLL_SECONDS)
                    if index:
                        found[enabled].append(
                            (
                                (time.process_time() - cpu) * 1e6 / sends,
                                database_cpu_since(database) * 1e6 / sends,
                            )
                        )
    return found


def print_live(found: dict[bool, list[tuple[float, float]]], args: argparse.Namespace) -> None:
    def median(enabled: bool, part: int) -> float:
        return statistics.median(values[part] for values in found[enabled])

    print(f"webhooks delivered while sending, in process, {args.db}, {args.events} sends a round")
    for part, name in ((0, "this process"), (1, "database")):
        without, with_ = median(False, part), median(True, part)
        if not without:  # SQLite: no server
            continue
        print(
            f"  {name}: {without:.0f} µs a send without the endpoint, {with_:.0f} with "
            f"({with_ / without:.2f}x): {with_ - without:+.0f} µs an event"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--events", type=int, default=2000, help="queued, then drained, a round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="and one round under cProfile")
    parser.add_argument("--live", action="store_true", help="deliveries while sends come")
    args = parser.parse_args()
    if args.live:
        print_live(asyncio.run(measure_live(args.db, args.events, args.rounds)), args)
        return
    found = asyncio.run(measure(args.db, args.events, args.rounds, args.profile))
    if not found:
        return
    print(f"webhook drain, in process, {args.db}, {args.events} events a round")
    print(f"  {'round':>5} {'events/s':>9} {'worker µs':>10} {'in kernel':>10} {'database µs':>12}")
    for index, one in enumerate(found, 1):
        print(
            f"  {index:>5} {one.events / one.seconds:9.0f} {one.cpu_us:10.0f} "
            f"{one.system_us:10.0f} {one.database_us:12.0f}"
        )
    print(
        f"  median: worker {statistics.median(r.cpu_us for r in found):.0f} µs "
        f"({statistics.median(r.system_us for r in found):.0f} in the kernel), "
        f"database {statistics.median(r.database_us for r in found):.0f} µs CPU an event"
    )


if __name__ == "__main__":
    main()
