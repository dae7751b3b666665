"""The headers every seed A answer carries, errors included: it is deprecated (RFC 9745),
where to go instead, and that a URL with a password in it is never to be stored."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The day mailslot first served seed A's API: deprecated from its first answer.
DEPRECATED_SINCE = datetime(2026, 11, 21, tzinfo=UTC)
NATIVE_DOCS = "/docs"

SEED_A_PATHS = frozenset(
    prefix + name
    for prefix in ("//", "/")
    for name in ("signup", "login", "logout", "message", "messages")
)

_HEADERS = [
    # RFC 9745 §2: a Structured Field Date, `@` and Unix seconds.
    (b"deprecation", f"@{int(DEPRECATED_SINCE.timestamp())}".encode()),
    (b"link", f'<{NATIVE_DOCS}>; rel="deprecation"; type="text/html"'.encode()),
    # Credentials ride in the URL: no cache or Referer may keep it (RFC 6750 §5.3, OWASP).
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
]
_NAMES = {name for name, _ in _HEADERS}


class DeprecationHeaders:
    """Adds the seed A headers to every answer on a seed A address, whatever its status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in SEED_A_PATHS:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _NAMES
                ]
                message["headers"] = headers + _HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
