"""The bench's webhook receiver: nginx answering 204 at once, and logging each request's
arrival (`$msec`) and `webhook-id`. A receiver in C, so that what the webhooks scenario
measures is mailslot's cost of delivering, not a Python receiver's of taking it in on the
same two cores (a uvicorn receiver cost about as much CPU per event as the worker).

The time from an event to its request is read afterwards: the arrival from the log, the
event's time from its row (`webhook_event.created_at`, written in the send's transaction,
which is also the body's `timestamp`)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from bench.harness import free_port

NGINX = Path("/usr/sbin/nginx")
CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    log_format arrival '$msec $http_webhook_id';
    server {{
        listen 127.0.0.1:{port};
        keepalive_requests 1000000;
        keepalive_timeout 300s;
        location = /hook {{ access_log {root}/arrivals.log arrival; return 204; }}
        location / {{ access_log off; return 204; }}
    }}
}}
"""


class Receiver:
    """`with Receiver(root) as receiver:` nginx on a port of its own; `mark()` then
    `arrivals()` reads what came after the mark: {webhook-id: first arrival, epoch s}."""

    def __init__(self, root: Path) -> None:
        if not NGINX.exists():
            raise SystemExit("nginx is missing: apt-get install -y nginx-light")
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._log = root / "arrivals.log"
        self._offset = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    def __enter__(self) -> Receiver:
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "nginx.conf"
        config.write_text(CONFIG.format(root=self.root, port=self.port))
        self._process = subprocess.Popen(
            [
                str(NGINX),
                "-p",
                str(self.root),
                "-e",
                str(self.root / "error.log"),
                "-c",
                str(config),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/", timeout=1)
                return self
            except httpx.TransportError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((self.root / "error.log").read_text()) from None
                time.sleep(0.05)

    def __exit__(self, *exc: Any) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def mark(self) -> None:
        """Forget what arrived so far."""
        self._offset = self._log.stat().st_size if self._log.exists() else 0

    def requests(self) -> int:
        return len(self._lines())

    def arrivals(self) -> dict[str, float]:
        first: dict[str, float] = {}
        for line in self._lines():
            arrived, event_id = line.split(" ", 1)
            first.setdefault(event_id, float(arrived))
        return first

    def _lines(self) -> list[str]:
        if not self._log.exists():
            return []
        with self._log.open("rb") as log:
            log.seek(self._offset)
            text = log.read().decode()
        # A line nginx is still writing has no newline yet: it is read next time.
        return text.split("\n")[:-1]
