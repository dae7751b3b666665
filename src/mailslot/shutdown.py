"""A serving process's graceful stop (SIGTERM, SIGINT): drain, close, end streams, exit.

    0          the signal: /readyz answers 503 (a balancer sends new clients elsewhere);
               everything else is served as before
    drain      MAILSLOT_SHUTDOWN_DRAIN later: uvicorn is told to exit, so it closes its
               listener (new connections are refused) and waits for requests in flight;
               every open stream ends (SSE with a jittered `retry:`, WebSocket 1012)
    timeout    MAILSLOT_SHUTDOWN_TIMEOUT after the signal, the process has exited: uvicorn
               cancels what is left `grace_period` after the drain, the app's shutdown
               gets the rest, and a watchdog ends the process if even that hangs

uvicorn's own handler (Server.handle_exit) is wrapped, not replaced: it runs at the end of
the drain, and at once on a second signal (a second Ctrl+C quits without waiting).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

log = logging.getLogger("mailslot.shutdown")

# What the app's own shutdown (background tasks, broker, pool) may take of the timeout.
LIFESPAN_SHARE = 1.0  # seconds, or half of what the drain leaves if that is less
WATCHDOG_EXIT = 70  # EX_SOFTWARE: the graceful stop did not finish in time


class Shutdown:
    """The stop in two steps: `drain()` when the signal comes (`draining`: /readyz
    answers 503), `set()` once the drain is over (`is_set`: every open stream ends). A
    callback per stream, not a task (a task per idle connection is memory)."""

    def __init__(self) -> None:
        self.draining = False
        self.is_set = False
        self._callbacks: set[Callable[[], None]] = set()

    def drain(self) -> None:
        self.draining = True

    def set(self) -> None:
        self.draining = self.is_set = True
        for callback in list(self._callbacks):
            callback()

    @contextmanager
    def calling(self, callback: Callable[[], None]) -> Iterator[None]:
        """Call `callback` once the streams must end (now, if they must)."""
        if self.is_set:
            callback()
        self._callbacks.add(callback)
        try:
            yield
        finally:
            self._callbacks.discard(callback)


def grace_period(*, drain: float, timeout: float) -> float:
    """How long uvicorn waits for open connections once the drain is over (its
    `timeout_graceful_shutdown`): what the timeout leaves, less the app's shutdown."""
    left = max(timeout - drain, 0.0)
    return max(left - min(LIFESPAN_SHARE, left / 2), 0.1)


def stop_on_exit_signals(stop: Shutdown, *, drain: float, timeout: float) -> Callable[[], None]:
    """Run the graceful stop when the server is told to exit (SIGTERM, SIGINT): wraps the
    server's own handlers (uvicorn's, in each worker); returns what puts them back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signal handlers belong to the main thread
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handler(signum: int, frame: FrameType | None) -> None:
        chained = previous[signal.Signals(signum)]
        assert callable(chained)  # noqa: S101 (only callables are wrapped, below)
        if stop.draining:  # a second signal: stop waiting
            loop.call_soon_threadsafe(stop.set)
            chained(signum, frame)
            return
        stop.drain()  # a plain flag, read on this same thread by /readyz
        log.info(
            "told to exit (%s): draining for %g s, exiting within %g s",
            signal.Signals(signum).name,
            drain,
            timeout,
        )
        _start_watchdog(timeout)

        def finish() -> None:
            if not stop.is_set:
                chained(signum, frame)  # uvicorn: close the listener, wait for requests
                stop.set()  # then streams end; their clients reconnect elsewhere

        loop.call_soon_threadsafe(loop.call_later, drain, finish)

    for sig, chained in previous.items():
        if callable(chained):  # not over SIG_DFL / SIG_IGN
            signal.signal(sig, handler)

    def restore() -> None:
        for sig, chained in previous.items():
            if signal.getsignal(sig) is handler:
                signal.signal(sig, chained)

    return restore


def _start_watchdog(timeout: float) -> None:
    """End the process `timeout` seconds from now if it is still running: a thread, so a
    blocked event loop cannot hold it back."""

    def expire() -> None:
        log.error("the graceful stop took more than %g s: exiting now", timeout)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(WATCHDOG_EXIT)

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
