"""Server-Sent Events framing, and the response that streams them."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from functools import partial

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mailslot.bus.events import Event
from mailslot.problems import EXPECTED_ERRORS, error_response
from mailslot.realtime.deferred import defer
from mailslot.realtime.streams import Ending, EventStream

RETRY_MS = 2000  # how long EventSource waits before reconnecting
# When a restart ends the stream: a wait drawn from this range, so that the clients of an
# instance do not all reconnect in the same instant; it begins after the listener closed.
RESTART_RETRY_MS = (1000, 4000)
HEARTBEAT = b": ping\n\n"

SendEvent = Callable[[Event | None], Awaitable[None]]
Write = Callable[[], Awaitable[None]]
Runner = Callable[[EventStream, Write, SendEvent, Write], Awaitable[Ending]]


def frame(event: Event | None) -> bytes:
    """One SSE message: `id:` is the sequence number (EventSource sends it back as
    Last-Event-ID), `event:` the type, `data:` the envelope. None is a heartbeat comment."""
    if event is None:
        return HEARTBEAT
    return f"id: {event.id}\nevent: {event.type}\ndata: {event.envelope_json()}\n\n".encode()


class EventStreamResponse(Response):
    """`text/event-stream` for as long as the stream lasts, run once the framework has
    returned (realtime/deferred.py). The stream is opened before the status line goes
    out, so a refusal (410 resync_required, 429 too_many_streams) is still a
    problem+json."""

    media_type = "text/event-stream"

    def __init__(
        self, opener: Callable[[], AbstractAsyncContextManager[EventStream]], runner: Runner
    ) -> None:
        # No Response.__init__: it would announce a Content-Length.
        self.status_code = 200
        self.background = None
        self.raw_headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),  # nginx: pass events through at once
        ]
        self._opener = opener
        self._runner = runner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        defer(scope, partial(self._stream, scope, receive, send))

    async def _stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_event(event: Event | None) -> None:
            await send({"type": "http.response.body", "body": frame(event), "more_body": True})

        async def wait_closed() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        started = False
        try:
            async with self._opener() as stream:
                started = True
                await send(
                    {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
                )
                # An `id:` without data sets EventSource's Last-Event-ID without an event,
                # so a browser that reconnects resumes from here even if nothing happened.
                start = f"retry: {RETRY_MS}\nid: {stream.last}\n\n".encode()

                async def opening() -> None:
                    await send({"type": "http.response.body", "body": start, "more_body": True})

                ending = await self._runner(stream, opening, send_event, wait_closed)
        except EXPECTED_ERRORS as exc:
            if started:
                raise
            # The app's exception handlers have returned already: answer as they would.
            response = await error_response(Request(scope), exc)
            await response(scope, receive, send)
            return
        if ending in ("closed", "too_slow"):
            return  # nobody reads: the server closes the connection
        with anyio.move_on_after(1):
            await send(
                {"type": "http.response.body", "body": ending_frame(ending), "more_body": False}
            )


def ending_frame(ending: Ending) -> bytes:
    """The last bytes of a stream the server ends: why, as a comment; on a restart, the
    jittered wait before EventSource reconnects (to another instance, with Last-Event-ID)."""
    if ending == "restart":
        wait = random.randint(*RESTART_RETRY_MS)  # noqa: S311 (jitter, not a secret)
        return f"retry: {wait}\n: end restart\n\n".encode()
    return f": end {ending}\n\n".encode()
