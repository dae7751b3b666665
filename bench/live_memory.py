"""Where the memory of an idle stream goes: tracemalloc in a server run in-process.

Runs uvicorn in this process with `mailslot serve`'s options (SQLite, in-process broker),
has a client subprocess open `--count` idle streams of one kind (after as many to warm
up), and prints the allocations still alive that the second batch added, per connection,
by the source line that made them; and the growth of resident memory, which also holds
what tracemalloc does not see (uvloop's and libuv's own allocations, allocator slack).

    .venv/bin/python -m bench.live_memory --kind sse|ws [--count 500] [--top 25]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import websockets
from tests.support.servers import CHEAP_HASHING, free_port

from bench.live import open_sse, register, rss_kib
from mailslot.cli import uvicorn_options
from mailslot.config import Settings
from mailslot.db.migrate import upgrade


async def client(port: int, kind: str, count: int) -> None:
    """Open `count` streams each time a line arrives on stdin; answer `ok`."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        users = []
        for i in range(0, 2 * count, 4):  # four at a time: SQLite has one writer
            users += await register(http, 4, f"m{i}_")
    held: list[Any] = []
    for batch in (users[:count], users[count:]):
        await asyncio.to_thread(sys.stdin.readline)
        for start in range(0, count, 50):
            group = batch[start : start + 50]
            if kind == "sse":
                held += await asyncio.gather(*(open_sse(port, n, t) for n, t in group))
            else:
                held += await asyncio.gather(
                    *(
                        websockets.connect(
                            f"ws://127.0.0.1:{port}/users/{n}/ws",
                            additional_headers={"Authorization": f"Bearer {t}"},
                            ping_interval=None,
                        )
                        for n, t in group
                    )
                )
        print("ok", flush=True)
    await asyncio.to_thread(sys.stdin.readline)


def short(filename: str) -> str:
    return filename.split("site-packages/")[-1].split("/src/")[-1].split("/python3.11/")[-1]


def measure(server: uvicorn.Server, args: argparse.Namespace, port: int) -> None:
    try:
        while not server.started:
            threading.Event().wait(0.1)
        opener = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.live_memory",
                "--client",
                str(port),
                "--kind",
                args.kind,
                "--count",
                str(args.count),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert opener.stdin is not None
        assert opener.stdout is not None
        snapshots, rss = [], []
        for _ in range(2):
            opener.stdin.write("go\n")
            opener.stdin.flush()
            if opener.stdout.readline().strip() != "ok":
                raise SystemExit("the client failed")
            threading.Event().wait(2)  # let the streams settle into their idle wait
            rss.append(rss_kib(os.getpid()))
            if args.trace:
                snapshots.append(tracemalloc.take_snapshot())
        opener.stdin.write("done\n")
        opener.stdin.flush()
        opener.wait()
        n = args.count
        print(f"{args.kind}: {n} idle streams over {n} warm ones")
        print(f"resident memory: {(rss[1] - rss[0]) / n:.1f} KiB per connection")
        if not args.trace:
            return
        stats = snapshots[1].compare_to(snapshots[0], "traceback")
        total = sum(s.size_diff for s in stats)
        print(f"traced by tracemalloc: {total / n / 1024:.1f} KiB per connection, by line:")
        for stat in stats[: args.top]:
            where = " < ".join(
                f"{short(frame.filename)}:{frame.lineno}"
                for frame in reversed(stat.traceback[-args.frames :])
            )
            print(f"  {stat.size_diff / n:6.0f} B {stat.count_diff / n:5.1f}x  {where}")
    finally:
        server.should_exit = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=["sse", "ws"], default="sse")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--frames", type=int, default=1, help="callers shown per line")
    parser.add_argument("--no-trace", dest="trace", action="store_false", help="RSS only")
    parser.add_argument("--client", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        asyncio.run(client(args.client, args.kind, args.count))
        return
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="mailslot-live-memory-"))
    os.environ.update(
        {
            "MAILSLOT_DATA_DIR": str(data),
            "MAILSLOT_SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "MAILSLOT_RATE_LIMITS": "off",
            "MAILSLOT_LOG_LEVEL": "warning",
            **CHEAP_HASHING,
        }
    )
    settings = Settings(port=port)
    asyncio.run(upgrade(settings))
    if args.trace:
        tracemalloc.start(args.frames)
    server = uvicorn.Server(uvicorn.Config("mailslot.app:asgi", **uvicorn_options(settings)))
    threading.Thread(target=measure, args=(server, args, port), daemon=True).start()
    server.run()


if __name__ == "__main__":
    main()
