"""Serving the web client: the page at `/`, its scripts and styles under `/static`.

The files ship inside the package (`index.html` beside this module, the rest in `static/`),
so an installed wheel serves them. They may be cached but are revalidated on every use
(`no-cache` with an ETag), so an upgrade reaches browsers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles

from mailslot.deps import AppSettings

HERE = Path(__file__).parent
INDEX = HERE / "index.html"
STATIC = HERE / "static"

# The page needs nothing but its own files and its own API: no inline script or style,
# no other origin, no framing (https://owasp.org/www-project-secure-headers/).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
async def get_index() -> FileResponse:
    return FileResponse(INDEX, media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/client-settings")
async def get_client_settings(settings: AppSettings) -> JSONResponse:
    """What the operator set for the page (MAILSLOT_CONTEXT_LINKS): public, as the page is."""
    return JSONResponse({"context_links": settings.context_links}, headers=HEADERS)


class WebFiles(StaticFiles):
    """StaticFiles with the page's headers on every answer (304s included)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(HEADERS)
        return response


def mount_web(app: FastAPI) -> None:
    """Serve the client at `/` and `/static/...`; API routes and `/docs` keep their paths."""
    app.include_router(router)
    # Compressed for browsers that take it: the client's files shrink to a quarter
    # (docs/web-client.md gives the page weight).
    app.mount("/static", GZipMiddleware(WebFiles(directory=STATIC)), name="static")
