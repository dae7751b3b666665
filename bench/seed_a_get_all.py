"""Requests/s of seed A's `GET //messages?...&request=get_all` against a real `mailslot serve`
on PostgreSQL with the default (OWASP) argon2 parameters, measured with wrk.

    .venv/bin/python bench/seed_a_get_all.py [--seconds 20] [--connections 16] [--messages 20]

Creates a private database on MAILSLOT_BENCH_POSTGRES_URL's server (default: the local
PostgreSQL, user postgres), two users with a started seed A session and `--messages`
messages between them, runs wrk on user1's get_all, prints wrk's report and drops the
database. The password check is what it measures: each request carries the password."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

SERVER = os.environ.get(
    "MAILSLOT_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(SERVER.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()

    name = f"mailslot_bench_{uuid.uuid4().hex[:10]}"
    url = SERVER.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    data = Path(tempfile.mkdtemp(prefix="mailslot-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")} | {
        "MAILSLOT_DATABASE_URL": url,
        "MAILSLOT_DATA_DIR": str(data),
        "MAILSLOT_PORT": str(port),
        "MAILSLOT_LOG_LEVEL": "warning",
        "MAILSLOT_RATE_LIMITS": "off",
    }
    server = None
    try:
        subprocess.run([sys.executable, "-m", "mailslot", "db", "upgrade"], env=env, check=True)
        server = subprocess.Popen([sys.executable, "-m", "mailslot", "serve"], env=env)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)
        users = [("user1", "password-one"), ("user2", "password-two")]
        with httpx.Client(base_url=base) as client:
            for username, password in users:
                query = f"username={username}&password={password}"
                assert client.post(f"{base}//signup?{query}").status_code == 201
                assert client.post(f"{base}//login?{query}").status_code == 200
            for i in range(args.messages):
                (sender, password), (receiver, _) = users[i % 2], users[(i + 1) % 2]
                written = client.post(
                    f"{base}//message?username={sender}&password={password}&request=write",
                    json={
                        "message": f"message body {i}",
                        "receiver": receiver,
                        "sender": sender,
                        "subject": f"message subject {i}",
                        "timestamp": "Fri, 09 Oct 2020 23:01:26 GMT",
                    },
                )
                assert written.status_code == 201, written.text
            target = f"{base}//messages?username=user1&password=password-one&request=get_all"
            listed = client.get(target)
            assert listed.status_code == 200
            assert len(listed.json()) == args.messages
        report = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--latency",
                target,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        print(report)
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
        if non_2xx:
            print(f"WARNING: {non_2xx.group(1)} answers were not 2xx", file=sys.stderr)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
