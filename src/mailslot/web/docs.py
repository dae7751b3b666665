"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), from files
that ship with mailslot: nothing is fetched from another origin, so they work offline and a
CDN cannot change what runs beside the web client.

The viewers come from the `fastapi-offline` package (pinned in pyproject.toml and uv.lock):
its `static/` holds, byte for byte, npm's swagger-ui-dist 5.32.6 (`swagger-ui-bundle.js`,
`swagger-ui.css`) and redoc 2.5.3 (`bundles/redoc.standalone.js`). We serve those files
only, at `/docs/assets`; the pages are ours (`docs.html`, `redoc.html`, `static/docs.js`).
To refresh: `.tools/bin/uv lock --upgrade-package fastapi-offline`, then compare the
files' SHA-256 with `npm pack swagger-ui-dist@<version> redoc@<version>`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.responses import FileResponse

from mailslot.web.routes import HEADERS, HERE, WebFiles

ASSETS = Path(str(files("fastapi_offline") / "static"))

# As the web client's policy, plus what the viewers need: Swagger UI's icons are data:
# images; ReDoc (styled-components) writes its styles into <style> elements, and runs its
# search in a worker it builds from a blob: URL.
DOCS_HEADERS = HEADERS | {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "worker-src blob:",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )
}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def get_docs() -> FileResponse:
    return FileResponse(
        HERE / "docs.html", media_type="text/html; charset=utf-8", headers=DOCS_HEADERS
    )


@router.get("/redoc")
async def get_redoc() -> FileResponse:
    return FileResponse(
        HERE / "redoc.html", media_type="text/html; charset=utf-8", headers=DOCS_HEADERS
    )


def mount_docs(app: FastAPI) -> None:
    """Serve `/docs`, `/redoc` and their viewers at `/docs/assets/...`. The app is built
    with docs_url=None and redoc_url=None: FastAPI's own pages load the viewers from a CDN
    with inline scripts."""
    app.include_router(router)
    app.mount("/docs/assets", WebFiles(directory=ASSETS), name="docs-assets")
