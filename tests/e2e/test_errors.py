"""API errors reach people as plain sentences next to what caused them, never as JSON."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.e2e.pages import User, inbox_subjects, make_user, send


def _no_raw_json(page) -> None:
    text = page.locator("body").inner_text()
    for fragment in ('{"', '"code"', "problem+json", "invalid_credentials", "unknown_receiver"):
        assert fragment not in text


def test_wrong_password_is_a_sentence(open_mailbox, server) -> None:
    alice = make_user(server, "alice")
    box = open_mailbox()
    box.page.get_by_label("Username").first.fill(alice.name)
    box.page.get_by_label("Password").first.fill("not the password")
    box.page.get_by_role("button", name="Sign in").click()
    error = box.page.locator("#sign-in-error")
    expect(error).to_have_text("The username or password is incorrect.")
    expect(box.page.locator("#sign-in-password")).to_be_focused()
    _no_raw_json(box.page)
    box.shot("wrong-password")
    # The same form then signs in with the right password.
    box.sign_in(alice)
    expect(error).to_be_hidden()


def test_unknown_receivers_are_named_next_to_the_field(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    box = open_mailbox()
    box.sign_in(alice)
    box.compose(f"{bob.name}, nobody-here, ghost-too", "Hello all", "Anyone there?")
    to_field = box.page.get_by_label("To", exact=True)
    error = box.page.locator("#compose-to-error")
    expect(error).to_have_text("No user is registered as 'nobody-here', 'ghost-too'.")
    expect(to_field).to_have_attribute("aria-invalid", "true")
    expect(to_field).to_be_focused()
    # The error is announced with the field (aria-describedby), and nothing was sent.
    assert "compose-to-error" in (to_field.get_attribute("aria-describedby") or "")
    assert inbox_subjects(server, bob) == []
    _no_raw_json(box.page)
    box.shot("unknown-receiver")

    to_field.fill(bob.name)
    box.page.get_by_role("button", name="Send").click()
    expect(box.notice).to_have_text(f"Sent to {bob.name}.")
    assert inbox_subjects(server, bob) == ["Hello all"]


def test_form_mistakes_are_caught_before_sending(open_mailbox, server) -> None:
    alice = make_user(server, "alice")
    box = open_mailbox()
    box.sign_in(alice)
    box.compose("not a/name", "", "")
    expect(box.page.locator("#compose-to-error")).to_have_text("Not a username: a/name.")
    expect(box.page.locator("#compose-subject-error")).to_have_text("Add a subject.")
    expect(box.page.locator("#compose-message-error")).to_have_text("Write a message.")


def test_taken_username_is_reported_at_registration(open_mailbox, server) -> None:
    alice = make_user(server, "alice")
    box = open_mailbox()
    page = box.page
    page.locator("#register-username").fill(alice.name.upper())
    page.locator("#register-email").fill("someone-else@example.com")
    page.locator("#register-password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#register-username-error")).to_have_text(
        f"The username '{alice.name.upper()}' is taken."
    )
    expect(page.locator("#register-username")).to_be_focused()
    page.locator("#register-password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#register-password-error")).to_have_text("Use at least 8 characters.")
    _no_raw_json(page)


def _revoke(server, name: str, token: str | None) -> None:
    """The token stops working elsewhere (signed out on another device, or expired)."""
    revoked = httpx.delete(
        f"{server.url}/users/{name}/token", headers={"Authorization": f"Bearer {token}"}
    )
    assert revoked.status_code == 204


def test_a_revoked_session_returns_to_sign_in(open_mailbox, server) -> None:
    alice, bob = make_user(server, "alice"), make_user(server, "bob")
    box = open_mailbox()
    page = box.page
    box.sign_in(alice)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    ended = "Your session has ended. Sign in again."

    # With the live stream kept away, the next request finds out.
    page.route("**/stream-tickets", lambda route: route.abort())
    _revoke(server, alice.name, box.session_token())
    expect(page.locator("#live-status")).to_have_attribute("data-state", "reconnecting")
    box.go_to("Sent")
    expect(page.locator("#sign-in-error")).to_have_text(ended)
    expect(page.locator("#error")).to_be_hidden()
    assert box.session_token() is None
    page.unroute("**/stream-tickets")

    # With the live stream open, the page finds out by itself: the server ends the stream
    # and the next ticket is refused.
    send(server, bob, [alice.name], "After sign-out")
    box.sign_in(User(alice.name, token=""))
    box.expect_badge(1)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    _revoke(server, alice.name, box.session_token())
    expect(page.locator("#sign-in-error")).to_have_text(ended)
    assert box.session_token() is None


def test_a_missing_message_is_explained_at_the_top(open_mailbox, server) -> None:
    alice = make_user(server, "alice")
    box = open_mailbox()
    box.sign_in(alice)
    box.page.goto("/#/inbox/999999")
    banner = box.page.get_by_role("alert").filter(has_text="999999")
    expect(banner).to_have_text("There is no message 999999 in your mailbox.")
    expect(box.page.locator("#list-title")).to_have_text("Inbox")
    _no_raw_json(box.page)
    box.shot("missing-message")
    box.page.get_by_role("button", name="Dismiss").click()
    expect(banner).to_be_hidden()
