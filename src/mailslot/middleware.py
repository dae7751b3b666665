"""The HTTP edge, as pure ASGI: request ids, the body limit, safe headers, the access log,
and the answer to an error no handler took. Query strings never reach a log line: seed A
carries passwords there; nor do paths, which hold usernames: the access log names the
route's template."""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailslot import logs
from mailslot.errors import Code
from mailslot.problems import error_response, problem_response

access_log = logging.getLogger("mailslot.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI re-raises HTTPExceptions from body reading (anything
    else becomes a 400), so this reaches the problem+json handler as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class Edge:
    """Request id, body size limit (with or without Content-Length), `nosniff` and
    `no-store` headers, and one access-log line per request (a stream's when it ends).
    Every answer passes here, an unexpected error's 500 too."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        root_path = scope.get("root_path", "")
        request = logs.current_request.set(logs.RequestContext(request_id))
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send_with_headers, request_id)
            else:
                await self.app(scope, receive, send)
        except Exception as exc:
            # An error no handler took. Starlette would answer it in ServerErrorMiddleware,
            # outside every middleware (so without these headers), then re-raise it to the
            # server, which drops the connection. Answered here, it is a problem like any
            # other; once a response has started, nothing can be said any more.
            if scope["type"] != "http" or status:
                raise
            response = await error_response(Request(scope), exc)
            await response(scope, _no_receive, send_with_headers)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                _log_access(scope, root_path, status, time.perf_counter() - started)
            logs.current_request.reset(request)

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        limit = self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(scope, send, request_id)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if response_started:
                raise
            await self._too_large(scope, send, request_id)

    async def _too_large(self, scope: Scope, send: Send, request_id: str) -> None:
        response = problem_response(
            413,
            Code.PAYLOAD_TOO_LARGE,
            f"The request body is larger than {self.max_body_bytes} bytes.",
            instance=scope["path"],
            headers={"Connection": "close"},
        )
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _REQUEST_ID.match(candidate):
                return candidate
            break
    return os.urandom(16).hex()  # uuid4().hex's form, without building a UUID


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _log_access(scope: Scope, root_path: str, status: int, seconds: float) -> None:
    client = scope.get("client")
    address = client[0] if client else None
    method = scope.get("method", "WS")
    route = _route(scope, root_path)
    status = status or (101 if scope["type"] == "websocket" else 0)
    duration_ms = round(seconds * 1000, 1)
    access_log.info(
        "%s %s %s %d %.1fms",
        address or "-",
        method,
        route or "-",
        status,
        duration_ms,
        extra={
            "fields": {
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": duration_ms,
                "client": address,
            }
        },
    )


def _route(scope: Scope, root_path: str) -> str | None:
    """The template of the route that answered (`/users/{username}/messages`), a mount's
    (`/static/{path}`), or None when none matched."""
    route = scope.get("route")
    if route is not None:
        template: str | None = getattr(route, "path_format", None)
        return template
    mounted: str = scope.get("root_path", "")
    if len(mounted) > len(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return None
