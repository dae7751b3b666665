"""Browser fixtures: Debian's Chromium, driven by Playwright, against a real `mailslot serve`.

One browser per session, one server per module, a fresh context (cookies, storage) per
person. Nothing downloads a browser: `make test` installs Debian's `chromium` if missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

from tests.e2e.pages import Mailbox
from tests.support.servers import MailslotServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parents[1] / "screenshots"
DESKTOP: ViewportSize = {"width": 1200, "height": 760}
PHONE: ViewportSize = {"width": 375, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last, together. Playwright's sync API keeps its event loop marked
    as running in this thread while the browser is open, and the anyio plugin cannot start a
    loop for an async test then; once the browser tests begin, no async test is left. Under
    xdist (`--dist loadgroup`) they are one group, handed to one worker after everything
    else, so no other test follows them there either."""
    browser_tests = [item for item in items if "tests/e2e/" in item.nodeid]
    for item in browser_tests:
        item.add_marker(pytest.mark.process)
        item.add_marker(pytest.mark.timeout(60))
        item.add_marker(pytest.mark.xdist_group("browser"))
    items[:] = [item for item in items if item not in browser_tests] + browser_tests


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailslotServer]:
    data = tmp_path_factory.mktemp("e2e")
    with MailslotServer(data, env={"MAILSLOT_RATE_LIMITS": "off"}) as server:
        yield server


def _is_page_fault(message: ConsoleMessage) -> bool:
    """Console errors that mean the page is broken. Chromium also logs every 4xx answer
    ("Failed to load resource"), which the tests provoke on purpose."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def open_mailbox(
    browser: Browser, server: MailslotServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Mailbox]]:
    """Opens the client as one person in a fresh browser context; at the end, fails the
    test if any page raised an error or broke its Content-Security-Policy."""
    faults: list[str] = []
    contexts = []
    SCREENSHOTS.mkdir(exist_ok=True)

    def open_one(viewport: ViewportSize | None = None, **options: Any) -> Mailbox:
        context = browser.new_context(
            base_url=server.url,
            viewport=viewport or DESKTOP,
            **options,
        )
        contexts.append(context)
        page: Page = context.new_page()
        page.on("pageerror", lambda error: faults.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                faults.append(f"console: {message.text}") if _is_page_fault(message) else None
            ),
        )
        page.goto("/")
        return Mailbox(page, server=server, screenshots=SCREENSHOTS, test=request.node.name)

    yield open_one
    for context in contexts:
        context.close()
    assert not faults, "\n".join(faults)
