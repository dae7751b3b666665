"""Real `mailslot serve` processes for process, browser, fault and multi-instance tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType

import anyio
import httpx

CHEAP_HASHING = {
    "MAILSLOT_PASSWORD_HASH_MEMORY_KIB": "64",
    "MAILSLOT_PASSWORD_HASH_ITERATIONS": "1",
}
# As in the in-process test settings: request budgets lifted (every test client shares one
# address and sends in bursts); the failed sign-in throttle stays. A test of the budgets
# sets MAILSLOT_RATE_LIMITS=on itself.
TEST_BUDGETS = {"MAILSLOT_RATE_LIMITS": "off"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def terminate(process: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
    """SIGTERM a helper process (nginx, pgbouncer), SIGKILL it if it is still there after
    `timeout` seconds, and reap it."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class MailslotServer:
    """One `python -m mailslot serve` (or `command` serve) on a free port; its output goes
    to `log_path`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
        command: tuple[str, ...] = (sys.executable, "-m", "mailslot"),
    ) -> None:
        self.data_dir = data_dir
        self.command = command
        self.port = port or free_port()
        self.log_path = data_dir / f"server-{self.port}.log"
        self.env = {
            "MAILSLOT_DATA_DIR": str(data_dir),
            "MAILSLOT_PORT": str(self.port),
            "MAILSLOT_SECRET_KEY": "process-test-secret-key-0123456789",
            **CHEAP_HASHING,
            **TEST_BUDGETS,
            **(env or {}),
        }
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> MailslotServer:
        # Generous: on a machine busy with other suites two workers took 26 s to import.
        # A server that cannot start says so at once (it exits early).
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")} | self.env
        log_start = len(self.log())
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*self.command, "serve", *self.args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # Ready means *this* process bound the port: on a shared machine another server
        # may grab a free port first, and its /readyz would answer for ours.
        bound = f"Uvicorn running on http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"mailslot exited early:\n{self.log()}")
            if bound in self.log()[log_start:]:
                try:
                    if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"mailslot did not become ready:\n{self.log()}")

    async def start_in_thread(self) -> MailslotServer:
        return await anyio.to_thread.run_sync(self.start)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def create_key(self, *scopes: str) -> str:
        """A server key made with `mailslot keys create` on this server's database, as an
        operator makes one."""
        args = [arg for scope in scopes for arg in ("--scope", scope)]
        name = f"key-{uuid.uuid4().hex[:12]}"
        done = subprocess.run(
            [sys.executable, "-m", "mailslot", "keys", "create", "--name", name, *args],
            env={k: v for k, v in os.environ.items() if not k.startswith("MAILSLOT_")} | self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def worker_serving(self, client_port: int) -> int | None:
        """The pid of the worker process holding the connection from `client_port` (Linux
        /proc), to tell which worker of `--workers N` a client landed on."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        inodes = {}
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if local_port == self.port and remote_port == client_port:
                    inodes[fields[9]] = remote_port
        for pid in children.read_text().split():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(pid)
        return None

    def __enter__(self) -> MailslotServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


class RedisServer:
    """A `redis-server` of the test's own on a free port, so that the test can stop it."""

    def __init__(self, data_dir: Path, *, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> RedisServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@asynccontextmanager
async def postgres_instances(
    root: Path, *envs: dict[str, str]
) -> AsyncIterator[tuple[list[MailslotServer], RedisServer]]:
    """One `mailslot serve` per `envs` (its extra settings) over a private PostgreSQL
    database, migrated once as `mailslot db upgrade` would, and a Redis of the caller's
    own (so that a test can stop it); started together, stopped and dropped at the end."""
    from mailslot.db.migrate import upgrade
    from tests.support.databases import (
        create_postgres_database,
        drop_postgres_database,
        make_settings,
    )

    database_url = await create_postgres_database()
    redis = RedisServer(root / "redis")
    servers: list[MailslotServer] = []
    try:
        await upgrade(make_settings(root, database_url))
        redis.start()
        shared = {"MAILSLOT_DATABASE_URL": database_url, "MAILSLOT_REDIS_URL": redis.url}
        servers = [
            MailslotServer(root / f"instance{i}", env={**shared, **env})
            for i, env in enumerate(envs, 1)
        ]
        async with anyio.create_task_group() as group:
            for server in servers:
                group.start_soon(server.start_in_thread)
        yield servers, redis
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        await drop_postgres_database(database_url)
