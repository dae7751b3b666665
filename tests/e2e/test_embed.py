"""The embeddable inbox (docs/embed.md) in a real browser, on host pages of other origins:
the docs' own host (run from the docs page as written), a page the tests serve, and a
page from an origin the operator did not list, which the browser refuses to frame. The
host's token must appear in no URL requested, no storage and no log line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Frame, Page, expect

from tests.e2e.conftest import SCREENSHOTS
from tests.support.servers import MailslotServer, free_port, terminate

DOCS = Path(__file__).parents[2] / "docs" / "embed.md"
EVENTS = [
    "mailslot-ready",
    "mailslot-unread",
    "mailslot-conversation",
    "mailslot-sent",
    "mailslot-token-expired",
]
# Every event the element fires, in order, on `window.mailslotEvents` (they bubble).
RECORD_EVENTS = f"""
window.mailslotEvents = [];
for (const name of {json.dumps(EVENTS)}) {{
  document.addEventListener(name, (event) => window.mailslotEvents.push([name, event.detail]));
}}
"""


class Site:
    """A host site of the test's own: pages (path -> HTML) on a port of its own, so on an
    origin other than mailslot's."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path)
                body = (page or "not found").encode()
                self.send_response(200 if page else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Embedding:
    """mailslot, serving the inbox to the docs' host and to `allowed`, not to `other`."""

    def __init__(self, server: MailslotServer, docs_port: int, allowed: Site, other: Site):
        self.server = server
        self.docs_origin = f"http://127.0.0.1:{docs_port}"
        self.docs_port = docs_port
        self.allowed = allowed
        self.other = other
        self.key = server.create_key("users:write", "tokens:mint", "messages:send_as")

    def api(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> Any:
        answer = httpx.request(
            method,
            f"{self.server.url}{path}",
            headers={"Authorization": f"Bearer {token or self.key}"},
            **kwargs,
        )
        assert answer.is_success, answer.text
        return answer.json() if answer.content else None

    def user(self, external_id: str, display_name: str) -> tuple[str, str]:
        """The user (provisioned) and a token minted for them."""
        user = self.api("PUT", f"/server/users/{external_id}", json={"display_name": display_name})
        token = self.api("POST", f"/server/users/{external_id}/tokens", json={})
        return user["username"], token["access_token"]

    def send(self, sender: tuple[str, str], **body: Any) -> dict[str, Any]:
        message: dict[str, Any] = self.api(
            "POST", f"/users/{sender[0]}/messages", token=sender[1], json=body
        )
        return message


@pytest.fixture(scope="module")
def embedding(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedding]:
    allowed, other = Site(), Site()
    docs_port = free_port()
    origins = f"http://127.0.0.1:{docs_port},{allowed.origin}"
    data = tmp_path_factory.mktemp("embed")
    env = {"MAILSLOT_RATE_LIMITS": "off", "MAILSLOT_EMBED_ORIGINS": origins}
    try:
        with MailslotServer(data, env=env) as server:
            yield Embedding(server, docs_port, allowed, other)
    finally:
        allowed.close()
        other.close()


def docs_host() -> str:
    """The host page of docs/embed.md, exactly as a reader would paste it."""
    blocks: list[str] = re.findall(
        r"^```python\n(.*?)^```$", DOCS.read_text(), re.MULTILINE | re.DOTALL
    )
    (host,) = [block for block in blocks if "ThreadingHTTPServer" in block]
    return host


@pytest.fixture
def host_context(browser: Browser) -> Iterator[tuple[BrowserContext, list[str], list[str]]]:
    """A browser context recording every URL it requests (frames included) and its page
    faults; it fails the test on a fault."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.add_init_script(RECORD_EVENTS)
    requested: list[str] = []
    faults: list[str] = []
    context.on("request", lambda request: requested.append(request.url))

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: faults.append(f"page error: {error}"))
        page.on("console", lambda message: _fault(message, faults))

    context.on("page", watch)
    yield context, requested, faults
    context.close()
    assert not faults, "\n".join(faults)


def _fault(message: ConsoleMessage, faults: list[str]) -> None:
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        faults.append(f"console: {message.text}")


def inbox_frame(page: Page) -> Frame:
    expect(page.locator("mailslot-inbox iframe")).to_be_attached()
    handle = page.locator("mailslot-inbox iframe").element_handle()
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    return frame


def events(page: Page, name: str) -> list[Any]:
    recorded: list[list[Any]] = page.evaluate("window.mailslotEvents")
    return [detail for event, detail in recorded if event == name]


def storage_holds(frame: Frame | Page, token: str) -> bool:
    """Whether any storage that outlives the page holds `token` (or an IndexedDB exists)."""
    found: bool = frame.evaluate(
        """async (token) => {
          const stored = [localStorage, sessionStorage].flatMap((store) =>
            Object.keys(store).map((key) => key + store.getItem(key)));
          const databases = await indexedDB.databases();
          return stored.some((text) => text.includes(token)) || databases.length > 0
            || document.cookie.includes(token);
        }""",
        token,
    )
    return found


# Generous: whichever test runs first also starts mailslot and makes a key (two Python
# processes), which took 31 s on a machine busy with other suites.
SLOW_START = pytest.mark.timeout(150)


@SLOW_START
def test_the_docs_host_writes_about_an_order_live_and_refreshes_its_token(
    embedding: Embedding, host_context: tuple[BrowserContext, list[str], list[str]], tmp_path: Path
) -> None:
    context, requested, _ = host_context
    script = tmp_path / "host.py"
    script.write_text(docs_host())
    log = tmp_path / "host.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "MAILSLOT_URL": embedding.server.url,
        "MAILSLOT_KEY": embedding.key,
        "HOST_PORT": str(embedding.docs_port),
    }
    with log.open("w") as errors:
        host = subprocess.Popen(
            [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=errors
        )
    try:
        assert host.stdout is not None
        # The host prints its address once it has provisioned the users and listens.
        assert host.stdout.readline().decode().strip() == f"{embedding.docs_origin}/"
        seller = embedding.user("cus_seller_42", "Seller 42")
        buyer_name = embedding.api("GET", "/server/users/cus_buyer_17")["username"]
        embedding.send(seller, receivers=[buyer_name], subject="Welcome", message="Hello!")

        tokens: list[str] = []
        context.on(
            "response",
            lambda response: (
                tokens.append(response.json()["access_token"])
                if response.url.endswith("/mailslot-token")
                else None
            ),
        )
        page = context.new_page()
        page.goto(f"{embedding.docs_origin}/")
        expect(page.locator("#last-event")).to_have_text("mailslot-ready {}")
        expect(page.locator("#unread")).to_have_text("1")  # the welcome, before any click
        frame = inbox_frame(page)

        # 1. No conversation about the order yet: the form writes to the seller about it.
        expect(frame.get_by_role("heading", name="New message")).to_be_visible()
        expect(frame.get_by_text("About order:A-123")).to_be_visible()
        expect(frame.get_by_label("Subject", exact=True)).to_have_value("Order A-123")
        frame.get_by_label("Message", exact=True).fill("Has it shipped?")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "embed-compose.png")
        frame.get_by_role("button", name="Send").click()
        expect(frame.get_by_role("heading", name="Order A-123")).to_be_visible()
        expect(frame.locator(".entry.mine .text")).to_have_text(["Has it shipped?"])
        expect(frame.get_by_text("With Seller 42")).to_be_visible()
        expect(page.locator("#last-event")).to_contain_text("mailslot-conversation")
        (sent,) = events(page, "mailslot-sent")
        (opened,) = events(page, "mailslot-conversation")
        assert opened == {
            "threadId": sent["threadId"],
            "subject": "Order A-123",
            "context": "order:A-123",
        }

        # 2. The seller got it, signed, and answers: it arrives in the buyer's frame live.
        inbox = embedding.api(
            "GET",
            f"/users/{seller[0]}/messages",
            token=seller[1],
            params={"context": "order:A-123"},
        )
        (received,) = inbox["messages"]
        assert received["id"] == sent["id"]
        assert received["context"]["signed"] is True
        embedding.send(
            seller, reply_to=received["id"], subject="Re: Order A-123", message="This morning."
        )
        expect(frame.locator(".entry:not(.mine) .text")).to_have_text(["This morning."])
        expect(frame.locator(".entry:not(.mine) .who")).to_have_text(["Seller 42"])
        # Read where it is shown: the count the host shows is the welcome's alone again.
        expect(page.locator("#unread")).to_have_text("1")
        page.screenshot(path=SCREENSHOTS / "embed-conversation.png")

        # 3. The buyer's tokens are revoked: the frame asks for one, the host gives it, and
        #    the conversation carries on live.
        embedding.api("DELETE", "/server/users/cus_buyer_17/tokens")
        page.wait_for_function(
            "window.mailslotEvents.some(([name]) => name === 'mailslot-token-expired')"
        )
        embedding.send(
            seller, reply_to=received["id"], subject="Re: Order A-123", message="Tracking: 42."
        )
        expect(frame.locator(".entry:not(.mine) .text")).to_have_text(
            ["This morning.", "Tracking: 42."]
        )
        assert len(tokens) == 2, tokens  # the first, and one refresh

        # 4. The tokens went nowhere they could outlive the page or be read from later.
        for token in tokens:
            assert not any(token in url for url in requested)
            assert not storage_holds(page, token)
            assert not storage_holds(frame, token)
            assert token not in page.content()
            assert token not in embedding.server.log()
        assert not context.cookies()
    finally:
        terminate(host)
        if host.stdout:
            host.stdout.close()
    assert not any(token in log.read_text() for token in tokens)


def host_page(embedding: Embedding, element: str, *, style: str = "") -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>A host</title>
  <style>mailslot-inbox {{ height: 30rem; {style} }}</style>
  <script src="{embedding.server.url}/embed.js"></script>
</head>
<body>
  <h1>A host</h1>
  {element}
</body>
</html>"""


@SLOW_START
def test_a_host_page_shows_the_inbox_about_a_context_styled_and_tells_what_happens(
    embedding: Embedding, host_context: tuple[BrowserContext, list[str], list[str]]
) -> None:
    context, requested, _ = host_context
    buyer = embedding.user("cus_buyer_b7", "Bea Buyer")
    seller = embedding.user("cus_seller_b7", "Sam Seller")
    about = embedding.send(
        seller,
        receivers=[buyer[0]],
        subject="About B-7",
        message="Your order B-7 is packed.",
        context={"ref": "order:B-7"},
    )
    other = embedding.send(seller, receivers=[buyer[0]], subject="Something else", message="Hi.")
    embedding.allowed.pages["/context"] = host_page(
        embedding,
        f'<mailslot-inbox user="{buyer[0]}" token="{buyer[1]}" context="order:B-7"></mailslot-inbox>',
        style="--mailslot-accent: rgb(0, 128, 0);",
    )
    page = context.new_page()
    page.goto(f"{embedding.allowed.origin}/context")
    frame = inbox_frame(page)

    # The token attribute is read and gone from the DOM; the list is the context's alone.
    assert page.locator("mailslot-inbox").get_attribute("token") is None
    expect(frame.get_by_role("heading", name="Messages about order:B-7")).to_be_visible()
    conversation = frame.get_by_role("button", name=re.compile("About B-7"))
    expect(frame.locator(".conversation")).to_have_count(1)
    expect(conversation).to_contain_text("Sam Seller")
    expect(conversation.locator(".unread")).to_have_text("1 unread")
    # The host's accent reaches the frame.
    expect(conversation.locator(".unread")).to_have_css("background-color", "rgb(0, 128, 0)")
    page.wait_for_function("window.mailslotEvents.some(([name]) => name === 'mailslot-ready')")
    assert events(page, "mailslot-unread")[0] == {"count": 2}

    # Opening it (by keyboard, as every step below) tells the host, and reads it.
    conversation.focus()
    page.keyboard.press("Enter")
    expect(frame.get_by_role("heading", name="About B-7")).to_be_focused()
    expect(frame.get_by_text("About order:B-7", exact=True)).to_be_visible()
    page.wait_for_function(
        "window.mailslotEvents.some(([n, d]) => n === 'mailslot-unread' && d.count === 1)"
    )
    assert events(page, "mailslot-conversation") == [
        {"threadId": about["thread_id"], "subject": "About B-7", "context": "order:B-7"}
    ]
    page.keyboard.press("Shift+Tab")
    expect(frame.get_by_role("button", name="Back to messages")).to_be_focused()
    page.keyboard.press("Enter")
    expect(frame.get_by_role("heading", name="Messages about order:B-7")).to_be_focused()
    expect(frame.locator(".conversation .unread")).to_be_hidden()

    # The host switches the element to one conversation: no list around it; a reply.
    page.locator("mailslot-inbox").evaluate(
        "(inbox, thread) => inbox.setAttribute('conversation', thread)", str(other["thread_id"])
    )
    expect(frame.get_by_role("heading", name="Something else")).to_be_visible()
    expect(frame.get_by_role("button", name="Back to messages")).to_be_hidden()
    page.wait_for_function(
        "window.mailslotEvents.some(([n, d]) => n === 'mailslot-unread' && d.count === 0)"
    )
    frame.get_by_role("heading", name="Something else").focus()
    page.keyboard.press("Tab")
    expect(frame.get_by_label("Reply")).to_be_focused()
    page.keyboard.type("Hello back.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(frame.locator(".entry.mine .text")).to_have_text(["Hello back."])
    (sent,) = events(page, "mailslot-sent")
    assert sent["threadId"] == other["thread_id"]
    reply = embedding.api("GET", f"/users/{seller[0]}/messages", token=seller[1])["messages"][0]
    assert (reply["id"], reply["message"], reply["reply_to"]) == (
        sent["id"],
        "Hello back.",
        other["id"],
    )

    # A token refreshed by the attribute: the old one revoked, the frame asks, the host
    # sets `token` again, and the conversation is live again.
    embedding.api("DELETE", "/server/users/cus_buyer_b7/tokens")
    page.wait_for_function(
        "window.mailslotEvents.some(([name]) => name === 'mailslot-token-expired')"
    )
    fresh = embedding.api("POST", "/server/users/cus_buyer_b7/tokens", json={})["access_token"]
    page.locator("mailslot-inbox").evaluate(
        "(inbox, token) => inbox.setAttribute('token', token)", fresh
    )
    embedding.send(seller, reply_to=reply["id"], subject="Re: Something else", message="Got it.")
    expect(frame.locator(".entry:not(.mine) .text")).to_have_text(["Hi.", "Got it."])

    for token in (buyer[1], fresh):
        assert not any(token in url for url in requested)
        assert not storage_holds(page, token)
        assert not storage_holds(frame, token)
        assert token not in page.content()


@SLOW_START
def test_an_origin_not_listed_cannot_frame_the_inbox_and_none_the_client(
    embedding: Embedding, browser: Browser
) -> None:
    buyer = embedding.user("cus_buyer_refused", "Rita")
    element = f'<mailslot-inbox user="{buyer[0]}"></mailslot-inbox>'
    embedding.other.pages["/inbox"] = host_page(embedding, element)
    embedding.allowed.pages["/client"] = host_page(
        embedding, f'<iframe src="{embedding.server.url}/" title="client"></iframe>'
    )
    context = browser.new_context()
    context.add_init_script(RECORD_EVENTS)
    try:
        listed = f"frame-ancestors {embedding.docs_origin} {embedding.allowed.origin}"
        cases = [
            (f"{embedding.other.origin}/inbox", listed),
            (f"{embedding.allowed.origin}/client", "frame-ancestors 'none'"),
        ]
        for url, directive in cases:
            page = context.new_page()
            with page.expect_console_message(
                lambda message: "frame-ancestors" in message.text
            ) as refusal:
                page.goto(url)
            # Chromium: "Framing '<origin>/' violates the following Content Security
            # Policy directive: "<directive>". The request has been blocked."
            assert f"'{embedding.server.url}/' violates" in refusal.value.text
            assert f'directive: "{directive}"' in refusal.value.text
            (child,) = page.main_frame.child_frames
            expect(page.locator("iframe")).to_be_attached()
            assert child.url.startswith("chrome-error://"), child.url
            assert page.evaluate("window.mailslotEvents") == []
            page.close()
    finally:
        context.close()
