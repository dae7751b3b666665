"""A person's mailbox in a real browser: signing in, reading, marking, composing, deleting,
paging, and the session across a reload."""

from __future__ import annotations

import httpx
import pytest
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
    expect(page.locator("#list-title")).to_have_text("Conversations")
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
    alice, bob, carol = (make_user(server, name, exact=True) for name in ("alice", "bob", "carol"))
    send(server, carol, [alice.name, bob.name], "Welcome to the team")
    send(server, bob, [alice.name], "First note")
    send(server, carol, [alice.name], "Quarterly figures are in")
    send(server, bob, [alice.name], "Lunch on Friday?")
    box = open_mailbox()
    box.sign_in(alice)
    box.go_to("Inbox")
    box.open("Welcome to the team")
    box.page.get_by_role("link", name="Back to Inbox").click()
    box.expect_badge(3)
    box.expect_unread("First note")
    expect(box.item("First note")).to_contain_text("Unread")
    box.expect_unread("Welcome to the team", False)
    expect(box.item("Welcome to the team")).not_to_contain_text("Unread")
    box.shot("inbox")

    box.open("First note")
    expect(box.thread).to_have_count(1)
    expect(box.thread.locator(".body")).to_have_text("Body of First note.")
    expect(box.thread.locator(".who")).to_have_text(bob.name)
    expect(box.thread.locator(".state")).to_have_text("Read")
    box.expect_badge(2)
    box.shot("message")
    box.page.get_by_role("link", name="Back to Inbox").click()
    box.expect_unread("First note", False)
    box.expect_unread("Lunch on Friday?")

    box.open("First note")
    box.page.get_by_role("button", name="Mark unread").click()
    expect(box.page.get_by_role("button", name="Mark read")).to_be_visible()
    expect(box.notice).to_have_text("Marked as unread.")
    expect(box.thread.locator(".state")).to_have_text("Unread")
    box.expect_badge(3)
    box.page.get_by_role("link", name="Back to Inbox").click()
    box.expect_unread("First note")


def test_compose_to_several_receivers_and_see_it_in_sent(open_mailbox, server) -> None:
    alice, bob, carol = (make_user(server, name) for name in ("alice", "bob", "carol"))
    box = open_mailbox()
    box.sign_in(alice)
    box.compose(f"{bob.name}, {carol.name}", "Team lunch", "Friday at noon?\nBring ideas.")
    expect(box.notice).to_have_text(f"Sent to {bob.name}, {carol.name}.")
    # The new conversation opens.
    expect(box.page.locator("#message-subject")).to_have_text("Team lunch")
    expect(box.thread.locator(".body")).to_have_text("Friday at noon?\nBring ideas.")
    expect(box.page.locator("#conversation-people")).to_have_text(
        f"Between {alice.name}, {bob.name}, {carol.name}"
    )
    assert inbox_subjects(server, bob) == ["Team lunch"]
    assert inbox_subjects(server, carol) == ["Team lunch"]
    box.go_to("Sent")
    expect(box.item("Team lunch")).to_contain_text(f"To {bob.name}, {carol.name}")

    box.open("Team lunch")
    # Reply goes to the reply box under the conversation.
    box.page.get_by_role("button", name="Reply").click()
    expect(box.page.get_by_label("Your reply")).to_be_focused()


