"""The client's files: served at `/` and `/static`, with a strict CSP, beside the API."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import httpx
import pytest

from mailslot.web.routes import HERE, INDEX, STATIC

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).parents[2]


async def test_page_is_served_at_root_with_a_strict_csp(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["x-content-type-options"] == "nosniff"
    # No inline script or style: everything the page runs is a file under /static.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert "<style" not in page.text
    assert " style=" not in page.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        assert (await client.get(asset)).status_code == 200, asset


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/main.js", "text/javascript"),
        ("/static/api.js", "text/javascript"),
        ("/static/live.js", "text/javascript"),
        ("/static/style.css", "text/css"),
        ("/static/icon.svg", "image/svg+xml"),
    ],
)
async def test_static_files_are_cacheable_and_revalidated(
    client: httpx.AsyncClient, path: str, media_type: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media_type)
    assert answer.headers["cache-control"] == "no-cache"
    again = await client.get(path, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


async def test_missing_static_file_is_a_problem(client: httpx.AsyncClient) -> None:
    answer = await client.get("/static/nothing.js")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "not_found"
    # Python files beside the page are never served.
    assert (await client.get("/static/../routes.py")).status_code == 404


async def test_api_and_docs_keep_their_paths(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/" not in spec["paths"]
    assert not any(path.startswith("/static") for path in spec["paths"])
    refused = await client.post("/users", json={})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.post("/")).status_code == 405


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_docs_are_served_from_our_own_files_unframed(
    client: httpx.AsyncClient, path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    # Every script and style is a file of ours: no other origin, no inline script.
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    for asset in assets:
        assert asset.startswith("/"), asset
        answer = await client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.headers["x-frame-options"] == "DENY"
    assert (await client.get(f"{path}/oauth2-redirect")).status_code == 404


@pytest.mark.process
@pytest.mark.timeout(120)
def test_the_wheel_ships_the_client(tmp_path: Path) -> None:
    """hatchling packs everything under src/mailslot; this builds the wheel and looks."""
    uv = ROOT / ".tools" / "bin" / "uv"
    if not uv.exists():
        pytest.skip("uv is installed by make (.tools/bin/uv)")
    subprocess.run(
        [str(uv), "build", "--wheel", "--quiet", "--out-dir", str(tmp_path), str(ROOT)],
        check=True,
        timeout=100,
    )
    (wheel,) = tmp_path.glob("mailslot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    files = [INDEX, HERE / "docs.html", HERE / "redoc.html", HERE / "embed.html"]
    files += [path for path in STATIC.rglob("*") if path.is_file()]
    assert {path.relative_to(ROOT / "src").as_posix() for path in files} <= names


async def test_client_settings_carry_the_context_links(settings, tmp_path: Path) -> None:
    from asgi_lifespan import LifespanManager

    from mailslot.app import create_app

    links = {"order": "https://shop.example/orders/{id}", "ticket": "/help/{ref}"}
    app = create_app(settings.model_copy(update={"context_links": links}))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answer = await client.get("/client-settings")
    assert answer.status_code == 200
    assert answer.json() == {"context_links": links}
    assert "default-src 'none'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize(
    "links",
    [{"order": "javascript:alert(1)"}, {"or der": "/x/{id}"}, {"order": "//evil.example/{id}"}],
)
def test_context_links_must_be_web_addresses_or_paths(links: dict[str, str]) -> None:
    from pydantic import ValidationError

    from mailslot.config import Settings

    with pytest.raises(ValidationError, match="context"):
        Settings(_env_file=None, context_links=links)


async def test_static_files_are_compressed_for_browsers_that_take_it(
    client: httpx.AsyncClient,
) -> None:
    """What the page weight in docs/web-client.md counts on."""
    answer = await client.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["content-security-policy"]
    plain = await client.get("/static/style.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == answer.text
