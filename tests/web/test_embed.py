"""The embeddable inbox's files: `/embed.js` for host pages, and `/embed/inbox`, framed
only by MAILSLOT_EMBED_ORIGINS while the client at `/` refuses every frame. (Its flows in
a browser: tests/e2e/test_embed.py.)"""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import ValidationError

from mailslot.config import Settings
from mailslot.web.embed import FRAME
from mailslot.web.routes import STATIC
from tests.test_cors import client_for

pytestmark = pytest.mark.anyio

EMBED = STATIC / "embed"
HOSTS = ["https://shop.example.com", "http://127.0.0.1:8001"]
IMPORT = re.compile(r'^import [^;]*? from "(\.{1,2}/[^"]+)";', re.MULTILINE | re.DOTALL)


def directives(answer: httpx.Response) -> dict[str, str]:
    policy = answer.headers["content-security-policy"]
    return dict(part.split(" ", 1) for part in policy.split("; "))


async def test_no_page_may_frame_the_inbox_by_default(client: httpx.AsyncClient) -> None:
    frame = await client.get("/embed/inbox")
    assert frame.status_code == 200
    assert frame.headers["content-type"] == "text/html; charset=utf-8"
    assert directives(frame)["frame-ancestors"] == "'none'"
    assert 'name="mailslot-embed-origins" content=""' in frame.text


async def test_listed_origins_may_frame_the_inbox_and_no_other_page(settings: Settings) -> None:
    async with client_for(settings.model_copy(update={"embed_origins": HOSTS})) as client:
        frame = await client.get("/embed/inbox")
        policy = directives(frame)
        assert policy["frame-ancestors"] == " ".join(HOSTS)
        # Otherwise the client's policy: its own files and API only, nothing inline.
        client_policy = directives(await client.get("/"))
        assert {k: v for k, v in policy.items() if k != "frame-ancestors"} == {
            k: v for k, v in client_policy.items() if k != "frame-ancestors"
        }
        assert "x-frame-options" not in frame.headers
        # The frame's script answers these origins alone.
        assert f'name="mailslot-embed-origins" content="{" ".join(HOSTS)}"' in frame.text
        # The client and the docs keep refusing every frame.
        for path in ("/", "/docs", "/static/main.js"):
            answer = await client.get(path)
            assert directives(answer)["frame-ancestors"] == "'none'", path
            assert answer.headers["x-frame-options"] == "DENY", path


async def test_the_frame_runs_only_its_own_files(client: httpx.AsyncClient) -> None:
    frame = await client.get("/embed/inbox")
    assert frame.url.query == b""
    assert not re.search(r"<script(?![^>]*\bsrc=)", frame.text)
    assert "<style" not in frame.text
    assert " style=" not in frame.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', frame.text):
        assert (await client.get(asset)).status_code == 200, asset


async def test_the_host_script_is_readable_from_any_origin(client: httpx.AsyncClient) -> None:
    script = await client.get("/embed.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["access-control-allow-origin"] == "*"
    assert script.headers["cross-origin-resource-policy"] == "cross-origin"
    assert script.headers["cache-control"] == "no-cache"
    assert 'customElements.define("mailslot-inbox"' in script.text
    assert "import " not in script.text  # a classic script: no CORS needed to run it
    again = await client.get("/embed.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://Shop.Example.com", "https://shop.example.com"),
        ("https://shop.example.com:443/", "https://shop.example.com"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_embed_origins_are_kept_as_browsers_write_them(given: str, kept: str) -> None:
    assert Settings(_env_file=None, embed_origins=f"{given}, https://b.example").embed_origins == [
        kept,
        "https://b.example",
    ]


@pytest.mark.parametrize(
    "given",
    [
        "*",
        "'self'",
        "https://*.example.com",
        "shop.example.com",
        "https://shop.example.com/page",
        "https://shop.example.com?x=1",
        "https://user@shop.example.com",
        "https://shop.example.com:99999",
        "ftp://shop.example.com",
        "https://shop.example.com;script-src",
        "https://shop example.com",
    ],
)
def test_an_embed_origin_that_is_not_one_is_refused(given: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(_env_file=None, embed_origins=given)


def test_every_frame_import_is_a_shipped_file_and_the_frame_preloads_them() -> None:
    reached: set[str] = set()
    pending = [EMBED / "frame.js"]
    while pending:
        module = pending.pop()
        for name in IMPORT.findall(module.read_text()):
            target = (module.parent / name).resolve()
            assert target.is_file(), f"{module.name} imports {name}"
            relative = target.relative_to(STATIC).as_posix()
            if relative not in reached:
                reached.add(relative)
                pending.append(target)
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', FRAME.read_text())
    assert sorted(preloaded) == sorted(reached)
