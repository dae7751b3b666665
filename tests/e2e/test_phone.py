"""At phone width the client fits the screen and every action is in reach."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.pages import make_user, send

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_phone_width_fits_and_works(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "A rather long subject line that has to fit on a small screen")
    send(server, bob, [alice.name], "Short one")
    box = open_mailbox(viewport=PHONE, is_mobile=True, has_touch=True)
    page = box.page
    assert page.evaluate(OVERFLOW) == 0
    box.shot("sign-in")
    box.sign_in(alice)
    expect(box.items).to_have_count(2)
    box.expect_badge(2)
    assert page.evaluate(OVERFLOW) == 0
    for name in ("Compose", "Conversations", "Inbox", "Sent", "Trash", "Settings"):
        link = page.get_by_role("navigation", name="Mailboxes").get_by_role("link", name=name)
        expect(link).to_be_in_viewport()
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    box.shot("inbox")

    box.page.get_by_text("Short one").tap()
    expect(page.locator("#message-subject")).to_have_text("Short one")
    assert page.evaluate(OVERFLOW) == 0
    for name in ("Reply", "Mark unread", "Remove from my inbox"):
        expect(page.get_by_role("button", name=name)).to_be_in_viewport()
    box.shot("message")

    box.compose(bob.name, "From my phone", "Typed on a small screen.")
    expect(box.notice).to_have_text(f"Sent to {bob.name}.")
    # The new conversation opens, alone on the screen.
    expect(page.locator("#message-subject")).to_have_text("From my phone")
    expect(page.locator("#list-view")).to_be_hidden()
    assert page.evaluate(OVERFLOW) == 0