def test_delete_actions_are_distinct_and_confirmed(open_mailbox, server) -> None:
    alice, bob, carol = (make_user(server, name) for name in ("alice", "bob", "carol"))
    send(server, carol, [alice.name, bob.name], "Quarterly figures")
    receiver = open_mailbox()
    receiver.sign_in(alice)
    receiver.go_to("Inbox")
    receiver.open("Quarterly figures")
    page = receiver.page
    expect(page.get_by_role("button", name="Delete for everyone")).to_be_hidden()
    page.get_by_role("button", name="Remove from my inbox").click()
    expect(receiver.dialog).to_be_visible()
    expect(receiver.dialog).to_contain_text("Remove from your inbox?")
    expect(receiver.dialog).to_contain_text(f"{carol.name} and any other receivers keep")
    receiver.shot("confirm-remove")
    page.keyboard.press("Escape")  # cancelling deletes nothing
    expect(receiver.dialog).to_be_hidden()
    assert inbox_subjects(server, alice) == ["Quarterly figures"]
    page.get_by_role("button", name="Remove from my inbox").click()
    receiver.dialog.get_by_role("button", name="Remove from my inbox").click()
    expect(receiver.notice).to_have_text("Moved to your trash.")
    expect(page.locator("#list-title")).to_have_text("Inbox")
    expect(receiver.item("Quarterly figures")).to_have_count(0)
    assert inbox_subjects(server, alice) == []
    assert inbox_subjects(server, bob) == ["Quarterly figures"]

    # The trash: restore puts it back; "Delete for good" (confirmed) ends the copy.
    receiver.go_to("Trash")
    receiver.open("Quarterly figures")
    expect(page.get_by_role("button", name="Reply")).to_be_hidden()
    page.get_by_role("button", name="Restore to inbox").click()
    expect(receiver.notice).to_have_text("Restored to your inbox.")
    expect(receiver.item("Quarterly figures")).to_have_count(0)
    assert inbox_subjects(server, alice) == ["Quarterly figures"]
    receiver.go_to("Inbox")
    receiver.open("Quarterly figures")
    page.get_by_role("button", name="Remove from my inbox").click()
    receiver.dialog.get_by_role("button", name="Remove from my inbox").click()
    receiver.go_to("Trash")
    receiver.open("Quarterly figures")
    page.get_by_role("button", name="Delete for good").click()
    expect(receiver.dialog).to_contain_text("cannot be restored")
    receiver.dialog.get_by_role("button", name="Delete for good").click()
    expect(receiver.notice).to_have_text("Deleted for good.")
    expect(page.locator("#list-title")).to_have_text("Trash")
    expect(receiver.item("Quarterly figures")).to_have_count(0)
    assert inbox_subjects(server, alice, box="trash") == []

    sender = open_mailbox()
    sender.sign_in(carol)
    sender.go_to("Sent")
    sender.open("Quarterly figures")
    expect(sender.page.get_by_role("button", name="Remove from my inbox")).to_be_hidden()
    expect(sender.page.get_by_role("button", name="Mark unread")).to_be_hidden()
    sender.page.get_by_role("button", name="Delete for everyone").click()
    expect(sender.dialog).to_contain_text("Delete for everyone?")
    sender.dialog.get_by_role("button", name="Cancel").click()
    assert inbox_subjects(server, bob) == ["Quarterly figures"]
    sender.page.get_by_role("button", name="Delete for everyone").click()
    sender.dialog.get_by_role("button", name="Delete for everyone").click()
    expect(sender.notice).to_have_text("Deleted for everyone.")
    expect(sender.page.locator("#list-title")).to_have_text("Sent")
    expect(sender.item("Quarterly figures")).to_have_count(0)
    assert inbox_subjects(server, bob) == []


