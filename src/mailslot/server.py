"""How `mailslot serve` runs uvicorn: an HTTP protocol with request-read deadlines, so slow
clients cannot hold the server, and a worker supervisor whose listener closes with its
workers (`Supervisor`).

uvicorn's only HTTP timeout is keep-alive, armed after a response and cancelled by any
byte received; a connection that never completes its request is never timed out
(uvicorn issue #157). Here the request head must be complete within `header_timeout`
seconds of the connection or of the request's first byte, and the body within
`body_timeout` seconds after the head; otherwise the connection is closed (with a 408 if
no answer was started). `mailslot serve` selects it as uvicorn's `http` protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from typing import Any

from uvicorn import Config, Server
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

from mailslot.config import get_settings
from mailslot.errors import Code

_TIMEOUT_BODY = json.dumps(
    {
        "type": "about:blank",
        "title": "Request Timeout",
        "status": 408,
        "detail": "The request took too long to arrive.",
        "code": Code.REQUEST_TIMEOUT,
    },
    separators=(",", ":"),
).encode()
_TIMEOUT_408 = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: application/problem+json\r\n"
    b"connection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


class DeadlineProtocol(HttpToolsProtocol):
    """HttpToolsProtocol plus a head deadline and a body deadline per request."""

    header_timeout: float | None = None
    body_timeout: float | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cls = type(self)
        if cls.header_timeout is None or cls.body_timeout is None:
            # The protocol is built by uvicorn in each worker: an entry point, like the
            # ASGI factory, so it reads the process's settings.
            settings = get_settings()
            cls.header_timeout, cls.body_timeout = settings.header_timeout, settings.body_timeout
        self._deadline: asyncio.TimerHandle | None = None
        self._reading_body = False

    def _arm(self, seconds: float, *, body: bool) -> None:
        self._disarm()
        self._reading_body = body
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        answered = self.cycle is not None and self._reading_body and self.cycle.response_started
        if not answered:
            self.transport.write(_TIMEOUT_408)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout or 10.0, body=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm(self.header_timeout or 10.0, body=False)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        if not (self.parser.should_upgrade() and self._should_upgrade()):
            self._arm(self.body_timeout or 60.0, body=True)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()


class Supervisor(Multiprocess):
    """uvicorn's supervisor of `--workers N`, which binds the listening socket and hands
    it to every worker. It kept its own copy open until it exited, after its workers: a
    connection made once they had closed theirs then waited in the backlog, unanswered,
    instead of being refused (so that a proxy tries another instance). Here it lets go of
    its copy as soon as it tells the workers to stop: the socket then closes when the
    last worker closes it, at the end of its drain (mailslot/shutdown.py)."""

    def terminate_all(self) -> None:
        super().terminate_all()
        for sock in self.sockets:
            sock.close()


def run_uvicorn(config: Config) -> None:
    """uvicorn.run for a Config, with mailslot's supervisor for `workers > 1`."""
    if config.workers > 1:
        Supervisor(config, sockets=[config.bind_socket()]).run()
        return
    config.load_app()
    server = Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
