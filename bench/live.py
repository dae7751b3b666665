"""Live delivery figures: latency across instances, and memory per idle connection.

Starts what an operator runs for several instances: a PostgreSQL database of its own, a
`redis-server` on a free port, and two `mailslot serve` instances over both. Then:

1. latency: `--clients` receivers keep a stream open on instance two (half SSE, half
   WebSocket); a sender posts `--messages` messages through instance one, each to a random
   receiver, and the time from the sender's 201 to the event on the receiver's client is
   recorded (one client process does both, so both instants are on one clock);
2. memory: `--idle` SSE connections (one user each) are opened on instance two and
   `--idle` WebSocket connections on instance one, and each server's resident memory is
   read from /proc before and after.

    .venv/bin/python -m bench.live [--clients 100] [--messages 500] [--idle 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import websockets
from tests.support.servers import MailslotServer, RedisServer

from mailslot.config import Settings
from mailslot.db.migrate import upgrade

RESULTS = Path(__file__).parent / "results"
POSTGRES_ADMIN = os.environ.get(
    "MAILSLOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench password 1"
SECRET = "bench-secret-key-0123456789abcdef"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def register(client: httpx.AsyncClient, count: int, prefix: str) -> list[tuple[str, str]]:
    """`count` users and a bearer token each, 16 at a time."""
    gate = asyncio.Semaphore(16)

    async def one(i: int) -> tuple[str, str]:
        name = f"{prefix}{i}"
        async with gate:
            created = await client.post(
                "/users",
                json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
            )
            created.raise_for_status()
            signed_in = await client.post(f"/users/{name}/token", json={"password": PASSWORD})
            signed_in.raise_for_status()
        return name, signed_in.json()["access_token"]

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def open_sse(port: int, name: str, token: str) -> tuple[asyncio.StreamReader, Any]:
    """A bare SSE connection, returned once the server has subscribed it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /users/{name}/events HTTP/1.1\r\nHost: bench\r\n"
        f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.decode(errors="replace"))
    size = int((await reader.readline()).strip(), 16)
    await reader.readexactly(size + 2)  # the opening `retry:` / `id:` frame, one chunk
    return reader, writer


async def sse_events(reader: asyncio.StreamReader, seen: dict[int, float]) -> None:
    """Read a chunked SSE body; note when each message.created arrives."""
    buffer = b""
    while True:
        size_line = await reader.readline()
        if not size_line:
            return
        size = int(size_line.strip() or b"0", 16)
        chunk = await reader.readexactly(size + 2)
        buffer += chunk[:-2]
        while b"\n\n" in buffer:
            frame, buffer = buffer.split(b"\n\n", 1)
            for line in frame.split(b"\n"):
                if line.startswith(b"data: "):
                    envelope = json.loads(line[6:])
                    seen.setdefault(envelope["data"]["id"], time.perf_counter())


async def ws_events(ws: Any, seen: dict[int, float]) -> None:
    async for text in ws:
        envelope = json.loads(text)
        seen.setdefault(envelope["data"]["id"], time.perf_counter())


async def latency(
    one: MailslotServer, two: MailslotServer, *, clients: int, messages: int
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=one.url, timeout=30) as http:
        [(sender, sender_token)] = await register(http, 1, f"s{uuid.uuid4().hex[:6]}")
        receivers = await register(http, clients, f"r{uuid.uuid4().hex[:6]}")
        seen: dict[int, float] = {}
        readers, closers = [], []
        for i, (name, token) in enumerate(receivers):
            if i % 2 == 0:
                reader, writer = await open_sse(two.port, name, token)
                readers.append(asyncio.create_task(sse_events(reader, seen)))
                closers.append(writer.close)
            else:
                ws = await websockets.connect(
                    two.url.replace("http", "ws") + f"/users/{name}/ws",
                    additional_headers={"Authorization": f"Bearer {token}"},
                )
                readers.append(asyncio.create_task(ws_events(ws, seen)))
                closers.append(lambda ws=ws: asyncio.ensure_future(ws.close()))
        answered: dict[int, float] = {}
        protocol: dict[int, str] = {}
        headers = {"Authorization": f"Bearer {sender_token}"}
        rng = random.Random(7)
        for n in range(messages):
            index = rng.randrange(clients)
            response = await http.post(
                f"/users/{sender}/messages",
                json={"receiver": receivers[index][0], "subject": f"m{n}", "message": "hello"},
                headers=headers,
            )
            now = time.perf_counter()
            response.raise_for_status()
            message_id = response.json()["id"]
            answered[message_id] = now
            protocol[message_id] = "sse" if index % 2 == 0 else "ws"
        deadline = time.monotonic() + 10
        while len(seen.keys() & answered.keys()) < len(answered) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for close in closers:
            close()
        for task in readers:
            task.cancel()
    delays = {i: (seen[i] - answered[i]) * 1000 for i in answered if i in seen}
    result: dict[str, Any] = {
        "clients": clients,
        "messages": messages,
        "delivered": len(delays),
        "event_before_201": sum(d < 0 for d in delays.values()),
    }
    for name, subset in (
        ("all", list(delays.values())),
        ("sse", [d for i, d in delays.items() if protocol[i] == "sse"]),
        ("ws", [d for i, d in delays.items() if protocol[i] == "ws"]),
    ):
        if subset:
            result[name] = {
                "p50_ms": round(statistics.median(subset), 2),
                "p90_ms": round(percentile(subset, 0.90), 2),
                "p99_ms": round(percentile(subset, 0.99), 2),
                "max_ms": round(max(subset), 2),
            }
    return result


