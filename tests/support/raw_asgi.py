"""One request straight into the ASGI app, for every kind of route: plain HTTP, endless
streams (SSE: the answer is known once the head is sent) and WebSockets (accepted, closed
with a code, or refused with an HTTP answer). httpx's ASGI transport waits for a body to
end, which a stream never does, and has no WebSocket."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import anyio
from starlette.types import ASGIApp, Message

WS_ACCEPTED = 101


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


async def call(
    app: ASGIApp,
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    client: tuple[str, int] = ("127.0.0.1", 50000),
    timeout: float = 5,  # noqa: ASYNC109 (a bound on a call that may never end by itself)
) -> Answer:
    """`method` "WS" opens a WebSocket; its status is 101 once accepted, the close code
    minus 4000 for an application refusal (4401 -> 401), or the status of an HTTP refusal."""
    path, _, query = target.partition("?")
    websocket = method == "WS"
    scope: dict[str, Any] = {
        "type": "websocket" if websocket else "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws" if websocket else "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in {"host": "mailslot.test", **(headers or {})}.items()
        ],
        "client": client,
        "server": ("mailslot.test", 80),
    }
    if not websocket:
        scope["method"] = method
        scope["headers"].append((b"content-length", str(len(body)).encode()))
    else:
        scope["subprotocols"] = []

    answer = Answer(status=0)
    done = anyio.Event()
    hang_up = anyio.Event()
    opened = False

    async def receive() -> Message:
        nonlocal opened
        if not opened:
            opened = True
            if websocket:
                return {"type": "websocket.connect"}
            return {"type": "http.request", "body": body, "more_body": False}
        await hang_up.wait()
        return (
            {"type": "websocket.disconnect", "code": 1000}
            if websocket
            else {"type": "http.disconnect"}
        )

    async def send(message: Message) -> None:
        kind = message["type"]
        if kind in ("http.response.start", "websocket.http.response.start"):
            answer.status = message["status"]
            answer.headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]
            }
            if answer.headers.get("content-type", "").startswith("text/event-stream"):
                done.set()
        elif kind in ("http.response.body", "websocket.http.response.body"):
            answer.body += message.get("body", b"")
            if not message.get("more_body", False):
                done.set()
        elif kind == "websocket.accept":
            answer.status = WS_ACCEPTED
            done.set()
        elif kind == "websocket.close":
            code = message.get("code", 1000)
            answer.status = code - 4000 if code >= 4000 else code
            answer.body = (message.get("reason") or "").encode()
            done.set()

    async def run() -> None:
        try:
            await app(scope, receive, send)
        except Exception:
            # Starlette re-raises after sending its 500; the answer is what the client saw.
            if not answer.status:
                raise
        done.set()

    with anyio.fail_after(timeout):
        async with anyio.create_task_group() as group:
            group.start_soon(run)
            await done.wait()
            hang_up.set()
            group.cancel_scope.cancel()
    return answer
