"""Seed B's README writes `per_page=20%page=1`: read as `per_page=20&page=1`, as pure ASGI."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

# `%pa` is never a valid percent-escape, so reading that `%` (or a client's re-escaped
# `%25`) as `&` after a per_page value cannot change the meaning of a well-formed query.
_PAGE_TYPO = re.compile(rb"(per_page=[^&%]*)%(?:25)?page=")


class SeedBPageQuery:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if b"page=" in scope.get("query_string", b""):
            scope["query_string"] = _PAGE_TYPO.sub(rb"\1&page=", scope["query_string"])
        await self.app(scope, receive, send)
