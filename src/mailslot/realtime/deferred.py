"""Long-lived responses run outside the framework. An event stream or a WebSocket session
that a route hands up (`defer`) runs once routing, FastAPI's request handling and every
middleware inside RunDeferred have returned: an idle stream then holds none of their frames,
exit stacks and request objects, some 10 KiB a connection (`bench/live_memory.py`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

_DEFERRED = "mailslot.deferred"


def defer(scope: Scope, run: Callable[[], Awaitable[None]]) -> None:
    """Hand a long-lived response (an event stream, a WebSocket session) up to RunDeferred,
    which runs it once the layers below it have returned. `run` keeps the `send` and
    `receive` it was given, so the inner layers' header wrappers (CORS) still apply."""
    scope[_DEFERRED] = run


class RunDeferred:
    """Runs the response a route handed up (`defer`), if any, once the app has returned.
    Installed right inside the edge, so a stream still gets the edge's request id, headers,
    access-log line and, if it fails before its first byte, the edge's 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        deferred = scope.pop(_DEFERRED, None)
        if deferred is not None:
            # FastAPI leaves its closed exit stacks in the scope the stream keeps.
            for key in [key for key in scope if key.startswith("fastapi_")]:
                del scope[key]
            await deferred()
