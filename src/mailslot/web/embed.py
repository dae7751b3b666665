"""The embeddable inbox (docs/embed.md): the script a host page includes (`/embed.js`,
which defines `<mailslot-inbox>`) and the page that element frames (`/embed/inbox`).

Only the framed page may be framed, and only by the origins in MAILSLOT_EMBED_ORIGINS
(its CSP `frame-ancestors`; the client at `/` keeps `frame-ancestors 'none'`). The page
also names those origins to its script, which takes messages from them alone. Nothing
secret travels in a URL here: the page's address is fixed, and the host's token reaches
the frame by postMessage once the frame says it is ready.
"""

from __future__ import annotations

import html

import anyio
from fastapi import APIRouter, Request
from starlette.responses import FileResponse, HTMLResponse, Response

from mailslot.config import Settings
from mailslot.deps import AppSettings
from mailslot.web.routes import HEADERS, HERE, STATIC

FRAME = HERE / "embed.html"
ELEMENT = STATIC / "embed" / "element.js"

router = APIRouter(include_in_schema=False)


def frame_policy(origins: list[str]) -> str:
    """The framed page's CSP: the client's, but framed by `origins` (none: by no one)."""
    ancestors = " ".join(origins) if origins else "'none'"
    return "; ".join(
        "frame-ancestors " + ancestors if part.startswith("frame-ancestors") else part
        for part in HEADERS["Content-Security-Policy"].split("; ")
    )


def frame_headers(settings: Settings) -> dict[str, str]:
    # No X-Frame-Options: DENY would refuse every host, and ALLOW-FROM is obsolete;
    # frame-ancestors says who may frame the page.
    headers = {name: value for name, value in HEADERS.items() if name != "X-Frame-Options"}
    headers["Content-Security-Policy"] = frame_policy(settings.embed_origins)
    return headers


@router.get("/embed/inbox")
async def get_embed_inbox(settings: AppSettings) -> HTMLResponse:
    page = (await anyio.Path(FRAME).read_text()).replace(
        "{{origins}}", html.escape(" ".join(settings.embed_origins), quote=True)
    )
    return HTMLResponse(page, headers=frame_headers(settings))


@router.get("/embed.js")
async def get_embed_script(request: Request) -> Response:
    # A classic script a host page loads from its own origin: readable across origins
    # (CORS, CORP), so that a host may pin it with Subresource Integrity.
    script = FileResponse(
        ELEMENT,
        stat_result=await anyio.Path(ELEMENT).stat(),
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "no-cache",
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
    if request.headers.get("if-none-match") == script.headers["etag"]:
        return Response(status_code=304, headers=dict(script.headers))
    return script
