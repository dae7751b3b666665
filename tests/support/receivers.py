"""Webhook receivers: real HTTP servers in a thread of the test process, which record every
request, verify its signature with the `standardwebhooks` package from PyPI (not our
code), and answer what the test tells them to."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    """One request as the receiver saw it."""

    id: str
    timestamp: str
    signature: str
    headers: dict[str, str]
    body: bytes
    verified_with: list[str] = field(default_factory=list)  # the secrets that verify it
    finished: bool = False
    status: int | None = None  # the answer, once written

    @property
    def answered_ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    hold: threading.Event | None = None  # answer once set (or at stop)
    endless: bool = False  # a chunked body that never ends


Respond = Callable[[Received], Answer]


class Receiver:
    """A ThreadingHTTPServer on a free port. `respond` picks each answer (204 by
    default); `secrets` are tried on every signature with standardwebhooks."""

    def __init__(
        self,
        *,
        secrets: list[str] | None = None,
        tls: ssl.SSLContext | None = None,
        port: int = 0,
    ) -> None:
        self.secrets = list(secrets or [])
        self.respond: Respond = lambda _request: Answer()
        self.requests: list[Received] = []
        self.overlaps: list[str] = []  # ids received while an attempt of the same id ran
        self.in_flight = 0
        self.most_in_flight = 0
        self.endless_bytes = 0
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                received = receiver._record(
                    {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
                )
                try:
                    answer = receiver.respond(received)
                    if answer.hold is not None:
                        while not (answer.hold.wait(0.05) or receiver._stopping.is_set()):
                            pass
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    if answer.endless:
                        self.send_header("transfer-encoding", "chunked")
                        self.end_headers()
                        chunk = b"x" * 8192
                        while not receiver._stopping.is_set():
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            receiver.endless_bytes += len(chunk)
                        return
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    self.wfile.flush()
                    received.status = answer.status
                except OSError:
                    pass
                finally:
                    with receiver._lock:
                        receiver._running[received.id] -= 1
                        receiver.in_flight -= 1
                        received.finished = True

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hooks", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def _record(self, headers: dict[str, str], body: bytes) -> Received:
        received = Received(
            id=headers.get("webhook-id", ""),
            timestamp=headers.get("webhook-timestamp", ""),
            signature=headers.get("webhook-signature", ""),
            headers=headers,
            body=body,
        )
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            received.verified_with.append(secret)
        with self._lock:
            if self._running[received.id] > 0:
                self.overlaps.append(received.id)
            self._running[received.id] += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.requests.append(received)
        return received

    def answered(self, since: int = 0) -> set[str]:
        """Ids of the requests (from the `since`-th on) answered with a 2xx."""
        with self._lock:
            return {r.id for r in self.requests[since:] if r.finished and r.answered_ok}

    def ids(self) -> set[str]:
        with self._lock:
            return {request.id for request in self.requests}

    def of(self, event_id: str) -> list[Received]:
        with self._lock:
            return [request for request in self.requests if request.id == event_id]

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


async def eventually(check: Callable[[], Any], *, within: float = 10.0) -> Any:
    """Wait until `check()` is truthy and return it; fail after `timeout` seconds (a
    generous deadline, never a measurement)."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {check}")
        await anyio.sleep(0.02)
