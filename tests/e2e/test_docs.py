"""/docs and /redoc in a real browser that reaches nothing but this machine: the API's
operations render from mailslot's own files, under a CSP, and the pages cannot be framed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.conftest import SCREENSHOTS
from tests.support.servers import MailslotServer

# ReDoc's sidebar shows Redocly's logo from their CDN; the CSP refuses it (a console error,
# no request) and the image hides itself. The one refusal expected, by its URL.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture
def offline_page(browser: Browser, server: MailslotServer) -> Iterator[Page]:
    """A page whose requests to any host but the server's are refused and recorded, as are
    its console errors (a CSP violation is one) and script errors."""
    context = browser.new_context(base_url=server.url)
    outside: list[str] = []

    def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(server.url).netloc:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    faults: list[str] = []
    page.on("pageerror", lambda error: faults.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            faults.append(message.text)
            if message.type == "error" and f"'{REDOC_LOGO}'" not in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert outside == [], "requests to other origins"
    assert faults == []


def assert_safe_headers(headers: dict[str, str]) -> None:
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert headers["x-frame-options"] == "DENY"


def test_swagger_ui_renders_the_operations_offline(offline_page) -> None:
    page = offline_page
    response = page.goto("/docs")
    assert response is not None
    assert response.status == 200
    assert_safe_headers(response.headers)
    operation = page.locator(".opblock", has_text="/users/{username}/messages/{message_id}")
    expect(operation.first).to_be_visible()
    assert page.locator(".opblock").count() >= 20
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "docs-swagger.png")


def test_redoc_renders_the_operations_offline(offline_page) -> None:
    page = offline_page
    response = page.goto("/redoc")
    assert response is not None
    assert response.status == 200
    assert_safe_headers(response.headers)
    # Redoc lays out the whole OpenAPI document in the page's script before it shows a
    # heading: seconds while the suite loads both cores (CI once saw "Loading ..." at 5 s).
    expect(page.get_by_role("heading", name="Post Message").first).to_be_visible(timeout=30_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "docs-redoc.png")


def test_the_docs_cannot_be_framed(browser: Browser, server: MailslotServer) -> None:
    """Another page that frames /docs gets an empty frame: the browser refuses it."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(f'<iframe id="docs" src="{server.url}/docs"></iframe>')  # waits for load
    (framed,) = [frame for frame in page.frames if frame.parent_frame is not None]
    assert framed.locator("#swagger-ui").count() == 0
    assert not framed.url.startswith(server.url) or framed.content().count("swagger") == 0
    context.close()
