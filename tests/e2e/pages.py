"""The client as a person sees it (a page object), and API shortcuts to set the scene."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.support.servers import MailslotServer

PASSWORD = "correct horse battery"


@dataclass
class User:
    name: str
    token: str
    password: str = PASSWORD


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_user(server: MailslotServer, prefix: str, *, exact: bool = False) -> User:
    """A registered, signed-in user (over the API), for scenes the test is not about.
    Names get a random suffix unless `exact` (once per server, for a tidy screenshot)."""
    name = prefix if exact else unique(prefix)
    created = httpx.post(
        f"{server.url}/users",
        json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    assert created.status_code == 201, created.text
    token = httpx.post(f"{server.url}/users/{name}/token", json={"password": PASSWORD})
    assert token.status_code == 200, token.text
    return User(name, token.json()["access_token"])


def send(server: MailslotServer, sender: User, receivers: list[str], subject: str) -> int:
    sent = httpx.post(
        f"{server.url}/users/{sender.name}/messages",
        json={"receivers": receivers, "subject": subject, "message": f"Body of {subject}."},
        headers={"Authorization": f"Bearer {sender.token}"},
    )
    assert sent.status_code == 201, sent.text
    message_id: int = sent.json()["id"]
    return message_id


def inbox_subjects(server: MailslotServer, user: User, *, box: str = "inbox") -> list[str]:
    listed = httpx.get(
        f"{server.url}/users/{user.name}/messages",
        params={"per_page": 100, "box": box},
        headers={"Authorization": f"Bearer {user.token}"},
    )
    assert listed.status_code == 200, listed.text
    return [message["subject"] for message in listed.json()["messages"]]


class Mailbox:
    """One person's browser tab on the client."""

    def __init__(self, page: Page, *, server: MailslotServer, screenshots: Path, test: str) -> None:
        self.page = page
        self.server = server
        self.screenshots = screenshots
        self.test = test

    # -- places on the page
    @property
    def badge(self) -> Locator:
        return self.page.locator("#unread-badge")

    @property
    def items(self) -> Locator:
        return self.page.locator("#message-list > li")

    def item(self, subject: str) -> Locator:
        return self.items.filter(has_text=subject)

    @property
    def dialog(self) -> Locator:
        return self.page.get_by_role("dialog")

    @property
    def notice(self) -> Locator:
        return self.page.locator("#notice")

    # -- what a person does
    def sign_in(self, user: User) -> None:
        self.page.get_by_label("Username").first.fill(user.name)
        self.page.get_by_label("Password").first.fill(user.password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.locator("#whoami")).to_have_text(user.name)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()

    def go_to(self, box: str) -> None:
        self.page.get_by_role("navigation", name="Mailboxes").get_by_role("link", name=box).click()
        expect(self.page.locator("#list-title")).to_have_text(box)

    def open(self, subject: str) -> None:
        self.item(subject).get_by_role("link").click()
        # Loaded, not only titled: beside the list, a message opened again shows its
        # subject before its new load ends, and an action taken then is undone by it.
        expect(self.page.locator("#message-view")).not_to_have_class(re.compile(r"\bloading\b"))
        expect(self.page.locator("#message-subject")).to_have_text(subject)

    def expect_unread(self, subject: str, unread: bool = True) -> None:
        """The row of `subject` is marked unread (or not), in either kind of list."""
        marked = re.compile(r"\bunread\b")
        if unread:
            expect(self.item(subject)).to_have_class(marked)
        else:
            expect(self.item(subject)).not_to_have_class(marked)

    @property
    def thread(self) -> Locator:
        """The messages of the open conversation, oldest first."""
        return self.page.locator("#thread-list > li")

    def back(self) -> None:
        self.page.locator("#message-back").click()

    def compose(self, to: str, subject: str, body: str) -> None:
        self.page.get_by_role("link", name="Compose").click()
        self.page.get_by_label("To", exact=True).fill(to)
        self.page.get_by_label("Subject", exact=True).fill(subject)
        self.page.get_by_label("Message", exact=True).fill(body)
        self.page.get_by_role("button", name="Send").click()

    def expect_badge(self, count: int) -> None:
        expect(self.badge).to_have_attribute("data-count", str(count))
        if count:
            expect(self.badge).to_be_visible()
            expect(self.badge).to_have_text(f"{count} unread")
        else:
            expect(self.badge).to_be_hidden()

    def session_token(self) -> str | None:
        saved = self.page.evaluate("sessionStorage.getItem('mailslot.session')")
        if saved is None:
            return None
        token: str = self.page.evaluate(
            "JSON.parse(sessionStorage.getItem('mailslot.session')).token"
        )
        return token

    def shot(self, step: str) -> Path:
        path = self.screenshots / f"{self.test}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
