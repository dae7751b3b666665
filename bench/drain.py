"""The webhook worker's cost per delivered event, in process: repeatable on a busy machine.

Sends queue `--events` message.created events for one endpoint (nginx answering 204,
bench/receiver.py) with no worker running; then a worker drains them all, alone, and the
round's figures are this process's CPU and the database server's (every `postgres`
process, from /proc) per event delivered. The median of `--rounds` rounds is printed.

    python -m bench.drain [--db postgres|sqlite] [--events 2000] [--rounds 5]
        [--profile]   (one more round under cProfile: SORT=cumulative TOP=60 to change it)
        [--live]      (sends and deliveries at once, see below)
        [--posts]     (the POST alone, no database: an attempt's floor)

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
import base64
import cProfile
import json
import os
import pstats
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.harness import database_cpu, database_cpu_since, process_tree_cpu
from bench.inproc import bench_app
from bench.receiver import Receiver
from mailslot.config import Settings
from mailslot.state import app_state
from mailslot.webhooks import signing
from mailslot.webhooks.outbox import new_event_id
from mailslot.webhooks.worker import Worker

WORKER_LANES = Settings().webhook_connections  # connections to one endpoint, as the worker
# A message.created as the bench's sends make it (docs/webhooks.md, Events): the POST's size.
SAMPLE_EVENT = {
    "type": "message.created",
    "timestamp": "2026-12-08T00:00:00.000000Z",
    "data": {
        "user": {"username": "receiver7", "external_id": None, "display_name": "Receiver 7"},
        "seq": 1234,
        "message": {
            "id": 905100,
            "thread_id": 905100,
            "sender": "sender7",
            "receivers": ["receiver7"],
            "subject": "bench",
            "message": "a message body of moderate length",
            "created_at": "2026-12-08T00:00:00.000000Z",
            "client_timestamp": None,
            "read": False,
            "read_at": None,
            "reply_to_id": None,
            "context": None,
        },
    },
}
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


async def measure_posts(posts: int, rounds: int) -> list[tuple[float, float]]:
    """The floor of an attempt: a signed POST as the worker makes it (aiohttp, WORKER_LANES
    connections) to the receiver, with no database and no worker around it. This process's
    CPU and the receiver's (nginx) per POST, a pair a round."""
    found = []
    secret = "whsec_" + base64.b64encode(b"\x07" * 32).decode()
    body = json.dumps(SAMPLE_EVENT, separators=(",", ":")).encode()
    with tempfile.TemporaryDirectory() as root, Receiver(Path(root)) as receiver:
        connector = aiohttp.TCPConnector(limit=WORKER_LANES)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def lane(count: int) -> None:
                for _ in range(count):
                    event_id = new_event_id()
                    headers = signing.headers([secret], event_id, int(time.time()), body)
                    headers["content-type"] = "application/json"
                    async with http.post(receiver.url, data=body, headers=headers) as response:
                        await response.read()
                    if response.status != 204:
                        raise SystemExit(f"the receiver answered {response.status}")

            for index in range(rounds + 1):  # the first warms up
                cpu, nginx = time.process_time(), process_tree_cpu(receiver.pid)
                await asyncio.gather(*(lane(posts // WORKER_LANES) for _ in range(WORKER_LANES)))
                if index:
                    found.append(
                        (
                            (time.process_time() - cpu) * 1e6 / posts,
                            (process_tree_cpu(receiver.pid) - nginx) * 1e6 / posts,
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
    parser.add_argument("--posts", action="store_true", help="the POST alone, no database")
    args = parser.parse_args()
    if args.posts:
        posts = asyncio.run(measure_posts(args.events, args.rounds))
        print(f"a signed POST alone (aiohttp, {WORKER_LANES} connections), {args.events} a round")
        print(
            f"  median: this process {statistics.median(p[0] for p in posts):.0f} µs, "
            f"the receiver (nginx) {statistics.median(p[1] for p in posts):.0f} µs a POST"
        )
        return
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