async def idle_memory(one: MailslotServer, two: MailslotServer, *, idle: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=one.url, timeout=30) as http:
        users = await register(http, idle, f"i{uuid.uuid4().hex[:6]}")
    result: dict[str, Any] = {"connections": idle}
    assert two.process is not None
    assert one.process is not None

    await asyncio.sleep(1)
    before = rss_kib(two.process.pid)
    writers = []
    for start in range(0, idle, 50):
        opened = await asyncio.gather(
            *(open_sse(two.port, name, token) for name, token in users[start : start + 50])
        )
        writers += [writer for _, writer in opened]
    await asyncio.sleep(2)
    after = rss_kib(two.process.pid)
    result["sse_kib_per_connection"] = round((after - before) / idle, 1)
    result["sse_rss_mib"] = [round(before / 1024, 1), round(after / 1024, 1)]
    for writer in writers:
        writer.close()

    before = rss_kib(one.process.pid)
    sockets = []
    for start in range(0, idle, 50):
        sockets += await asyncio.gather(
            *(
                websockets.connect(
                    one.url.replace("http", "ws") + f"/users/{name}/ws",
                    additional_headers={"Authorization": f"Bearer {token}"},
                    ping_interval=None,
                )
                for name, token in users[start : start + 50]
            )
        )
    await asyncio.sleep(2)
    after = rss_kib(one.process.pid)
    result["ws_kib_per_connection"] = round((after - before) / idle, 1)
    result["ws_rss_mib"] = [round(before / 1024, 1), round(after / 1024, 1)]
    await asyncio.gather(*(ws.close() for ws in sockets))
    return result


async def main(args: argparse.Namespace) -> dict[str, Any]:
    name = f"mailslot_bench_live_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    database_url = (
        POSTGRES_ADMIN.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0]
        + f"/{name}"
    )
    root = Path(tempfile.mkdtemp(prefix="mailslot-bench-live-"))
    redis = RedisServer(root / "redis")
    servers: list[MailslotServer] = []
    try:
        await upgrade(Settings(database_url=database_url, secret_key=SECRET, data_dir=root))
        redis.start()
        env = {
            "MAILSLOT_DATABASE_URL": database_url,
            "MAILSLOT_REDIS_URL": redis.url,
            "MAILSLOT_SECRET_KEY": SECRET,
            "MAILSLOT_RATE_LIMITS": "off",
            # Not `warning`: MailslotServer.start waits for uvicorn's info line "running on".
            "MAILSLOT_LOG_LEVEL": "info",
        }
        servers = [
            MailslotServer(root / "one", env=env).start(),
            MailslotServer(root / "two", env=env).start(),
        ]
        one, two = servers
        # Memory first, on fresh servers: after the latency run, new connections would
        # reuse the heap its clients left behind and look nearly free.
        memory = await idle_memory(one, two, idle=args.idle)
        report = {
            "load_average_before": os.getloadavg(),
            "latency": await latency(one, two, clients=args.clients, messages=args.messages),
            "idle_memory": memory,
            "load_average_after": os.getloadavg(),
        }
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        admin = await asyncpg.connect(POSTGRES_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--idle", type=int, default=1000)
    report = asyncio.run(main(parser.parse_args()))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"live-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"written to {out}")
