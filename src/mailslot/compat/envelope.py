"""MAILSLOT_COMPAT=seed-b: the routes seed B's server served answer in its envelope,
`{"statusCode", "message", "result"}`, with its statuses, errors included. Pure ASGI,
around the native routes: the same services answer, only the wire form changes.

What seed B answered (its server's source, docs/seed-b.md):

    POST   /users                         201  result: the username
    POST   /users/{username}/token        200  result: the token (statusCode 201 in the body)
    POST   /users/{username}/message      201  result: the new message's id
    GET    /users/{username}/messages     200  result: [{id, sender, receiver, subject,
                                                         message, creation_date}]
    PATCH  /users/{username}/messages/ID  200  result: the message in that shape
    DELETE /users/{username}/messages/ID  200  no result
    errors                                the status of the error, statusCode the same,
                                          message its text, no result (`code` rides along)

A client of mailslot's own (the web page sends it) opts out of the envelope with
`Mailslot-Envelope: none`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailslot.compat.timestamps import format_rfc1123

OPT_OUT = (b"mailslot-envelope", b"none")
Result = Callable[[Any, str], tuple[int, dict[str, Any]]]


def _ok(status: int, result: Any = None, *, body_status: int | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"statusCode": body_status or status, "message": "OK"}
    if result is not None:
        answer["result"] = result
    return answer


def seed_b_message(message: dict[str, Any], viewer: str) -> dict[str, Any]:
    """A message as seed B listed it: `receiver` is the user whose mailbox it is, and
    `creation_date` the RFC 1123 text Flask wrote for a datetime."""
    return {
        "id": message["id"],
        "sender": message["sender"],
        "receiver": viewer if viewer in message["receivers"] else message["receiver"],
        "subject": message["subject"],
        "message": message["message"],
        "creation_date": format_rfc1123(datetime.fromisoformat(message["created_at"])),
    }


def _registered(body: Any, _: str) -> tuple[int, dict[str, Any]]:
    return 201, _ok(201, body["username"])


def _token(body: Any, _: str) -> tuple[int, dict[str, Any]]:
    # Seed B wrote 201 in this body while answering HTTP 200; its clients read `result`.
    return 200, _ok(200, body["access_token"], body_status=201)


def _sent(body: Any, _: str) -> tuple[int, dict[str, Any]]:
    return 201, _ok(201, body["id"])


def _listed(body: Any, viewer: str) -> tuple[int, dict[str, Any]]:
    return 200, _ok(200, [seed_b_message(message, viewer) for message in body["messages"]])


def _marked(body: Any, viewer: str) -> tuple[int, dict[str, Any]]:
    return 200, _ok(200, seed_b_message(body, viewer))


def _deleted(_: Any, __: str) -> tuple[int, dict[str, Any]]:
    return 200, _ok(200)


# (method, path) -> the answer's shape; the path's first group is the mailbox's username.
ROUTES: list[tuple[str, re.Pattern[str], Result]] = [
    ("POST", re.compile(r"/users()"), _registered),
    ("POST", re.compile(r"/users/([^/]+)/token"), _token),
    ("POST", re.compile(r"/users/([^/]+)/message"), _sent),
    ("GET", re.compile(r"/users/([^/]+)/messages"), _listed),
    ("PATCH", re.compile(r"/users/([^/]+)/messages/[^/]+"), _marked),
    ("DELETE", re.compile(r"/users/([^/]+)/messages/[^/]+"), _deleted),
]


def seed_b_error(status: int, problem: Any) -> dict[str, Any]:
    """A problem+json answer in seed B's envelope: its `detail` as the message, and its
    `code` (and a validation error's `errors`) along."""
    if not isinstance(problem, dict):
        return {"statusCode": status, "message": "Error"}
    answer: dict[str, Any] = {
        "statusCode": status,
        "message": problem.get("detail") or problem.get("title") or "Error",
    }
    for extra in ("code", "errors"):
        if extra in problem:
            answer[extra] = problem[extra]
    return answer


def _route(scope: Scope) -> tuple[Result, str] | None:
    if scope["type"] != "http" or OPT_OUT in scope["headers"]:
        return None
    for method, pattern, result in ROUTES:
        if scope["method"] == method and (match := pattern.fullmatch(scope["path"])):
            return result, match.group(1)  # ASGI's path is already decoded
    return None


class SeedBEnvelope:
    """Rewrites the answers of seed B's routes (ROUTES); every other request passes by
    untouched, streamed as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        result, viewer = route
        start: Message = {}
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status, answer = _envelope(start["status"], b"".join(chunks), result, viewer)
            body = json.dumps(answer, ensure_ascii=False).encode()
            headers = [
                (name, value)
                for name, value in start.get("headers", [])
                if name not in (b"content-length", b"content-type")
            ]
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)


def _envelope(status: int, raw: bytes, result: Result, viewer: str) -> tuple[int, dict[str, Any]]:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    if status >= 400:
        return status, seed_b_error(status, body)
    try:
        return result(body, viewer)
    except (KeyError, TypeError, ValueError):
        # A native answer this shape does not know (say, a 202): passed on as the result.
        return status, _ok(status, body)
