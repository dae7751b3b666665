"""A person's mailbox in a real browser: signing in, reading, marking, composing, deleting,
paging, and the session across a reload."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.e2e.pages import inbox_subjects, make_user, send, unique


def test_register_reload_and_sign_out(open_mailbox, server) -> None:
    box = open_mailbox()
    page = box.page
    name = unique("newcomer")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    box.shot("signed-out")
    page.locator("#register-username").fill(name)
    page.locator("#register-email").fill(f"{name}@example.com")
    page.locator("#register-password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#whoami")).to_have_text(name)
    expect(page.locator("#list-title")).to_have_text("Inbox")
    expect(page.locator("#list-empty")).to_be_visible()

    # The token lives in sessionStorage: a reload keeps the session.
    page.reload()
    expect(page.locator("#whoami")).to_have_text(name)
    token = box.session_token()
    assert token

    box.sign_out()
    assert box.session_token() is None
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # Signing out revoked the token on the server, not only in the page.
    revoked = httpx.get(
        f"{server.url}/users/{name}/unread", headers={"Authorization": f"Bearer {token}"}
    )
    assert revoked.status_code == 401


def test_open_marks_read_and_mark_unread_updates_badge(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "First note")
    send(server, bob, [alice.name], "Second note")
    box = open_mailbox()
    box.sign_in(alice)
    box.expect_badge(2)
    expect(box.item("First note")).to_have_class("message-item unread")
    expect(box.item("Second note")).to_contain_text("Unread")
    box.shot("inbox")

    box.open("First note")
    expect(box.page.locator("#message-body")).to_have_text("Body of First note.")
    expect(box.page.locator("#message-sender")).to_have_text(bob.name)
    box.expect_badge(1)
    box.shot("message")
    box.page.get_by_role("link", name="Back to Inbox").click()
    expect(box.item("First note")).to_have_class("message-item")
    expect(box.item("Second note")).to_have_class("message-item unread")

    box.open("First note")
    box.page.get_by_role("button", name="Mark unread").click()
    expect(box.page.get_by_role("button", name="Mark read")).to_be_visible()
    box.expect_badge(2)
    box.page.get_by_role("link", name="Back to Inbox").click()
    expect(box.item("First note")).to_have_class("message-item unread")
