"""Slow clients (slowloris) against a real `mailslot serve`.

Opens N connections that each trickle one header line every 2 s, and meanwhile sends
legitimate requests (a send and an inbox read, alternating) at a fixed rate. Reports the
legitimate requests' statuses and latency (p50, p99), and how many slow connections the
server had closed after 15 s (target: >= 95 %; legitimate p99 under 200 ms, all 2xx).
`--stock` runs plain uvicorn instead (no request deadlines), for comparison.

    .venv/bin/python -m bench.slow_clients [--slow 500] [--seconds 20] [--stock]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from tests.support.servers import CHEAP_HASHING, MailslotServer, free_port


async def slowloris(port: int, closed: list[float], started: float, stop: asyncio.Event) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        closed.append(-1)
        return
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: mailslot\r\n")
        await writer.drain()
        line = 0
        while not stop.is_set():
            try:
                # The server's 408 (or its close) ends this connection's request.
                await asyncio.wait_for(reader.read(1024), timeout=2)
                closed.append(time.monotonic() - started)
                return
            except TimeoutError:
                pass
            writer.write(b"X-Slow-%d: 1\r\n" % line)
            line += 1
            try:
                await writer.drain()
            except (ConnectionError, OSError):
                closed.append(time.monotonic() - started)
                return
    finally:
        writer.close()


async def legitimate(base: str, seconds: float, rate: float) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    statuses: list[int] = []
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        users = []
        for name in (f"alice{os.getpid()}", f"bob{os.getpid()}"):
            await client.post(
                "/users",
                json={"username": name, "email": f"{name}@example.com", "password": "password-1"},
            )
            token = await client.post(f"/users/{name}/token", json={"password": "password-1"})
            users.append((name, {"Authorization": f"Bearer {token.json()['access_token']}"}))
        (alice, alice_auth), (bob, bob_auth) = users
        end = time.monotonic() + seconds
        i = 0
        while time.monotonic() < end:
            started = time.perf_counter()
            if i % 2:
                response = await client.post(
                    f"/users/{alice}/messages",
                    json={"receiver": bob, "subject": "s", "message": f"m{i}"},
                    headers=alice_auth,
                )
            else:
                response = await client.get(f"/users/{bob}/messages", headers=bob_auth)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(response.status_code)
            i += 1
            await asyncio.sleep(max(0, 1 / rate - (time.perf_counter() - started)))
    return latencies, statuses


def start_stock(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        **CHEAP_HASHING,
        "MAILSLOT_DATA_DIR": str(data),
        "MAILSLOT_RATE_LIMITS": "off",
        "MAILSLOT_SECRET_KEY": "bench-secret-key-0123456789abcdef",
    }
    subprocess.run([sys.executable, "-m", "mailslot", "db", "upgrade"], env=env, check=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "mailslot.app:asgi",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return process, base


async def main(slow: int, seconds: float, stock: bool, rate: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        server: MailslotServer | None = None
        if stock:
            process, base = start_stock(data)
            port = int(base.rsplit(":", 1)[1])
        else:
            server = MailslotServer(data, env={"MAILSLOT_RATE_LIMITS": "off"}).start()
            base, port = server.url, server.port
        try:
            closed: list[float] = []
            stop = asyncio.Event()
            started = time.monotonic()
            tasks = [
                asyncio.create_task(slowloris(port, closed, started, stop)) for _ in range(slow)
            ]
            await asyncio.sleep(1)  # all slow connections open before measuring
            latencies, statuses = await legitimate(base, seconds, rate)
            closed_at_15 = sum(1 for t in closed if 0 <= t <= 15)
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            if server:
                server.stop()
            else:
                process.terminate()
                process.wait()
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    ok = sum(1 for s in statuses if 200 <= s < 300)
    print(f"server: {'stock uvicorn' if stock else 'mailslot serve (10 s head deadline)'}")
    print(
        f"slow connections: {slow}, closed by the server within 15 s: {closed_at_15} "
        f"({100 * closed_at_15 / max(slow, 1):.0f} %)"
    )
    print(f"legitimate requests: {len(statuses)}, 2xx: {ok}, other: {sorted(set(statuses))}")
    print(
        f"latency ms: p50 {statistics.median(latencies):.1f}, p99 {p99:.1f}, "
        f"max {latencies[-1]:.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slow", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=20, help="legitimate requests a second")
    parser.add_argument("--stock", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.slow, args.seconds, args.stock, args.rate))