def test_reply_joins_the_conversation(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    question = send(server, bob, [alice.name], "Quarterly report")
    box = open_mailbox()
    box.sign_in(alice)
    box.open("Quarterly report")
    box.page.get_by_role("button", name="Reply").click()
    box.page.get_by_label("Your reply").fill("The draft comes on Thursday.")
    box.page.get_by_role("button", name="Send").click()
    expect(box.notice).to_have_text(f"Sent to {bob.name}.")
    # The reply joins the conversation in place, under the message it answers.
    expect(box.thread).to_have_count(2)
    expect(box.thread.nth(1)).to_contain_text("The draft comes on Thursday.")
    expect(box.thread.nth(1).locator(".state")).to_have_text("Sent")
    expect(box.page.get_by_label("Your reply")).to_have_value("")
    reply = httpx.get(
        f"{server.url}/users/{bob.name}/messages",
        headers={"Authorization": f"Bearer {bob.token}"},
    ).json()["messages"][0]
    # No subject given: it took the subject of the message it answers.
    assert (reply["subject"], reply["reply_to"], reply["thread_id"]) == (
        "Quarterly report",
        question,
        question,
    )
    # An empty reply is caught before sending.
    box.page.get_by_role("button", name="Send").click()
    expect(box.page.locator("#reply-text-error")).to_have_text("Write a reply.")
    # "Compose" afterwards starts a new message, with a subject of its own.
    box.page.get_by_role("link", name="Compose").click()
    expect(box.page.get_by_label("Subject", exact=True)).to_have_value("")


def test_search_finds_words_and_clears(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "Lunch on Friday")
    send(server, bob, [alice.name], "Quarterly figures")
    send(server, bob, [alice.name], "More quarterly numbers")
    box = open_mailbox()
    box.sign_in(alice)
    box.go_to("Inbox")
    expect(box.items).to_have_count(3)
    box.page.get_by_role("searchbox", name="Search Inbox").fill("quarterly")
    box.page.get_by_role("searchbox", name="Search Inbox").press("Enter")
    expect(box.page.locator("#list-title")).to_have_text("Search in Inbox")
    expect(box.items).to_have_count(2)
    expect(box.item("Lunch on Friday")).to_have_count(0)
    box.shot("search")
    # Back from a result returns to the results; a reload keeps the search.
    box.open("Quarterly figures")
    box.page.get_by_role("link", name="Back to Inbox").click()
    expect(box.items).to_have_count(2)
    box.page.reload()
    expect(box.items).to_have_count(2)
    box.page.get_by_role("searchbox", name="Search Inbox").fill("nothing-like-this")
    box.page.get_by_role("button", name="Search").click()
    expect(box.page.locator("#list-empty")).to_have_text(
        "No message in Inbox matches “nothing-like-this”."
    )
    box.page.get_by_role("link", name="Clear search").click()
    expect(box.items).to_have_count(3)
    expect(box.page.locator("#list-title")).to_have_text("Inbox")


def test_load_more_pages_through_the_inbox(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    for number in range(1, 26):
        send(server, bob, [alice.name], f"Note {number:02}")
    box = open_mailbox()
    box.sign_in(alice)
    expect(box.items).to_have_count(20)
    expect(box.items.first).to_contain_text("Note 25")
    box.page.get_by_role("button", name="Load more").click()
    expect(box.items).to_have_count(25)
    expect(box.items.last).to_contain_text("Note 01")
    expect(box.page.get_by_role("button", name="Load more")).to_be_hidden()
    # Focus moves to the first message of the new page, so keyboard users carry on there.
    expect(box.item("Note 05").get_by_role("link")).to_be_focused()
    box.expect_badge(25)


def test_message_text_is_shown_as_text_never_as_markup(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    subject = '<img src=x onerror="document.title=1">'
    send(server, bob, [alice.name], subject)
    box = open_mailbox()
    box.sign_in(alice)
    expect(box.item(subject)).to_be_visible()
    box.open(subject)
    expect(box.page.locator("#message-view img")).to_have_count(0)
    expect(box.page.locator("#message-list img")).to_have_count(0)


def test_keyboard_alone_signs_in_reads_and_cancels(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "Keyboard check")
    box = open_mailbox()
    page, keys = box.page, box.page.keyboard
    expect(page.locator("#sign-in-username")).to_be_focused()
    keys.type(alice.name)
    keys.press("Tab")
    keys.type(alice.password)
    keys.press("Enter")
    expect(page.locator("#whoami")).to_have_text(alice.name)
    expect(page.locator("#list-title")).to_be_focused()
    keys.press("Tab")
    expect(page.get_by_role("link", name="Show single messages")).to_be_focused()
    keys.press("Tab")
    expect(box.item("Keyboard check").get_by_role("link")).to_be_focused()
    keys.press("Enter")
    expect(page.locator("#message-subject")).to_be_focused()
    box.expect_badge(0)
    for name in ("Reply", "Mark unread", "Remove from my inbox"):
        keys.press("Tab")
        expect(page.get_by_role("button", name=name)).to_be_focused()
    keys.press("Enter")
    expect(box.dialog.get_by_role("button", name="Cancel")).to_be_focused()
    keys.press("Escape")
    expect(box.dialog).to_be_hidden()
    keys.press("Shift+Tab")
    keys.press("Enter")  # Mark unread
    box.expect_badge(1)
    page.get_by_role("link", name="Back to Conversations").focus()
    keys.press("Enter")
    expect(box.item("Keyboard check").get_by_role("link")).to_be_focused()
    # The skip link shows itself when focused and lands on the content.
    skip = page.get_by_role("link", name="Skip to content")
    skip.focus()
    assert skip.bounding_box()["y"] >= 0
    keys.press("Enter")
    expect(page.locator("#main")).to_be_focused()


LABELS_MISSING = """() => [...document.querySelectorAll('input, textarea, button, a[href]')]
  .filter((el) => el.offsetParent !== null || el.closest('dialog[open]'))
  .filter((el) => {
    const labelled = (el.labels && [...el.labels].some((l) => l.textContent.trim()))
      || (el.getAttribute('aria-label') || '').trim()
      || el.textContent.trim();
    return !labelled;
  })
  .map((el) => el.outerHTML)"""

# WCAG 2.x relative luminance and contrast ratio; the background is the first opaque one up
# the tree.
CONTRAST = """(selector) => {
  const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const value = getComputedStyle(el).backgroundColor;
      const parts = rgb(value);
      if (parts.length < 4 || parts[3] > 0) return parts;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(selector)].filter((el) => el.offsetParent !== null).map((el) => {
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    return [el.textContent.trim().slice(0, 30) || el.outerHTML.slice(0, 80), (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)];
  });
}"""


def _contrasts(page, selector: str) -> list[tuple[str, float]]:
    return [(text, ratio) for text, ratio in page.evaluate(CONTRAST, selector)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_controls_are_labelled_and_text_has_contrast(open_mailbox, server, scheme) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    send(server, bob, [alice.name], "Contrast check")
    send(server, bob, [alice.name], "Read one")
    box = open_mailbox(color_scheme=scheme)
    page = box.page
    assert page.evaluate(LABELS_MISSING) == []
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).to_be_visible()
    checked = "h1, h2, label, .hint, .form-error, .button, .brand"
    low = [(t, r) for t, r in _contrasts(page, checked) if r < 4.5]
    assert not low, low

    box.sign_in(alice)
    box.open("Read one")
    page.get_by_role("link", name="Back to Conversations").click()
    expect(box.items).to_have_count(2)
    assert page.evaluate(LABELS_MISSING) == []
    checked = ".message-link .who, .message-link .subject, .message-link time, .boxes a, .badge, .whoami, .live-status, .button, h1"
    low = [(t, r) for t, r in _contrasts(page, checked) if r < 4.5]
    assert not low, low
    box.shot(f"inbox-{scheme}")
    box.open("Contrast check")
    assert page.evaluate(LABELS_MISSING) == []
    low = [
        (t, r)
        for t, r in _contrasts(
            page, ".thread-message .who, .thread-message .state, .people, .button, .body, a"
        )
        if r < 4.5
    ]
    assert not low, low
    page.get_by_role("link", name="Compose").click()
    assert page.evaluate(LABELS_MISSING) == []


def test_display_names_show_beside_usernames(open_mailbox, server) -> None:
    reader, writer, other = (make_user(server, prefix) for prefix in ("reader", "writer", "other"))
    named = httpx.patch(
        f"{server.url}/users/{writer.name}",
        json={"display_name": "Wanda Writer"},
        headers={"Authorization": f"Bearer {writer.token}"},
    )
    assert named.status_code == 200, named.text
    send(server, writer, [reader.name, other.name], "Named hello")
    box = open_mailbox()
    box.sign_in(reader)
    expect(box.item("Named hello")).to_contain_text(f"Wanda Writer <{writer.name}>")
    # An initials avatar beside the name: of the display name, else of the username.
    expect(box.item("Named hello").locator(".avatar")).to_have_text("WW")
    box.open("Named hello")
    expect(box.thread.locator(".who")).to_have_text(f"Wanda Writer <{writer.name}>")
    expect(box.page.locator("#conversation-people")).to_have_text(
        f"Between Wanda Writer <{writer.name}>, {reader.name}, {other.name}"
    )
